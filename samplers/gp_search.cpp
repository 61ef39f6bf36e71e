#include "samplers/gp_search.h"

#include <algorithm>
#include <numeric>

namespace rungs {

namespace {

struct Scored {
  std::vector<std::vector<double>> units;
  Eigen::VectorXd scores;
};

Scored score_all(const GpSpace& space, const GpScore& score,
                 std::vector<std::vector<double>> units) {
  std::vector<Params> decoded;
  decoded.reserve(units.size());
  for (const auto& u : units) decoded.push_back(space.decode(u));
  std::vector<const Params*> points;
  for (const auto& p : decoded) points.push_back(&p);
  Scored s;
  s.scores = units.empty() ? Eigen::VectorXd() : score(space.encode(points));
  s.units = std::move(units);
  return s;
}

/// Every single-parameter move from u (parameters active in `params`, the decoding of u).
std::vector<std::vector<double>> moves(const GpSpace& space, const std::vector<double>& u,
                                       const Params& params, double delta) {
  std::vector<std::vector<double>> out;
  const auto& specs = space.space().params();
  for (std::size_t p = 0; p < specs.size(); ++p) {
    if (space.feature_of(p) < 0) continue;
    const ParamSpec& spec = specs[p];
    const auto it = params.find(spec.name);
    if (it == params.end()) continue;
    auto with = [&](double value) {
      if (value < 0.0 || value > 1.0 || value == u[p]) return;
      out.push_back(u);
      out.back()[p] = value;
    };
    if (spec.kind == ParamKind::Categorical) {
      for (const auto& choice : spec.choices) {
        if (!same_value(choice, it->second)) with(spec.to_unit(choice));
      }
      continue;
    }
    with(std::clamp(u[p] - delta, 0.0, 1.0));
    with(std::clamp(u[p] + delta, 0.0, 1.0));
    if (spec.cardinality() > 0 || spec.kind == ParamKind::Int) {
      const double step = spec.kind == ParamKind::Int ? std::max(spec.step, 1.0) : spec.step;
      const double v = as_double(it->second);
      for (const double next : {v - step, v + step}) {
        if (next < spec.low - 1e-9 || next > spec.high + 1e-9) continue;
        const ParamValue value = spec.kind == ParamKind::Int
                                     ? ParamValue(static_cast<std::int64_t>(std::llround(next)))
                                     : ParamValue(next);
        with(spec.to_unit(value));
      }
    }
  }
  return out;
}

}  // namespace

std::vector<double> gp_maximize(const GpSpace& space, const GpScore& score,
                                const std::vector<std::vector<double>>& starts,
                                const GpSearchSettings& settings, std::mt19937_64& rng) {
  const std::size_t d = space.space().size();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::vector<double>> units = starts;
  for (int c = 0; c < settings.n_candidates; ++c) {
    std::vector<double> u(d);
    for (auto& v : u) v = unit(rng);
    units.push_back(std::move(u));
  }
  const Scored initial = score_all(space, score, std::move(units));
  std::vector<std::size_t> order(initial.units.size());
  std::iota(order.begin(), order.end(), 0);
  const std::size_t n_local = std::min(order.size(), static_cast<std::size_t>(settings.n_local));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_local), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return initial.scores[static_cast<Eigen::Index>(a)] >
                             initial.scores[static_cast<Eigen::Index>(b)];
                    });
  Eigen::Index arg_best = 0;
  double best_score = initial.scores.maxCoeff(&arg_best);
  std::vector<double> best = initial.units[static_cast<std::size_t>(arg_best)];
  for (std::size_t s = 0; s < n_local; ++s) {
    std::vector<double> u = initial.units[order[s]];
    double current = initial.scores[static_cast<Eigen::Index>(order[s])];
    double delta = 0.1;
    for (int round = 0; round < settings.max_rounds && delta >= 1e-3; ++round) {
      const Scored next = score_all(space, score, moves(space, u, space.decode(u), delta));
      Eigen::Index arg = 0;
      if (next.units.empty() || next.scores.maxCoeff(&arg) <= current) {
        delta *= 0.3;
        continue;
      }
      u = next.units[static_cast<std::size_t>(arg)];
      current = next.scores[arg];
    }
    if (current > best_score) {
      best_score = current;
      best = u;
    }
  }
  return best;
}

}  // namespace rungs

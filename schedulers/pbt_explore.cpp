#include "schedulers/pbt_explore.h"

#include <algorithm>
#include <cmath>

#include "study/seed.h"

namespace rungs::pbt {

namespace {

double unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

double snap(const ParamSpec& spec, double x) {
  x = std::clamp(x, spec.low, spec.high);
  if (spec.step > 0.0) {
    x = spec.low + std::round((x - spec.low) / spec.step) * spec.step;
    if (x > spec.high + 1e-12) x -= spec.step;
  }
  return std::clamp(x, spec.low, spec.high);
}

}  // namespace

Quantiles quantiles(std::vector<Standing> standings, double quantile, Direction direction) {
  standings.erase(std::remove_if(standings.begin(), standings.end(),
                                 [](const Standing& s) { return std::isnan(s.value); }),
                  standings.end());
  Quantiles q;
  const std::size_t n = standings.size();
  if (n < 2) return q;
  // Worst first.
  std::stable_sort(standings.begin(), standings.end(), [&](const Standing& a, const Standing& b) {
    return is_better(b.value, a.value, direction);
  });
  const std::size_t k = std::min(static_cast<std::size_t>(std::ceil(static_cast<double>(n) * quantile)), n / 2);
  for (std::size_t i = 0; i < k; ++i) q.bottom.push_back(standings[i].trial_id);
  for (std::size_t i = n - k; i < n; ++i) q.top.push_back(standings[i].trial_id);
  return q;
}

int choose_donor(const std::vector<int>& top, std::uint64_t seed) {
  if (top.empty()) return -1;
  const auto i = static_cast<std::size_t>(unit(seed) * static_cast<double>(top.size()));
  return top[std::min(i, top.size() - 1)];
}

ParamValue perturb(const ParamSpec& spec, const ParamValue& value, const std::vector<double>& factors,
                   double u, double v) {
  if (spec.kind == ParamKind::Categorical) {
    const auto& c = spec.choices;
    std::size_t i = 0;
    while (i < c.size() && !same_value(c[i], value)) ++i;
    if (c.size() < 2 || i == c.size()) return value;
    const bool up = i == 0 || (i + 1 < c.size() && v >= 0.5);
    return c[up ? i + 1 : i - 1];
  }
  const double f = factors[std::min(static_cast<std::size_t>(u * static_cast<double>(factors.size())),
                                    factors.size() - 1)];
  const double x = as_double(value);
  const double moved = (x == 0.0 && !spec.log) ? (f - 1.0) * (spec.high - spec.low) : x * f;
  if (spec.kind == ParamKind::Float) return snap(spec, moved);
  const double step = spec.step > 0.0 ? spec.step : 1.0;
  double n = snap(spec, std::round(moved));
  if (n == x && f != 1.0) n = snap(spec, x + (f > 1.0 ? step : -step));
  return static_cast<std::int64_t>(std::llround(n));
}

Params explore(const SearchSpace& space, const Params& current, const ExploreOptions& options,
               std::uint64_t seed) {
  Params out;
  std::uint64_t stream = 0;
  for (const ParamSpec& spec : space.params()) {
    const double r = unit(derive_seed(seed, stream++));
    const double u = unit(derive_seed(seed, stream++));
    const double v = unit(derive_seed(seed, stream++));
    if (!space.is_active(spec, out)) continue;
    auto it = current.find(spec.name);
    if (it == current.end() || r < options.resample_probability) {
      out[spec.name] = spec.from_unit(u);
    } else {
      out[spec.name] = perturb(spec, it->second, options.factors, u, v);
    }
  }
  return out;
}

}  // namespace rungs::pbt

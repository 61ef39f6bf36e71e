#include "samplers/tpe_observations.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace rungs {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

bool TpeScore::is_liar() const { return step_key == kInf; }

bool ranks_before(const TpeScore& a, const TpeScore& b) {
  if (a.step_key != b.step_key) return a.step_key < b.step_key;
  return a.loss < b.loss;
}

std::optional<TpeScore> tpe_score(const TrialRecord& trial, Direction direction,
                                  bool constant_liar) {
  const double sign = direction == Direction::Minimize ? 1.0 : -1.0;
  auto loss = [&] {
    const double v = trial.curve.back().value;
    return std::isnan(v) ? kInf : sign * v;
  };
  switch (trial.status) {
    case TrialStatus::Failed:
      return std::nullopt;
    case TrialStatus::Completed:
      if (trial.curve.empty()) return std::nullopt;
      return TpeScore{-kInf, loss()};
    case TrialStatus::Stopped:
    case TrialStatus::Paused:
      if (trial.curve.empty()) return TpeScore{1.0, 0.0};
      return TpeScore{-static_cast<double>(trial.curve.back().epoch), loss()};
    case TrialStatus::Running:
      if (!trial.curve.empty())
        return TpeScore{-static_cast<double>(trial.curve.back().epoch), loss()};
      if (constant_liar) return TpeScore{kInf, kInf};
      return std::nullopt;
  }
  return std::nullopt;
}

std::vector<std::size_t> split_below(const std::vector<TpeScore>& scores, std::size_t n_below) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return ranks_before(scores[a], scores[b]);
  });
  order.resize(std::min(n_below, order.size()));
  std::sort(order.begin(), order.end());
  return order;
}

}  // namespace rungs

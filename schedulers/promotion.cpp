#include "schedulers/promotion.h"

#include <algorithm>
#include <cmath>

namespace rungs {

double score_of(double value, Direction direction) {
  return direction == Direction::Maximize ? value : -value;
}

int promotion_quota(int n, int reduction_factor, bool at_least_one) {
  const int quota = n / reduction_factor;
  return at_least_one && n > 0 ? std::max(1, quota) : quota;
}

bool is_promotable(double value, const std::vector<double>& recorded, int reduction_factor,
                   Direction direction) {
  if (std::isnan(value)) return false;
  int n = 1;
  int better = 0;
  for (double v : recorded) {
    if (std::isnan(v)) continue;
    ++n;
    if (is_better(v, value, direction)) ++better;
  }
  return better < promotion_quota(n, reduction_factor, true);
}

RungCutoff::RungCutoff(int reduction_factor, bool at_least_one)
    : reduction_factor_(reduction_factor), at_least_one_(at_least_one) {}

void RungCutoff::record(double score) {
  // Every score in top_ is >= every score in rest_; keep it so, then move the boundary
  // until top_ holds exactly the quota.
  if (!top_.empty() && score > top_.top()) {
    top_.push(score);
  } else {
    rest_.push(score);
  }
  const int quota = promotion_quota(count(), reduction_factor_, at_least_one_);
  while (static_cast<int>(top_.size()) < quota && !rest_.empty()) {
    top_.push(rest_.top());
    rest_.pop();
  }
  while (static_cast<int>(top_.size()) > quota) {
    rest_.push(top_.top());
    top_.pop();
  }
}

}  // namespace rungs

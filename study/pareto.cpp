#include "study/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace rungs {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The 2-D hypervolume: sorted by the first axis, each point adds the strip up to the
/// lowest second coordinate so far.
double hypervolume_2d(std::vector<Point>& points, const Point& reference) {
  std::sort(points.begin(), points.end());
  double volume = 0.0, lowest = reference[1];
  for (const Point& p : points) {
    if (p[1] >= lowest) continue;
    volume += (reference[0] - p[0]) * (lowest - p[1]);
    lowest = p[1];
  }
  return volume;
}

double hypervolume_sliced(std::vector<Point> points, const Point& reference) {
  const std::size_t d = reference.size();
  if (points.empty()) return 0.0;
  if (d == 1) {
    double best = reference[0];
    for (const Point& p : points) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  if (d == 2) return hypervolume_2d(points, reference);
  // Along the last axis: between consecutive values, the slab's area is the (d-1)-volume of
  // the points at or below it.
  std::sort(points.begin(), points.end(), [d](const Point& a, const Point& b) { return a[d - 1] < b[d - 1]; });
  const Point lower(reference.begin(), reference.end() - 1);
  std::vector<Point> below;
  double volume = 0.0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    below.emplace_back(points[i].begin(), points[i].end() - 1);
    const double top = i + 1 < points.size() ? points[i + 1][d - 1] : reference[d - 1];
    const double depth = top - points[i][d - 1];
    if (depth > 0) volume += depth * hypervolume_sliced(below, lower);
  }
  return volume;
}

}  // namespace

std::optional<Point> objective_point(const TrialRecord& trial, const std::vector<Objective>& objectives) {
  if (trial.curve.empty()) return std::nullopt;
  return objective_point(trial.curve.back(), objectives);
}

std::optional<Point> objective_point(const EpochResult& last, const std::vector<Objective>& objectives) {
  Point point;
  for (const Objective& objective : objectives) {
    const std::optional<double> value = last.metric(objective.metric);
    if (!value || std::isnan(*value)) return std::nullopt;
    point.push_back(objective.direction == Direction::Minimize ? *value : -*value);
  }
  return point;
}

double constraint_violation(const TrialRecord& trial, const std::vector<Constraint>& constraints) {
  if (constraints.empty()) return 0.0;
  if (trial.curve.empty()) return kInf;
  double violation = 0.0;
  for (const Constraint& c : constraints) {
    const std::optional<double> value = trial.curve.back().metric(c.metric);
    if (!value || std::isnan(*value)) return kInf;
    if (c.max && *value > *c.max) violation += *value - *c.max;
    if (c.min && *value < *c.min) violation += *c.min - *value;
  }
  return violation;
}

std::vector<int> pareto_front(const std::vector<TrialRecord>& trials, const MultiObjective& multi) {
  std::vector<const TrialRecord*> pointers;
  for (const TrialRecord& t : trials) pointers.push_back(&t);
  return pareto_front(pointers, multi);
}

std::vector<int> pareto_front(const std::vector<const TrialRecord*>& trials, const MultiObjective& multi) {
  if (multi.objectives.empty()) return {};
  std::vector<int> ids;
  std::vector<Point> points;
  for (const TrialRecord* trial : trials) {
    const TrialRecord& t = *trial;
    if (t.status == TrialStatus::Failed || constraint_violation(t, multi.constraints) > 0) continue;
    auto point = objective_point(t, multi.objectives);
    if (!point) continue;
    ids.push_back(t.id);
    points.push_back(std::move(*point));
  }
  const std::vector<int> ranks = pareto_ranks(points);
  std::vector<int> front;
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (ranks[k] == 0) front.push_back(ids[k]);
  }
  return front;
}

bool dominates(const Point& a, const Point& b) {
  bool better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    better = better || a[i] < b[i];
  }
  return better;
}

bool constrained_dominates(const Point& a, double a_violation, const Point& b, double b_violation) {
  const bool a_feasible = a_violation <= 0, b_feasible = b_violation <= 0;
  if (a_feasible != b_feasible) return a_feasible;
  if (!a_feasible) return a_violation < b_violation;
  return dominates(a, b);
}

std::vector<int> pareto_ranks(const std::vector<Point>& points, const std::vector<double>& violations) {
  const std::size_t n = points.size();
  const auto beats = [&](std::size_t a, std::size_t b) {
    return violations.empty() ? dominates(points[a], points[b])
                              : constrained_dominates(points[a], violations[a], points[b], violations[b]);
  };
  std::vector<std::vector<std::size_t>> beaten(n);  // whom each point dominates
  std::vector<int> beaten_by(n, 0);                 // how many dominate it
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      if (beats(a, b)) {
        beaten[a].push_back(b);
        ++beaten_by[b];
      } else if (beats(b, a)) {
        beaten[b].push_back(a);
        ++beaten_by[a];
      }
    }
  }
  std::vector<int> rank(n, 0);
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < n; ++i) {
    if (beaten_by[i] == 0) front.push_back(i);
  }
  for (int r = 0; !front.empty(); ++r) {
    std::vector<std::size_t> next;
    for (const std::size_t a : front) {
      rank[a] = r;
      for (const std::size_t b : beaten[a]) {
        if (--beaten_by[b] == 0) next.push_back(b);
      }
    }
    front = std::move(next);
  }
  return rank;
}

std::vector<double> crowding_distances(const std::vector<Point>& points,
                                       const std::vector<std::size_t>& members) {
  const std::size_t n = members.size();
  std::vector<double> distance(n, 0.0);
  if (n == 0) return distance;
  const std::size_t d = points[members[0]].size();
  std::vector<std::size_t> order(n);
  for (std::size_t axis = 0; axis < d; ++axis) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return points[members[a]][axis] < points[members[b]][axis];
    });
    const double low = points[members[order.front()]][axis];
    const double extent = points[members[order.back()]][axis] - low;
    distance[order.front()] = distance[order.back()] = kInf;
    if (extent <= 0) continue;
    for (std::size_t k = 1; k + 1 < n; ++k) {
      distance[order[k]] += (points[members[order[k + 1]]][axis] - points[members[order[k - 1]]][axis]) / extent;
    }
  }
  return distance;
}

ParetoStanding pareto_standing(const std::vector<Point>& points) {
  ParetoStanding s{pareto_ranks(points), std::vector<double>(points.size(), 0.0)};
  const int fronts = points.empty() ? 0 : *std::max_element(s.rank.begin(), s.rank.end()) + 1;
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(fronts));
  for (std::size_t i = 0; i < points.size(); ++i) members[static_cast<std::size_t>(s.rank[i])].push_back(i);
  for (const auto& front : members) {
    const std::vector<double> d = crowding_distances(points, front);
    for (std::size_t k = 0; k < front.size(); ++k) s.crowding[front[k]] = d[k];
  }
  return s;
}

std::vector<std::size_t> pareto_order(const std::vector<Point>& points) {
  const ParetoStanding standing = pareto_standing(points);
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return standing.before(a, b); });
  return order;
}

double hypervolume(std::vector<Point> points, const Point& reference) {
  // Only what lies strictly below the reference on every axis counts.
  points.erase(std::remove_if(points.begin(), points.end(),
                              [&](const Point& p) {
                                for (std::size_t i = 0; i < reference.size(); ++i) {
                                  if (!(p[i] < reference[i])) return true;
                                }
                                return false;
                              }),
               points.end());
  return hypervolume_sliced(std::move(points), reference);
}

}  // namespace rungs

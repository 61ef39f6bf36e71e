#pragma once
/// Several objectives at once: what a trial scored on each, which trials no other beats
/// (the Pareto front), how crowded a front is, and how much of the objective space it
/// covers (the hypervolume). Pure functions; no MPI, files or LibTorch.
///
/// Points are loss vectors: every objective turned into one to minimise (a maximised
/// metric enters negated), so that "better" is "smaller" on every axis.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "study/trial.h"

namespace rungs {

/// One objective of a multi-objective study: a metric the trials report and its direction.
struct Objective {
  std::string metric;
  Direction direction = Direction::Minimize;
};

/// A bound on a metric (constraints:): a trial whose metric exceeds `max` or falls below
/// `min` is infeasible; it is kept and marked, never on the front.
struct Constraint {
  std::string metric;
  std::optional<double> max;
  std::optional<double> min;
};

/// What a multi-objective sampler or scheduler optimises: the objectives (the first is the
/// study's objective.metric) and the constraints.
struct MultiObjective {
  std::vector<Objective> objectives;
  std::vector<Constraint> constraints;
};

using Point = std::vector<double>;

/// The trial's loss vector from its last epoch: each objective's metric, negated where it is
/// maximised. nullopt when the trial has no epoch, or its last one lacks one of the metrics
/// or has a NaN there (a diverged trial is not a point).
std::optional<Point> objective_point(const TrialRecord& trial, const std::vector<Objective>& objectives);
/// The same for one epoch's results.
std::optional<Point> objective_point(const EpochResult& epoch, const std::vector<Objective>& objectives);

/// Each point's non-dominated rank and its crowding distance within that rank's front.
struct ParetoStanding {
  std::vector<int> rank;
  std::vector<double> crowding;
  /// Whether point a stands strictly before point b: a lower rank, or the same rank and a
  /// larger crowding distance.
  bool before(std::size_t a, std::size_t b) const {
    return rank[a] != rank[b] ? rank[a] < rank[b] : crowding[a] > crowding[b];
  }
};
ParetoStanding pareto_standing(const std::vector<Point>& points);

/// The order in which successive halving ranks `points` (one rung's results): by
/// non-dominated rank, within a rank by crowding distance (the larger first), then by
/// index. Indices into `points`, best first (MO-ASHA's rule, Schmucker et al. 2021).
std::vector<std::size_t> pareto_order(const std::vector<Point>& points);

/// By how much the trial's last epoch breaks `constraints`: the sum over them of the
/// distance past each bound; 0 when feasible. A metric the epoch did not report counts as
/// broken by infinity (unknown is not feasible).
double constraint_violation(const TrialRecord& trial, const std::vector<Constraint>& constraints);

/// Ids of the trials on the Pareto front of `multi`, in id order: trials that are not
/// failed, have every objective in their last epoch, meet every constraint, and that no
/// other such trial dominates. Empty without objectives.
std::vector<int> pareto_front(const std::vector<const TrialRecord*>& trials, const MultiObjective& multi);
std::vector<int> pareto_front(const std::vector<TrialRecord>& trials, const MultiObjective& multi);

/// Whether `a` dominates `b`: no worse on any axis, better on one. Equal sizes.
bool dominates(const Point& a, const Point& b);

/// Whether `a` dominates `b` under constraints (Deb's rule, as Optuna does): a feasible point
/// beats an infeasible one, of two infeasible ones the smaller violation wins, and two feasible
/// ones compare by dominates().
bool constrained_dominates(const Point& a, double a_violation, const Point& b, double b_violation);

/// The non-dominated rank of every point (0: the front; 1: the front once rank 0 is
/// removed; ...), by Deb's fast non-dominated sort. `violations`, when given (one per
/// point), makes it constrained_dominates().
std::vector<int> pareto_ranks(const std::vector<Point>& points,
                              const std::vector<double>& violations = {});

/// The crowding distance of each of `members` (indices into `points`, one front): the sum over
/// the axes of the gap between its two neighbours on that axis, scaled by the front's
/// extent; the extreme points of each axis get infinity. In the order of `members`.
std::vector<double> crowding_distances(const std::vector<Point>& points,
                                       const std::vector<std::size_t>& members);

/// The volume dominated by `points` and bounded by `reference` (every point counted only
/// where it is below the reference on every axis): exact, by slicing along the last axis
/// (fast for 2 and 3 objectives and fronts of hundreds of points).
double hypervolume(std::vector<Point> points, const Point& reference);

}  // namespace rungs

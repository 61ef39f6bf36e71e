#pragma once
/// A synthetic multi-fidelity objective for the scheduling simulator: every configuration of
/// a study's search space gets a learning curve from a parametric family and a cost per
/// epoch, both deterministic functions of its parameters, so thousands of workers and 10^5
/// trials can be simulated in seconds, identically on every run.
///
/// The curve of a configuration is value(e) = a - b * e^(-c) + noise after e epochs
/// (accuracy-like, in [0, 1]; 1 minus that when the study minimizes):
/// - a, the asymptote, falls with the weighted squared distance d of the parameters (in the
///   unit coordinates of ParamSpec::to_unit) from an optimum drawn per parameter from the
///   objective's seed: a = clamp(0.95 - 2 d, 0.05, 0.95);
/// - b in [0.2, 0.7] and c in [0.3, 1.5], how far below a it starts and how fast it gets
///   there, vary smoothly with the parameters independently of a, so curves cross: a
///   configuration that starts well is not always the one that ends best;
/// - the noise is Gaussian with standard deviation `noise`, drawn from the trial's seed and
///   the epoch (the same trial gives the same curve under every scheduler);
/// - the cost of an epoch is epoch_cost * (1 + cost_spread * (g - 0.5)), g in [0, 1] another
///   smooth function of the parameters (bigger models are slower);
/// - a fraction `failure_rate` of the trials fail at an epoch drawn from their seed.
///
/// The drifting family (`objective: {model: synthetic, curve: drifting}`) has a state, the
/// progress p in [0, 1) of a trial (value 0.95 p + noise): each epoch e trained with
/// parameters x adds gain(x, e) * (1 - p), gain = min(0.5, 5 / E) * exp(-d_e / 0.03), with
/// d_e the weighted squared distance of x from an optimum that moves in a straight line
/// from one point (drawn per parameter from the seed) at epoch 1 to another at epoch E =
/// budget.epochs. A fixed configuration is near the optimum for part of the training only;
/// one whose parameters follow it (a schedule, PBT) gains every epoch.
#include <cstdint>
#include <vector>

#include "study/config.h"
#include "study/param.h"
#include "study/search_space.h"
#include "study/trial.h"

namespace rungs::sim {

struct ObjectiveSettings {
  std::uint64_t seed = 0;     ///< the landscape (trials' noise comes from their own seeds)
  double noise = 0.01;        ///< standard deviation of an epoch's noise
  double epoch_cost = 1.0;    ///< mean virtual seconds per epoch
  double cost_spread = 1.0;   ///< 0: every configuration costs epoch_cost per epoch
  double failure_rate = 0.0;  ///< share of trials that fail
  bool drifting = false;      ///< the drifting family (above), not the power-law curves
};

/// The objective of `config`: the landscape from the study's seed and, for objective
/// {model: synthetic}, its noise, epoch time, cost spread and failure rate (what a real
/// synthetic study runs: synthetic/synthetic_runner.h); the defaults otherwise.
ObjectiveSettings objective_settings(const StudyConfig& config);

/// One configuration's learning curve and cost.
struct Curve {
  double a = 0.0;           ///< asymptote
  double b = 0.0;           ///< gap below a after one epoch
  double c = 1.0;           ///< convergence rate
  double epoch_cost = 1.0;  ///< virtual seconds per epoch
  int fail_epoch = 0;       ///< the epoch at which the trial fails; 0: never
  /// Noise-free accuracy-like value after `epoch` epochs.
  double accuracy(int epoch) const;
};

class SyntheticObjective {
 public:
  SyntheticObjective(const SearchSpace& space, Direction direction, int max_epochs,
                     ObjectiveSettings settings);

  Curve curve(const Params& params, std::uint64_t trial_seed) const;
  /// What the trial reports after `epoch` epochs, in the study's direction.
  double observed(const Curve& curve, int epoch, std::uint64_t trial_seed) const;
  /// The noise-free value after `epochs` epochs, in the study's direction.
  double truth(const Curve& curve, int epochs) const;

  /// Drifting family: the progress after training epoch `epoch` with `params` from `progress`.
  double advance(double progress, const Params& params, int epoch) const;
  /// Drifting family: what a trial of progress `progress` reports after `epoch` epochs, and
  /// its noise-free value, in the study's direction.
  double observed_progress(double progress, int epoch, std::uint64_t trial_seed) const;
  double truth_progress(double progress) const;

  const ObjectiveSettings& settings() const { return settings_; }
  Direction direction() const { return direction_; }

 private:
  struct Axis {
    double optimum;  ///< unit coordinate of the best value
    double weight;
    double k[3];     ///< coefficients of the smooth functions behind b, c and the cost
    double drift_start, drift_end;  ///< drifting family: the optimum at epoch 1 and at E
  };
  double noise(int epoch, std::uint64_t trial_seed) const;
  double oriented(double accuracy) const;
  double smooth(int which, const std::vector<double>& units, const std::vector<const Axis*>& axes) const;

  SearchSpace space_;
  Direction direction_;
  int max_epochs_;
  ObjectiveSettings settings_;
  std::vector<Axis> axes_;  ///< one per parameter of the space, in order
  double phase_[3];
};

}  // namespace rungs::sim

#pragma once
/// objective: {model: synthetic, ...}: a trial that trains nothing. Each epoch it sleeps
/// (or busy-spins) for its epoch time, then reports the simulator's synthetic learning curve
/// for its configuration (schedulers/sim/objective.h), so that a study measures rungs itself:
/// benchmarks and cluster smoke tests. synthetic/synthetic_runner.h runs it.
namespace rungs {

namespace yaml_fields {
struct Field;
}

struct SyntheticConfig {
  enum class Mode { Sleep, Spin };
  double epoch_seconds = 1.0;  ///< wall seconds of one epoch (times the configuration's cost factor)
  Mode mode = Mode::Sleep;     ///< sleep: the rank yields its core; spin: it keeps it busy
  double noise = 0.01;         ///< standard deviation of an epoch's noise
  double cost_spread = 0.0;    ///< 0: every configuration's epoch takes epoch_seconds
  double failure_rate = 0.0;   ///< share of the trials that fail (at an epoch drawn from their seed)
  /// power: the curves of schedulers/sim/objective.h; drifting: the best parameters move
  /// during training, so a schedule beats every fixed configuration (`rungs simulate` only).
  bool drifting = false;
};

/// Reads the synthetic objective's own fields of `objective` (a map whose model is
/// synthetic); metric and direction are read with the other objectives'. Unknown keys and
/// bad values are a ConfigError naming the file, the field and the value.
SyntheticConfig parse_synthetic_objective(const yaml_fields::Field& objective);

}  // namespace rungs

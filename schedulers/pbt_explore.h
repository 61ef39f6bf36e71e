#pragma once
/// The maths of Population Based Training (Jaderberg et al., "Population Based Training of
/// Neural Networks", 2017; asynchronous as in Ray Tune's PBT), as pure functions: which
/// trials are in the bottom and top quantiles, which donor a trial exploits, and how its
/// parameters are explored. Every random choice comes from a seed the caller passes, so a
/// decision is a function of its inputs alone (schedulers/pbt.h derives the seed from the
/// study seed, the trial and the epoch).
#include <cstdint>
#include <vector>

#include "study/param.h"
#include "study/search_space.h"
#include "study/trial.h"

namespace rungs::pbt {

/// One trial's latest result.
struct Standing {
  int trial_id = -1;
  double value = 0.0;
};

/// The trials in the bottom and the top quantile, each worst first.
struct Quantiles {
  std::vector<int> bottom;
  std::vector<int> top;
};

/// Ranks `standings` (NaN values are left out) and takes k = ceil(n * quantile) trials at
/// each end, at most floor(n / 2), so that no trial is in both; ties keep the order given.
/// Fewer than two ranked trials: both are empty.
Quantiles quantiles(std::vector<Standing> standings, double quantile, Direction direction);

/// The donor chosen uniformly from `top` by `seed`; -1 when `top` is empty.
int choose_donor(const std::vector<int>& top, std::uint64_t seed);

/// How parameters are explored.
struct ExploreOptions {
  double resample_probability = 0.25;    ///< chance a parameter is drawn anew from its domain
  std::vector<double> factors{0.8, 1.2};  ///< one is drawn for each perturbed number
};

/// A perturbed value of `spec` (`u` and `v` uniform in [0, 1) choose the factor and, for a
/// categorical, the direction): a number times a factor (for a linear one at 0: plus
/// (factor - 1) times its range), clamped to its bounds and snapped to its step; an int
/// rounded, and moved one step in the factor's direction when rounding left it unchanged; a
/// categorical becomes a neighbouring choice in the listed order (the only one at an end).
ParamValue perturb(const ParamSpec& spec, const ParamValue& value, const std::vector<double>& factors,
                   double u, double v);

/// New parameters from `current`, in the space's order: each active searched parameter is
/// resampled with probability resample_probability, else perturbed; a parameter that a
/// changed parent makes active is sampled, one it makes inactive is dropped. The result is
/// valid in `space` (SearchSpace::is_valid).
Params explore(const SearchSpace& space, const Params& current, const ExploreOptions& options,
               std::uint64_t seed);

}  // namespace rungs::pbt

#pragma once
/// How a parameter looks to a Parzen estimator: Optuna's "internal" representation. Values
/// become doubles (log(value) for log parameters, the choice's index for categorical ones)
/// and numeric parameters get the kernel bounds Optuna uses (its "parzen bounds"): half a
/// step beyond the first and last value of stepped parameters, half a unit beyond a log
/// integer's range. Pure functions.
#include <cstddef>
#include <random>

#include "study/param.h"
#include "study/search_space.h"

namespace rungs {

struct ParzenDomain {
  bool categorical = false;
  std::size_t n_choices = 0;  ///< categorical: number of choices
  double low = 0.0;           ///< numeric: kernels are truncated to [low, high]
  double high = 0.0;
  double step = 0.0;   ///< numeric, not log: q > 0 means a kernel gives cell masses
  double first = 0.0;  ///< numeric: first and last value, as values (not logged)
  double last = 0.0;
  bool log = false;
  bool integer = false;
};

/// True when the parameter can take only one value: samplers set it without asking.
bool is_single_valued(const ParamSpec& spec);
/// The domain of a parameter that is not single-valued.
ParzenDomain parzen_domain(const ParamSpec& spec);
/// A valid value of `spec` as an internal double.
double to_internal(const ParamSpec& spec, const ParamValue& value);
/// The value for an internal double (one that round_internal returned).
ParamValue from_internal(const ParamSpec& spec, double x);
/// Optuna's rounding of a kernel sample to the internal value of a valid parameter value:
/// stepped and integer values snap to the grid, everything is clipped to the range.
double round_internal(const ParzenDomain& domain, double x);

/// The random engine of the samplers and the uniform draw in [0, 1) they all use (53 bits,
/// the same on every platform).
using Rng = std::mt19937_64;
inline double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace rungs

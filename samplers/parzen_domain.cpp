#include "samplers/parzen_domain.h"

#include <algorithm>
#include <cmath>

namespace rungs {

bool is_single_valued(const ParamSpec& spec) {
  if (spec.kind == ParamKind::Categorical) return spec.choices.size() == 1;
  return spec.high <= spec.low || spec.cardinality() == 1;
}

ParzenDomain parzen_domain(const ParamSpec& spec) {
  ParzenDomain d;
  if (spec.kind == ParamKind::Categorical) {
    d.categorical = true;
    d.n_choices = spec.choices.size();
    return d;
  }
  d.integer = spec.kind == ParamKind::Int;
  d.log = spec.log;
  d.first = spec.low;
  // The last value on the step grid (Optuna moves `high` onto the grid the same way).
  const std::size_t n = spec.cardinality();
  d.last = n > 0 && !spec.log ? spec.low + static_cast<double>(n - 1) * spec.step : spec.high;
  if (spec.log) {
    d.low = d.integer ? std::log(spec.low - 0.5) : std::log(spec.low);
    d.high = d.integer ? std::log(spec.high + 0.5) : std::log(spec.high);
  } else if (n > 0) {
    d.step = spec.step;
    d.low = d.first - 0.5 * d.step;
    d.high = d.last + 0.5 * d.step;
  } else {
    d.low = spec.low;
    d.high = spec.high;
  }
  return d;
}

double to_internal(const ParamSpec& spec, const ParamValue& value) {
  if (spec.kind == ParamKind::Categorical) {
    const auto it = std::find(spec.choices.begin(), spec.choices.end(), value);
    return static_cast<double>(it - spec.choices.begin());
  }
  const double v = as_double(value);
  return spec.log ? std::log(v) : v;
}

ParamValue from_internal(const ParamSpec& spec, double x) {
  if (spec.kind == ParamKind::Categorical) {
    const auto k = static_cast<std::size_t>(std::llround(x));
    return spec.choices[std::min(k, spec.choices.size() - 1)];
  }
  double v = spec.log ? std::exp(x) : x;
  const std::size_t n = spec.cardinality();
  if (n > 0 && !spec.log) {
    // Recompute from the grid index so the value is exactly low + k * step.
    const double k =
        std::clamp(std::round((v - spec.low) / spec.step), 0.0, static_cast<double>(n - 1));
    v = spec.low + k * spec.step;
  }
  v = std::clamp(v, spec.low, spec.high);
  if (spec.kind == ParamKind::Int) return static_cast<std::int64_t>(std::llround(v));
  return v;
}

double round_internal(const ParzenDomain& d, double x) {
  if (d.categorical) return x;
  if (d.log) {
    if (!d.integer) return std::clamp(x, std::log(d.first), std::log(d.last));
    return std::log(std::clamp(std::round(std::exp(x)), d.first, d.last));
  }
  if (d.step > 0) {
    const double v = std::round((x - d.first) / d.step) * d.step + d.first;
    return std::clamp(v, d.first, d.last);
  }
  return std::clamp(x, d.first, d.last);
}

}  // namespace rungs

#include "study/synthetic_config.h"

#include "study/yaml_fields.h"

namespace rungs {

namespace {

using yaml_fields::Field;

/// A number >= 0 (and <= `most`), or `fallback` when absent.
double non_negative(const Field& f, double fallback, double most, const char* wanted) {
  if (!f.present()) return fallback;
  const double v = f.as_double();
  if (!(v >= 0.0) || v > most) f.fail(wanted);
  return v;
}

}  // namespace

SyntheticConfig parse_synthetic_objective(const Field& f) {
  f.only_keys({"model", "epoch_seconds", "mode", "noise", "cost_spread", "failure_rate", "metric",
               "direction", "curve"});
  SyntheticConfig s;
  s.epoch_seconds = non_negative(f.child("epoch_seconds"), s.epoch_seconds, 1e6, "must be seconds >= 0");
  const Field mode = f.child("mode");
  if (mode.present()) {
    const std::string m = mode.as_string();
    if (m == "sleep") s.mode = SyntheticConfig::Mode::Sleep;
    else if (m == "spin") s.mode = SyntheticConfig::Mode::Spin;
    else mode.fail("must be sleep or spin");
  }
  s.noise = non_negative(f.child("noise"), s.noise, 1e6, "must be >= 0");
  s.cost_spread = non_negative(f.child("cost_spread"), s.cost_spread, 1e6, "must be >= 0");
  s.failure_rate = non_negative(f.child("failure_rate"), s.failure_rate, 1.0, "must be in [0, 1]");
  const Field curve = f.child("curve");
  if (curve.present()) {
    const std::string c = curve.as_string();
    if (c != "power" && c != "drifting") curve.fail("must be power or drifting");
    s.drifting = c == "drifting";
  }
  return s;
}

}  // namespace rungs

#include "schedulers/sim/objective.h"

#include <algorithm>
#include <cmath>

#include "study/seed.h"

namespace rungs::sim {

namespace {

constexpr double kPi = 3.14159265358979323846;

/// A uniform double in [0, 1) from a 64-bit seed.
double unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

std::uint64_t hash_name(const std::string& name) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

}  // namespace

ObjectiveSettings objective_settings(const StudyConfig& config) {
  ObjectiveSettings s;
  s.seed = config.seed;
  if (!config.objective.is_synthetic()) return s;
  s.noise = config.objective.synthetic.noise;
  s.epoch_cost = config.objective.synthetic.epoch_seconds;
  s.cost_spread = config.objective.synthetic.cost_spread;
  s.failure_rate = config.objective.synthetic.failure_rate;
  s.drifting = config.objective.synthetic.drifting;
  return s;
}

double Curve::accuracy(int epoch) const {
  return a - b * std::pow(static_cast<double>(epoch), -c);
}

SyntheticObjective::SyntheticObjective(const SearchSpace& space, Direction direction,
                                       int max_epochs, ObjectiveSettings settings)
    : space_(space), direction_(direction), max_epochs_(max_epochs), settings_(settings) {
  for (const auto& spec : space_.params()) {
    const std::uint64_t s = derive_seed(settings_.seed, hash_name(spec.name));
    Axis axis{};
    axis.optimum = 0.15 + 0.7 * unit(derive_seed(s, 0));
    axis.weight = 0.5 + unit(derive_seed(s, 1));
    for (int j = 0; j < 3; ++j) axis.k[j] = -1.5 + 3.0 * unit(derive_seed(s, 2 + j));
    // From one side of the domain to the other: [0.7, 0.9] to [0.1, 0.3], or the reverse.
    axis.drift_start = 0.7 + 0.2 * unit(derive_seed(s, 5));
    axis.drift_end = 0.1 + 0.2 * unit(derive_seed(s, 6));
    if (unit(derive_seed(s, 7)) < 0.5) std::swap(axis.drift_start, axis.drift_end);
    axes_.push_back(axis);
  }
  for (int j = 0; j < 3; ++j) phase_[j] = unit(derive_seed(settings_.seed, 100 + j));
}

double SyntheticObjective::smooth(int which, const std::vector<double>& units,
                                  const std::vector<const Axis*>& axes) const {
  double x = phase_[which];
  for (std::size_t i = 0; i < units.size(); ++i) x += axes[i]->k[which] * units[i];
  return (1.0 - std::cos(2.0 * kPi * x)) / 2.0;  // in [0, 1], smooth in every coordinate
}

Curve SyntheticObjective::curve(const Params& params, std::uint64_t trial_seed) const {
  std::vector<double> units;
  std::vector<const Axis*> axes;
  double distance = 0.0, weights = 0.0;
  for (std::size_t i = 0; i < space_.params().size(); ++i) {
    const ParamSpec& spec = space_.params()[i];
    auto it = params.find(spec.name);
    if (it == params.end()) continue;  // inactive conditional parameter
    const double u = spec.to_unit(it->second);
    const Axis& axis = axes_[i];
    distance += axis.weight * (u - axis.optimum) * (u - axis.optimum);
    weights += axis.weight;
    units.push_back(u);
    axes.push_back(&axis);
  }
  const double d = weights > 0.0 ? distance / weights : 0.0;

  Curve c;
  c.a = std::clamp(0.95 - 2.0 * d, 0.05, 0.95);
  c.b = 0.2 + 0.5 * smooth(0, units, axes);
  c.c = 0.3 + 1.2 * smooth(1, units, axes);
  c.epoch_cost = settings_.epoch_cost * (1.0 + settings_.cost_spread * (smooth(2, units, axes) - 0.5));
  if (settings_.failure_rate > 0.0 && unit(derive_seed(trial_seed, 0xFA11ULL)) < settings_.failure_rate) {
    c.fail_epoch = 1 + static_cast<int>(unit(derive_seed(trial_seed, 0xFA12ULL)) * max_epochs_);
  }
  return c;
}

double SyntheticObjective::noise(int epoch, std::uint64_t trial_seed) const {
  // Box-Muller from two draws of the (trial, epoch) stream.
  const std::uint64_t s = derive_seed(trial_seed, static_cast<std::uint64_t>(epoch));
  const double u1 = std::max(unit(derive_seed(s, 1)), 1e-300);
  const double u2 = unit(derive_seed(s, 2));
  return settings_.noise * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

double SyntheticObjective::oriented(double accuracy) const {
  return direction_ == Direction::Maximize ? accuracy : 1.0 - accuracy;
}

double SyntheticObjective::observed(const Curve& curve, int epoch, std::uint64_t trial_seed) const {
  return oriented(curve.accuracy(epoch) + noise(epoch, trial_seed));
}

double SyntheticObjective::truth(const Curve& curve, int epochs) const {
  return oriented(curve.accuracy(epochs));
}

double SyntheticObjective::advance(double progress, const Params& params, int epoch) const {
  const double along = max_epochs_ > 1 ? static_cast<double>(epoch - 1) / (max_epochs_ - 1) : 0.0;
  double distance = 0.0, weights = 0.0;
  for (std::size_t i = 0; i < space_.params().size(); ++i) {
    const ParamSpec& spec = space_.params()[i];
    auto it = params.find(spec.name);
    if (it == params.end()) continue;
    const Axis& axis = axes_[i];
    const double optimum = axis.drift_start + (axis.drift_end - axis.drift_start) * along;
    const double u = spec.to_unit(it->second);
    distance += axis.weight * (u - optimum) * (u - optimum);
    weights += axis.weight;
  }
  const double d = weights > 0.0 ? distance / weights : 0.0;
  const double gain = std::min(0.5, 5.0 / std::max(max_epochs_, 1)) * std::exp(-d / 0.03);
  return progress + gain * (1.0 - progress);
}

double SyntheticObjective::observed_progress(double progress, int epoch, std::uint64_t trial_seed) const {
  return oriented(0.95 * progress + noise(epoch, trial_seed));
}

double SyntheticObjective::truth_progress(double progress) const { return oriented(0.95 * progress); }

}  // namespace rungs::sim

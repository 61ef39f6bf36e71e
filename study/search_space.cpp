#include "study/search_space.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace rungs {

const char* to_string(ParamKind kind) {
  switch (kind) {
    case ParamKind::Float: return "float";
    case ParamKind::Int: return "int";
    case ParamKind::Categorical: return "categorical";
  }
  return "unknown";
}

std::size_t ParamSpec::cardinality() const {
  switch (kind) {
    case ParamKind::Categorical: return choices.size();
    case ParamKind::Int:
    case ParamKind::Float:
      if (step <= 0.0) return 0;
      return static_cast<std::size_t>(std::floor((high - low) / step + 1e-9)) + 1;
  }
  return 0;
}

ParamValue ParamSpec::from_unit(double u) const {
  u = std::clamp(u, 0.0, 1.0);
  const std::size_t n = cardinality();
  if (kind == ParamKind::Categorical) {
    return choices[std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)))];
  }
  if (log) {
    // Log-uniform over [low, high]; integers (step 1, enforced by the parser) are rounded
    // over [low - 0.5, high + 0.5] so every integer gets its share of the log range.
    const double lo = kind == ParamKind::Int ? std::log(low - 0.5 > 0 ? low - 0.5 : low) : std::log(low);
    const double hi = kind == ParamKind::Int ? std::log(high + 0.5) : std::log(high);
    const double x = std::exp(lo + u * (hi - lo));
    if (kind == ParamKind::Int) {
      return static_cast<std::int64_t>(std::clamp(std::round(x), low, high));
    }
    return std::clamp(x, low, high);
  }
  if (n == 0) return low + u * (high - low);
  const double k = std::min(static_cast<double>(n - 1), std::floor(u * static_cast<double>(n)));
  const double v = low + k * step;
  if (kind == ParamKind::Int) return static_cast<std::int64_t>(std::llround(v));
  return std::min(v, high);
}

double ParamSpec::to_unit(const ParamValue& value) const {
  const std::size_t n = cardinality();
  if (kind == ParamKind::Categorical) {
    auto it = std::find(choices.begin(), choices.end(), value);
    const auto k = static_cast<double>(it - choices.begin());
    return (k + 0.5) / static_cast<double>(n);
  }
  const double v = as_double(value);
  if (log) {
    const double lo = kind == ParamKind::Int ? std::log(low - 0.5 > 0 ? low - 0.5 : low) : std::log(low);
    const double hi = kind == ParamKind::Int ? std::log(high + 0.5) : std::log(high);
    return std::clamp((std::log(v) - lo) / (hi - lo), 0.0, 1.0);
  }
  if (n == 0) return high > low ? (v - low) / (high - low) : 0.5;
  const double k = std::round((v - low) / step);
  return (k + 0.5) / static_cast<double>(n);
}

bool ParamSpec::contains(const ParamValue& value) const {
  switch (kind) {
    case ParamKind::Categorical:
      return std::find(choices.begin(), choices.end(), value) != choices.end();
    case ParamKind::Int: {
      auto* i = std::get_if<std::int64_t>(&value);
      if (!i || *i < low || *i > high) return false;
      if (log || step <= 0) return true;
      const double k = (static_cast<double>(*i) - low) / step;
      return std::abs(k - std::round(k)) < 1e-9;
    }
    case ParamKind::Float: {
      auto* d = std::get_if<double>(&value);
      if (!d || !std::isfinite(*d) || *d < low || *d > high) return false;
      if (step <= 0) return true;
      const double k = (*d - low) / step;
      return std::abs(k - std::round(k)) < 1e-6;
    }
  }
  return false;
}

std::string ParamSpec::describe() const {
  if (kind == ParamKind::Categorical) {
    std::string text = "one of [";
    for (std::size_t i = 0; i < choices.size(); ++i) {
      text += (i ? ", " : "") + to_string(choices[i]);
    }
    return text + "]";
  }
  const bool integer = kind == ParamKind::Int;
  auto bound = [integer](double v) {
    return integer ? std::to_string(static_cast<std::int64_t>(v)) : to_string(ParamValue(v));
  };
  std::string text = std::string(to_string(kind)) + " in [" + bound(low) + ", " + bound(high) + "]";
  if (log) text += ", log";
  if (step > 0 && !(integer && step == 1)) text += ", step " + to_string(ParamValue(step));
  return text;
}

SearchSpace::SearchSpace(std::vector<ParamSpec> params) : params_(std::move(params)) {}

const ParamSpec* SearchSpace::find(const std::string& name) const {
  for (const auto& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool SearchSpace::is_active(const ParamSpec& spec, const Params& chosen) const {
  if (!spec.when) return true;
  auto it = chosen.find(spec.when->parent);
  if (it == chosen.end()) return false;  // parent absent: inactive itself, or not chosen yet
  const auto& allowed = spec.when->values;
  return std::find(allowed.begin(), allowed.end(), it->second) != allowed.end();
}

bool SearchSpace::is_valid(const Params& params) const {
  std::size_t active = 0;
  for (const auto& spec : params_) {
    auto it = params.find(spec.name);
    if (is_active(spec, params)) {
      if (it == params.end() || !spec.contains(it->second)) return false;
      ++active;
    } else if (it != params.end()) {
      return false;
    }
  }
  return active == params.size();
}

}  // namespace rungs

#include "study/options.h"

#include <cmath>

#include "study/errors.h"

namespace rungs {

AlgorithmOptions::AlgorithmOptions(std::string name, std::map<std::string, ParamValue> values,
                                   std::string where)
    : name_(std::move(name)), values_(std::move(values)), where_(std::move(where)) {}

const ParamValue* AlgorithmOptions::lookup(const std::string& key) const {
  read_.insert(key);
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

void AlgorithmOptions::fail(const std::string& key, const std::string& message) const {
  auto it = values_.find(key);
  const std::string value = it == values_.end() ? "" : to_string(it->second) + " ";
  throw ConfigError(where_ + "." + key + ": " + value + message);
}

double AlgorithmOptions::get_double(const std::string& key, double fallback) const {
  const ParamValue* v = lookup(key);
  if (!v) return fallback;
  if (std::holds_alternative<double>(*v)) return std::get<double>(*v);
  if (std::holds_alternative<std::int64_t>(*v)) return static_cast<double>(std::get<std::int64_t>(*v));
  fail(key, "must be a number");
}

long long AlgorithmOptions::get_int(const std::string& key, long long fallback) const {
  const ParamValue* v = lookup(key);
  if (!v) return fallback;
  if (std::holds_alternative<std::int64_t>(*v)) return std::get<std::int64_t>(*v);
  fail(key, "must be an integer");
}

bool AlgorithmOptions::get_bool(const std::string& key, bool fallback) const {
  const ParamValue* v = lookup(key);
  if (!v) return fallback;
  if (std::holds_alternative<bool>(*v)) return std::get<bool>(*v);
  fail(key, "must be true or false");
}

std::string AlgorithmOptions::get_string(const std::string& key, const std::string& fallback) const {
  const ParamValue* v = lookup(key);
  if (!v) return fallback;
  if (std::holds_alternative<std::string>(*v)) return std::get<std::string>(*v);
  fail(key, "must be a string");
}

void AlgorithmOptions::finish() const {
  for (const auto& [key, value] : values_) {
    if (!read_.count(key)) fail(key, "is not an option of " + name_);
  }
}

}  // namespace rungs

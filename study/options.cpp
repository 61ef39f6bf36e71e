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
  std::string value = it == values_.end() ? "" : to_string(it->second) + " ";
  if (auto list = lists_.find(key); list != lists_.end()) {
    value = "[";
    for (std::size_t i = 0; i < list->second.size(); ++i) {
      value += (i ? ", " : "") + to_string(list->second[i]);
    }
    value += "] ";
  }
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

void AlgorithmOptions::set_list(const std::string& key, std::vector<ParamValue> values) {
  values_.erase(key);
  lists_[key] = std::move(values);
}

std::vector<double> AlgorithmOptions::get_double_list(const std::string& key,
                                                      const std::vector<double>& fallback) const {
  read_.insert(key);
  auto it = lists_.find(key);
  if (it == lists_.end()) {
    if (values_.count(key)) fail(key, "must be a list of numbers");
    return fallback;
  }
  std::vector<double> out;
  for (const ParamValue& v : it->second) {
    if (std::holds_alternative<double>(v)) {
      out.push_back(std::get<double>(v));
    } else if (std::holds_alternative<std::int64_t>(v)) {
      out.push_back(static_cast<double>(std::get<std::int64_t>(v)));
    } else {
      fail(key, "must be a list of numbers");
    }
  }
  return out;
}

void AlgorithmOptions::finish() const {
  for (const auto& [key, value] : values_) {
    if (!read_.count(key)) fail(key, "is not an option of " + name_);
  }
  for (const auto& [key, value] : lists_) {
    if (!read_.count(key)) fail(key, "is not an option of " + name_);
  }
}

}  // namespace rungs

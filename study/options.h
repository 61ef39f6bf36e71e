#pragma once
/// The options of a plug-in algorithm (a sampler or a scheduler) as written in the study
/// file, e.g. `scheduler: {name: asha, reduction_factor: 3}`. The algorithm reads what it
/// understands with the typed getters and then calls finish(), which rejects any key it did
/// not read: a typo in an option is an error, not a silently ignored setting. Every error
/// names the file, the field path and the value.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "study/param.h"

namespace rungs {

class AlgorithmOptions {
 public:
  AlgorithmOptions() = default;
  /// `where` is "FILE: FIELD" (e.g. "study.yaml: scheduler"), the prefix of every error.
  AlgorithmOptions(std::string name, std::map<std::string, ParamValue> values, std::string where);

  const std::string& name() const { return name_; }
  const std::string& where() const { return where_; }
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  double get_double(const std::string& key, double fallback) const;
  long long get_int(const std::string& key, long long fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  /// A list of numbers (`perturbation_factors: [0.8, 1.2]`); `fallback` when absent.
  std::vector<double> get_double_list(const std::string& key, const std::vector<double>& fallback) const;
  /// Sets option `key` to a list (the study file's `key: [a, b]`).
  void set_list(const std::string& key, std::vector<ParamValue> values);

  /// Throws ConfigError "WHERE.KEY: VALUE MESSAGE" (the value as given, or the fallback).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  /// Throws ConfigError for the first key no getter asked for.
  void finish() const;

 private:
  const ParamValue* lookup(const std::string& key) const;

  std::string name_;
  std::map<std::string, ParamValue> values_;
  std::map<std::string, std::vector<ParamValue>> lists_;
  std::string where_;
  mutable std::set<std::string> read_;
};

}  // namespace rungs

#pragma once
/// One hyperparameter a model declares: its name, type, default and allowed values. The
/// study file is checked against these before any trial runs. Part of the model contract
/// (installed with <rungs/model.h>); no LibTorch here.
#include <cstdint>
#include <string>
#include <vector>

#include "study/param.h"

namespace rungs {

enum class HyperType { Int, Float, Bool, Choice };

/// One hyperparameter: its type, default and allowed values.
struct HyperparameterSpec {
  std::string name;
  HyperType type = HyperType::Float;
  ParamValue fallback;               ///< the default
  double low = 0.0;                  ///< Int/Float: the smallest allowed value...
  bool low_open = false;             ///< ...excluded when true (lr > 0)
  double high = 0.0;                 ///< Int/Float: the largest allowed value...
  bool high_open = false;            ///< ...excluded when true (dropout < 1)
  bool bounded_above = false;        ///< false: no upper limit
  std::vector<std::string> choices;  ///< Choice: the known values

  /// Empty when `value` has this type and range, else what is wrong ("is not an integer").
  std::string check(const ParamValue& value) const;
  /// "in [0, 1)", "> 0", "one of adam, adamw, sgd".
  std::string domain() const;
};

/// An integer in [low, high] (both included), `fallback` when the study does not set it.
HyperparameterSpec int_hyperparameter(std::string name, std::int64_t fallback, std::int64_t low,
                                      std::int64_t high);
/// A number in [low, high] (both included), `fallback` when the study does not set it.
HyperparameterSpec float_hyperparameter(std::string name, double fallback, double low,
                                        double high);
/// One of `choices` (strings), `fallback` when the study does not set it.
HyperparameterSpec choice_hyperparameter(std::string name, std::string fallback,
                                         std::vector<std::string> choices);
/// true or false, `fallback` when the study does not set it.
HyperparameterSpec bool_hyperparameter(std::string name, bool fallback);

}  // namespace rungs

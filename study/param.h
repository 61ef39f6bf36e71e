#pragma once
/// Values of hyperparameters. A categorical choice may be a number, a string or a boolean,
/// so a value is a variant; a trial's parameters map names to values, and a conditional
/// parameter that is inactive for a trial is simply absent from its map.
#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace rungs {

using ParamValue = std::variant<bool, std::int64_t, double, std::string>;
using Params = std::map<std::string, ParamValue>;

/// "0.001", "64", "adam", "true": the value as a user would write it in YAML.
std::string to_string(const ParamValue& value);

/// The value as a double; bools are 0/1. Throws rungs::Error for strings.
double as_double(const ParamValue& value);

/// True when both hold the same type and value (1 and 1.0 differ).
bool same_value(const ParamValue& a, const ParamValue& b);

/// "{lr: 0.001, optimizer: adam}".
std::string to_string(const Params& params);

}  // namespace rungs

#include "study/param.h"

#include <cmath>
#include <sstream>

#include "study/errors.h"

namespace rungs {

namespace {
// Shortest text that reads back as the same double (YAML and CSV friendly).
std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream out;
    out.precision(precision);
    out << v;
    if (std::stod(out.str()) == v) return out.str();
  }
  return std::to_string(v);
}
}  // namespace

std::string to_string(const ParamValue& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return format_double(d); }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Visitor{}, value);
}

double as_double(const ParamValue& value) {
  if (auto* d = std::get_if<double>(&value)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (auto* b = std::get_if<bool>(&value)) return *b ? 1.0 : 0.0;
  throw Error("parameter value '" + std::get<std::string>(value) + "' is not a number");
}

bool same_value(const ParamValue& a, const ParamValue& b) { return a == b; }

std::string to_string(const Params& params) {
  std::string out = "{";
  for (const auto& [name, value] : params) {
    if (out.size() > 1) out += ", ";
    out += name + ": " + to_string(value);
  }
  return out + "}";
}

}  // namespace rungs

#include "study/yaml_fields.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "study/errors.h"

namespace rungs::yaml_fields {

Field Field::child(const std::string& key) const {
  return Field{file, node.IsMap() ? node[key] : YAML::Node(), path.empty() ? key : path + "." + key};
}

std::string Field::shown() const {
  if (!node.IsDefined() || node.IsNull()) return "(missing)";
  if (node.IsScalar()) return node.Scalar().empty() ? "\"\"" : node.Scalar();
  if (node.IsSequence()) return "(a list)";
  return "(a map)";
}

void Field::fail(const std::string& message) const {
  std::string value = node.IsDefined() && !node.IsNull() ? shown() + " " : "";
  throw ConfigError(file + ": " + path + ": " + value + message);
}

std::string Field::as_string() const {
  if (!present()) fail("is required");
  if (!node.IsScalar()) fail("must be a string");
  return node.Scalar();
}

double Field::as_double() const {
  const std::string text = as_string();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) {
    fail("must be a finite number");
  }
  return v;
}

std::int64_t Field::as_int() const {
  const std::string text = as_string();
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE) fail("must be an integer");
  return v;
}

bool Field::as_bool() const {
  const std::string text = as_string();
  if (text == "true" || text == "True" || text == "yes") return true;
  if (text == "false" || text == "False" || text == "no") return false;
  fail("must be true or false");
}

ParamValue Field::as_value() const {
  if (!present()) fail("is required");
  if (!node.IsScalar()) fail("must be a single value (a number, string or boolean)");
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted in the file
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  char* end = nullptr;
  errno = 0;
  const long long i = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0' && errno == 0) return static_cast<std::int64_t>(i);
  errno = 0;
  const double d = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0' && errno == 0 && std::isfinite(d)) return d;
  return text;
}

ParamValue Field::as_value_of(const ParamSpec& spec) const {
  ParamValue value = as_value();
  if (spec.kind == ParamKind::Float && std::holds_alternative<std::int64_t>(value)) {
    value = static_cast<double>(std::get<std::int64_t>(value));
  }
  if (!spec.contains(value)) fail("is not a value " + spec.name + " can take (" + spec.describe() + ")");
  return value;
}

void Field::require_map() const {
  if (!node.IsDefined() || !node.IsMap()) fail("must be a map of fields");
}

void Field::only_keys(std::initializer_list<const char*> allowed) const {
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    bool known = false;
    std::string list;
    for (const char* a : allowed) {
      known = known || key == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!known) {
      throw ConfigError(file + ": " + (path.empty() ? key : path + "." + key) +
                        ": unknown field (expected one of: " + list + ")");
    }
  }
}

}  // namespace rungs::yaml_fields

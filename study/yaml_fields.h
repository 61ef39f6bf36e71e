#pragma once
/// Internal to study/: typed reads of YAML nodes that turn every problem into a ConfigError
/// "FILE: FIELD.PATH: VALUE what is wrong". Not part of the public API.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "study/param.h"
#include "study/search_space.h"

namespace rungs::yaml_fields {

/// A node with its dotted field path, for messages.
struct Field {
  const std::string& file;
  YAML::Node node;
  std::string path;

  Field child(const std::string& key) const;
  bool present() const { return node.IsDefined() && !node.IsNull(); }
  /// The node's text as written ("" for maps and lists), for messages.
  std::string shown() const;
  [[noreturn]] void fail(const std::string& message) const;

  std::string as_string() const;
  double as_double() const;
  std::int64_t as_int() const;
  bool as_bool() const;
  /// A scalar as the most specific type: bool, int, float, else string; quoted text
  /// always stays a string ("1" is a string, 1 is an int).
  ParamValue as_value() const;
  /// A value parameter `spec` can take: as_value(), with an integer read as a float for a
  /// float parameter; fails "is not a value NAME can take (DOMAIN)" otherwise.
  ParamValue as_value_of(const ParamSpec& spec) const;
  void require_map() const;
  /// Rejects keys not in `allowed`, naming the first unknown one and what is allowed.
  void only_keys(std::initializer_list<const char*> allowed) const;
};

}  // namespace rungs::yaml_fields

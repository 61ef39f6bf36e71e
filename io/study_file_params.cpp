#include "io/study_file_params.h"

#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>

#include "io/h5_attribute.h"
#include "io/h5_column.h"
#include "io/study_file.h"
#include "study/errors.h"

namespace rungs {
namespace {

using Rows = std::vector<const Params*>;

enum class ColumnKind { Float, Int, Bool, String };

const char* kind_name(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::Float:
      return "float";
    case ColumnKind::Int:
      return "int";
    case ColumnKind::Bool:
      return "bool";
    case ColumnKind::String:
      return "string";
  }
  return "string";
}

ColumnKind kind_of(const ParamValue& value) {
  if (std::holds_alternative<bool>(value)) return ColumnKind::Bool;
  if (std::holds_alternative<std::int64_t>(value)) return ColumnKind::Int;
  if (std::holds_alternative<double>(value)) return ColumnKind::Float;
  return ColumnKind::String;
}

/// Accumulates the kinds of a column's values; any mix makes it a string column.
class KindMerger {
 public:
  void add(ColumnKind kind) {
    if (!kind_)
      kind_ = kind;
    else if (*kind_ != kind)
      kind_ = ColumnKind::String;
  }
  ColumnKind result() const { return kind_.value_or(ColumnKind::Float); }

 private:
  std::optional<ColumnKind> kind_;
};

/// The column's kind from the parameter's specification (so that a column keeps its type
/// before any trial has a value, and a categorical of mixed choices is always strings) and
/// from the values trials hold.
ColumnKind column_kind(const std::string& name, const ParamSpec* spec,
                       const Rows& trials) {
  KindMerger kinds;
  if (spec != nullptr) {
    if (spec->kind == ParamKind::Float) kinds.add(ColumnKind::Float);
    if (spec->kind == ParamKind::Int) kinds.add(ColumnKind::Int);
    for (const ParamValue& choice : spec->choices) kinds.add(kind_of(choice));
  }
  for (const Params* trial : trials) {
    const auto found = trial->find(name);
    if (found != trial->end()) kinds.add(kind_of(found->second));
  }
  return kinds.result();
}

std::vector<std::string> column_names(const SearchSpace& space,
                                      const Rows& trials) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const ParamSpec& spec : space.params()) {
    if (seen.insert(spec.name).second) names.push_back(spec.name);
  }
  for (const Params* trial : trials) {
    for (const auto& entry : *trial) {
      if (seen.insert(entry.first).second) names.push_back(entry.first);
    }
  }
  return names;
}

/// Writes one parameter's column; returns whether every trial has the parameter.
bool write_column_of(const h5::Group& params, const std::string& name, ColumnKind kind,
                     const Rows& trials) {
  std::vector<double> floats;
  std::vector<std::int64_t> ints;
  std::vector<bool> bools;
  std::vector<std::string> strings;
  bool all_present = true;
  for (const Params* trial : trials) {
    const auto found = trial->find(name);
    const ParamValue* value = found == trial->end() ? nullptr : &found->second;
    all_present = all_present && value != nullptr;
    switch (kind) {
      case ColumnKind::Float:
        floats.push_back(value ? std::get<double>(*value)
                               : std::numeric_limits<double>::quiet_NaN());
        break;
      case ColumnKind::Int:
        ints.push_back(value ? std::get<std::int64_t>(*value) : 0);
        break;
      case ColumnKind::Bool:
        bools.push_back(value ? std::get<bool>(*value) : false);
        break;
      case ColumnKind::String:
        strings.push_back(value ? to_string(*value) : "");
        break;
    }
  }
  const h5::Object dataset = [&] {
    switch (kind) {
      case ColumnKind::Float:
        return h5::write_column(params, name, floats);
      case ColumnKind::Int:
        return h5::write_column(params, name, ints);
      case ColumnKind::Bool:
        return h5::write_column(params, name, bools);
      case ColumnKind::String:
        break;
    }
    return h5::write_column(params, name, strings);
  }();
  h5::write_string_attribute(dataset, "kind", kind_name(kind));
  return all_present;
}

ColumnKind parse_kind(const h5::Object& dataset) {
  const std::string kind = h5::read_string_attribute(dataset, "kind");
  if (kind == "float") return ColumnKind::Float;
  if (kind == "int") return ColumnKind::Int;
  if (kind == "bool") return ColumnKind::Bool;
  if (kind == "string") return ColumnKind::String;
  throw IoError(dataset.file() + ": " + dataset.path() + ": unknown kind '" + kind +
                "' (float, int, bool or string)");
}

void check_rows(const h5::Group& group, const std::string& name, std::size_t rows,
                std::size_t expected) {
  if (rows != expected) {
    throw IoError(group.file() + ": " + group.child_path(name) + " has " + std::to_string(rows) +
                  " rows, expected " + std::to_string(expected));
  }
}

/// The values of one column as ParamValues, one per row.
std::vector<ParamValue> read_values(const h5::Group& params, const std::string& name) {
  const ColumnKind kind = parse_kind(h5::open_dataset(params, name));
  std::vector<ParamValue> values;
  const auto append_all = [&values](const auto& column) {
    values.reserve(column.size());
    for (const auto& value : column) values.emplace_back(value);
  };
  switch (kind) {
    case ColumnKind::Float:
      append_all(h5::read_column<double>(params, name));
      break;
    case ColumnKind::Int:
      append_all(h5::read_column<std::int64_t>(params, name));
      break;
    case ColumnKind::Bool: {
      const std::vector<bool> bools = h5::read_column<bool>(params, name);
      for (const bool value : bools) values.emplace_back(value);
      break;
    }
    case ColumnKind::String:
      append_all(h5::read_column<std::string>(params, name));
      break;
  }
  return values;
}

}  // namespace

void write_param_columns(const h5::Group& group, const SearchSpace& space, const Rows& trials) {
  const h5::Group params = group.create_group("params");
  const h5::Group active = group.create_group("params_active");
  for (const std::string& name : column_names(space, trials)) {
    const ColumnKind kind = column_kind(name, space.find(name), trials);
    if (write_column_of(params, name, kind, trials)) continue;
    std::vector<bool> present;
    present.reserve(trials.size());
    for (const Params* trial : trials) present.push_back(trial->count(name) != 0);
    h5::write_column(active, name, present);
  }
}

void write_param_columns(const h5::Group& trials_group, const SearchSpace& space,
                         const std::vector<const TrialRecord*>& trials) {
  Rows rows;
  rows.reserve(trials.size());
  for (const TrialRecord* trial : trials) rows.push_back(&trial->params);
  write_param_columns(trials_group, space, rows);
}

void read_param_columns(const h5::Group& trials_group, std::vector<TrialRecord>& trials) {
  std::vector<Params*> rows;
  rows.reserve(trials.size());
  for (TrialRecord& trial : trials) rows.push_back(&trial.params);
  read_param_columns(trials_group, rows);
}

void read_param_columns(const h5::Group& trials_group, const std::vector<Params*>& trials) {
  const h5::Group params = trials_group.open_group("params");
  const std::optional<h5::Group> active =
      trials_group.has("params_active") ? std::optional(trials_group.open_group("params_active"))
                                        : std::nullopt;
  for (const std::string& name : params.children()) {
    std::vector<ParamValue> values = read_values(params, name);
    check_rows(params, name, values.size(), trials.size());
    std::vector<bool> present(trials.size(), true);
    if (active && active->has(name)) {
      present = h5::read_column<bool>(*active, name);
      check_rows(*active, name, present.size(), trials.size());
    }
    for (std::size_t row = 0; row < trials.size(); ++row) {
      if (present[row]) (*trials[row])[name] = std::move(values[row]);
    }
  }
}

void restore_choice_types(const SearchSpace& space, std::vector<TrialRecord>& trials) {
  std::vector<Params*> all;
  for (TrialRecord& trial : trials) {
    all.push_back(&trial.params);
    for (Segment& segment : trial.segments) all.push_back(&segment.params);
  }
  for (Params* params : all) {
    for (auto& [name, value] : *params) {
      const ParamSpec* spec = space.find(name);
      const auto* text = std::get_if<std::string>(&value);
      if (spec == nullptr || text == nullptr) continue;
      // A string choice spelled like the text wins over a number or bool spelled the same.
      const ParamValue* match = nullptr;
      for (const ParamValue& choice : spec->choices) {
        if (to_string(choice) != *text) continue;
        if (match == nullptr || std::holds_alternative<std::string>(choice)) match = &choice;
      }
      if (match != nullptr) value = *match;
    }
  }
}

}  // namespace rungs

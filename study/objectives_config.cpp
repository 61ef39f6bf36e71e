#include "study/objectives_config.h"

#include <set>

#include "study/errors.h"

namespace rungs::yaml_fields {
namespace {

Field item(const Field& list, std::size_t i) {
  return Field{list.file, list.node[i], list.path + "[" + std::to_string(i) + "]"};
}

std::string metric_of(const Field& entry) {
  const Field metric = entry.child("metric");
  const std::string name = metric.as_string();
  if (!is_valid_metric_name(name)) metric.fail("is not a metric name (1 to 64 of A-Z a-z 0-9 _ . -)");
  return name;
}

}  // namespace

Direction parse_direction(const Field& direction, const std::string& metric) {
  if (direction.present()) {
    const std::string d = direction.as_string();
    if (d == "maximize") return Direction::Maximize;
    if (d != "minimize") direction.fail("must be maximize or minimize");
    return Direction::Minimize;
  }
  const bool error = metric.find("loss") != std::string::npos || metric == "val_mse" ||
                     metric == "val_mae" || metric == "params" || metric == "latency_ms";
  return error ? Direction::Minimize : Direction::Maximize;
}

MultiObjective parse_multi_objective(const Field& top) {
  MultiObjective mo;
  const Field objectives = top.child("objectives");
  if (objectives.present()) {
    if (!objectives.node.IsSequence() || objectives.node.size() < 2) {
      throw ConfigError(objectives.file + ": objectives: must be a list of two or more {metric, "
                        "direction} (one objective: objective.metric)");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < objectives.node.size(); ++i) {
      const Field entry = item(objectives, i);
      entry.require_map();
      entry.only_keys({"metric", "direction"});
      Objective o;
      o.metric = metric_of(entry);
      if (!seen.insert(o.metric).second) entry.child("metric").fail("is already an objective");
      o.direction = parse_direction(entry.child("direction"), o.metric);
      mo.objectives.push_back(std::move(o));
    }
  }
  const Field constraints = top.child("constraints");
  if (constraints.present()) {
    if (!constraints.node.IsSequence() || constraints.node.size() == 0) {
      throw ConfigError(constraints.file + ": constraints: must be a list of {metric, max, min}, e.g. "
                        "[{metric: peak_memory_mb, max: 8000}]");
    }
    for (std::size_t i = 0; i < constraints.node.size(); ++i) {
      const Field entry = item(constraints, i);
      entry.require_map();
      entry.only_keys({"metric", "max", "min"});
      Constraint c;
      c.metric = metric_of(entry);
      if (entry.child("max").present()) c.max = entry.child("max").as_double();
      if (entry.child("min").present()) c.min = entry.child("min").as_double();
      if (!c.max && !c.min) throw ConfigError(entry.file + ": " + entry.path + ": needs max or min");
      if (c.max && c.min && *c.min > *c.max) entry.child("min").fail("is above max");
      mo.constraints.push_back(std::move(c));
    }
  }
  return mo;
}

void adopt_first_objective(const MultiObjective& multi, const Field& objective, ObjectiveConfig& o) {
  if (multi.objectives.empty()) return;
  const Objective& first = multi.objectives[0];
  const Field metric = objective.child("metric");
  if (metric.present() && metric.as_string() != first.metric) {
    metric.fail("differs from the first of objectives (" + first.metric +
                "), which is the study's objective; leave it out");
  }
  if (objective.child("direction").present()) {
    objective.child("direction").fail("is given in objectives; leave it out");
  }
  o.metric = first.metric;
  o.direction = first.direction;
}

}  // namespace rungs::yaml_fields

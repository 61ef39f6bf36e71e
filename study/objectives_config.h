#pragma once
/// Internal to study/: the `objectives:` and `constraints:` of a multi-objective study, and
/// the direction rule every objective shares. Not part of the public API.
#include <string>

#include "study/config.h"
#include "study/pareto.h"
#include "study/yaml_fields.h"

namespace rungs::yaml_fields {

/// `direction` as written (maximize | minimize), else what the metric's name implies:
/// minimize for losses, errors and the built-in trainer's costs (a name with "loss", val_mse,
/// val_mae, params, latency_ms), maximize otherwise.
Direction parse_direction(const Field& direction, const std::string& metric);

/// `objectives:` (a list of two or more {metric, direction}, metrics unique) and
/// `constraints:` (a list of {metric, max and/or min}) under `top`; empty when absent.
MultiObjective parse_multi_objective(const Field& top);

/// With objectives: the first is the study's objective (what single-objective schedulers
/// rank by): it becomes `o`'s metric and direction, which `objective` (the objective: field)
/// must then leave out or agree with. Nothing without objectives.
void adopt_first_objective(const MultiObjective& multi, const Field& objective, ObjectiveConfig& o);

}  // namespace rungs::yaml_fields

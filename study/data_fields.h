#pragma once
/// Internal to study/: reading objective.data and objective.task (study/data_config.h).
#include <optional>

#include "study/data_config.h"
#include "study/yaml_fields.h"

namespace rungs::yaml_fields {

/// objective.data: `f` is that field; `study_file` names the study file, whose folder
/// relative names resolve against.
DataConfig parse_data(const Field& f, const std::string& study_file);
/// objective.task: classification (the default) or regression.
Task parse_task(const Field& f);

}  // namespace rungs::yaml_fields

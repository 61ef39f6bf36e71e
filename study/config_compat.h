#pragma once
/// Whether a study file may resume a study recorded with another (or the same) text.
#include <string>

#include "study/config.h"

namespace rungs {

/// Empty when `now` may continue the study recorded from `recorded_text` (in `study_file`);
/// else a one-line ConfigError message naming the first field that changed and both values.
/// Safe changes: a larger budget.max_trials, output, resources, checkpoints, preemption.
/// `trials_started` is how many trials the study already has (max_trials cannot go below).
std::string resume_incompatibility(const StudyConfig& now, const std::string& recorded_text,
                                   const std::string& study_file, int trials_started);

}  // namespace rungs

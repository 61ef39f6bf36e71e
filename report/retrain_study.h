#pragma once
/// `rungs best --yaml`: a study file that trains one configuration of a finished study again,
/// from scratch, for the whole epoch budget. It is the stored study file with the trial's
/// parameters added to `fixed`, nothing left to search, one trial, fifo, and a name and
/// output folder of its own (NAME-best), so that running it never touches the old study.
#include <string>

#include "io/study_file.h"
#include "study/trial.h"

namespace rungs::report {

/// The study file text. Throws ConfigError when the stored study file no longer parses.
std::string retrain_study_yaml(const StoredStudy& study, const TrialRecord& trial);

/// `value` as a YAML scalar that reads back as the same type and value: a float always
/// with a '.' or an exponent (1.0, not 1), a string that would read as a number or a
/// boolean in double quotes ("256").
std::string yaml_scalar(const ParamValue& value);

}  // namespace rungs::report

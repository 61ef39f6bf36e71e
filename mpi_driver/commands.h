#pragma once
/// The subcommands of the `rungs` program. Each returns the process's exit status; bad
/// user input throws ConfigError, which main turns into one line and status 2.
#include <string>

#include "study/config.h"

namespace rungs {

/// Everything a study file must pass before any MPI work starts: the file itself, the
/// hyperparameters its model understands, the sampler's and scheduler's options, the data.
StudyConfig load_and_validate(const std::string& path);

int command_validate(const std::string& study_yaml);
int command_best(const std::string& study_h5);
/// Runs a study on every rank of the MPI job (rank 0 coordinates, the others train).
/// A non-empty `output` replaces the study file's output folder.
int command_run(int& argc, char**& argv, const std::string& study_yaml, const std::string& output);

}  // namespace rungs

#pragma once
/// The subcommands of the `rungs` program. Each returns the process's exit status; bad
/// user input throws ConfigError, which main turns into one line and status 2.
#include <string>
#include <vector>

#include "study/config.h"

namespace rungs {

/// Exit status of `rungs run` when a signal stopped the study before its end: the study is
/// saved and running the same command again resumes it (EX_TEMPFAIL; batch scripts requeue).
inline constexpr int kExitResume = 75;

/// Everything a study file must pass before any MPI work starts: the file itself, the
/// hyperparameters its model understands, the sampler's and scheduler's options, the data.
/// `overrides`: the command line's --set FIELD.PATH=VALUE (load_study_config).
StudyConfig load_and_validate(const std::string& path, const std::vector<std::string>& overrides);

int command_validate(const std::string& study_yaml, const std::vector<std::string>& overrides);
/// Runs or resumes a study on every rank of the MPI job (rank 0 coordinates, the others
/// train). A non-empty `output` replaces the study file's output folder. Returns 0 when
/// the study is finished, kExitResume when a signal interrupted it.
int command_run(int& argc, char**& argv, const std::string& study_yaml, const std::string& output,
                const std::vector<std::string>& overrides);

}  // namespace rungs

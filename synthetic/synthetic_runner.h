#pragma once
/// The TrialRunner of objective {model: synthetic} (study/synthetic_config.h). Each epoch
/// takes epoch_seconds times the configuration's cost factor, asleep (mode: sleep, so many
/// ranks share a core fairly) or spinning (mode: spin), polling the interrupt check at least
/// every 20 ms; then it reports the value the simulator's objective (schedulers/sim/objective.h)
/// gives that configuration, trial seed and epoch, so a study and `rungs simulate` see the
/// same curves, and a resumed trial reports what an uninterrupted one would. A trial that the
/// objective's failure_rate picks fails at its epoch, without reporting it. Its checkpoint is
/// the epoch index, written through checkpoint_file() and an atomic replace like a trained
/// model's; a resume reads it back and checks it.
#include <memory>

#include "schedulers/sim/objective.h"
#include "study/config.h"
#include "study/trial_runner.h"

namespace rungs {

std::unique_ptr<TrialRunner> make_synthetic_runner(const StudyConfig& config);

}  // namespace rungs

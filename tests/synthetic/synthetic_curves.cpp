// synthetic_curves STUDY.h5: for every epoch recorded in a synthetic study's file, the value
// the simulator's objective (schedulers/sim/objective.h) gives that trial's configuration,
// seed and epoch: "TRIAL EPOCH VALUE" lines, VALUE exact (%.17g). The integration test
// compares them with the curves h5py reads from the same file.
#include <cstdio>
#include <exception>

#include "io/study_file.h"
#include "schedulers/sim/objective.h"
#include "study/config.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: synthetic_curves STUDY.h5\n");
    return 2;
  }
  try {
    const rungs::StoredStudy stored = rungs::read_study_file(argv[1]);
    const rungs::StudyConfig config = rungs::parse_study_config(stored.config_text, "study.yaml");
    std::vector<rungs::TrialRecord> trials = stored.trials;
    rungs::restore_choice_types(config.space, trials);
    const rungs::sim::SyntheticObjective objective(config.space, config.objective.direction,
                                                   config.budget.epochs,
                                                   rungs::sim::objective_settings(config));
    for (const rungs::TrialRecord& t : trials) {
      const rungs::sim::Curve curve = objective.curve(t.params, t.seed);
      for (const rungs::EpochResult& r : t.curve) {
        std::printf("%d %d %.17g\n", t.id, r.epoch, objective.observed(curve, r.epoch, t.seed));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "synthetic_curves: %s\n", e.what());
    return 1;
  }
  return 0;
}

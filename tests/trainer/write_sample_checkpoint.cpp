// Trains a small MLP (2 hidden layers of 64, Adam) for one epoch and leaves its checkpoint
// at checkpoint_file(argv[1], 1), for check_checkpoint_h5.py to read with h5py.
#include <iostream>

#include "study/checkpoint_path.h"
#include "trainer/torch_runner.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_sample_checkpoint STEM\n";
    return 2;
  }
  rungs::TrainerSettings settings;
  settings.objective.train_samples = 512;
  settings.objective.val_samples = 128;
  const auto runner = rungs::make_torch_runner(settings);
  rungs::TrialAssignment trial;
  trial.trial_id = 5;
  trial.seed = 42;
  trial.end_epoch = 1;
  trial.checkpoint = argv[1];
  trial.params = {{"layers", std::int64_t{2}}, {"width", std::int64_t{64}},
                  {"dropout", 0.0},             {"optimizer", std::string("adam")}};
  const rungs::TrialOutcome outcome = runner->run(
      trial, [](const rungs::EpochResult&) { return rungs::Verdict::Continue; },
      [] { return false; });
  if (outcome.kind != rungs::TrialOutcome::Kind::Finished) {
    std::cerr << "the trial did not finish: " << outcome.reason << '\n';
    return 1;
  }
  std::cout << rungs::checkpoint_file(argv[1], 1) << '\n';
  return 0;
}

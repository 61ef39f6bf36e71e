// Writes the sample study (6 trials of tests/io/study_fixture.h, a test result and opaque
// states) to argv[1], for check_study_h5.py to read with h5py.
#include <cstdio>
#include <exception>

#include "io/study_file.h"
#include "study_fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  try {
    const rungs::StudyConfig config = rungs::testing::sample_config();
    const std::vector<rungs::TrialRecord> trials = rungs::testing::sample_trials(6);
    rungs::StudySnapshot snapshot;
    snapshot.config = &config;
    snapshot.trials = &trials;
    snapshot.state = "finished";
    snapshot.start_time = 1.7e9;
    snapshot.elapsed = 42.0;
    snapshot.test = rungs::TestResult{3, 0.875, 0.4};
    snapshot.sampler_state = "sampler-state";
    rungs::write_study_file(argv[1], snapshot);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  return 0;
}

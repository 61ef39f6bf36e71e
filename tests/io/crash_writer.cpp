// Rewrites argv[1] with a growing study (trials 0..k-1 of tests/io/study_fixture.h) until
// killed, printing "k\n" on stdout after each write_study_file(k trials) has returned.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

#include "io/study_file.h"
#include "study_fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  try {
    const rungs::StudyConfig config = rungs::testing::sample_config();
    std::vector<rungs::TrialRecord> trials;
    rungs::StudySnapshot snapshot;
    snapshot.config = &config;
    snapshot.trials = &trials;
    for (int k = 1;; ++k) {
      trials.push_back(rungs::testing::sample_trial(k - 1));
      rungs::write_study_file(argv[1], snapshot);
      const std::string line = std::to_string(k) + "\n";
      // Unbuffered, so that everything acknowledged is in the pipe when the kill comes.
      if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        return 1;
      }
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
}

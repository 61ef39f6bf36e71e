// Snapshot cost against the size of a study: how long rank 0 takes to rewrite study.h5 (the
// time no worker gets an answer), and the time to read it back, for studies of N trials x E
// epochs with three metrics per epoch, printed as a table: build/bench/io/snapshot_bench.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <CLI/CLI.hpp>

#include "io/study_file.h"
#include "study_fixture.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"study.h5 snapshot time against the number of trials"};
  std::vector<int> trial_counts{1000, 10000, 100000};
  int epochs = 50;
  int rounds = 3;
  std::string dir = "/tmp";
  app.add_option("--trials", trial_counts, "study sizes to measure")->capture_default_str();
  app.add_option("--epochs", epochs, "curve rows per trial")->capture_default_str();
  app.add_option("--rounds", rounds, "writes per size (the best is printed)")
      ->capture_default_str();
  app.add_option("--dir", dir, "folder for the study files")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const rungs::StudyConfig config = rungs::testing::sample_config();
  std::printf("%10s %8s %12s %14s %12s %10s\n", "trials", "epochs", "curve_rows", "write_ms(best)",
              "read_ms", "file_MiB");
  for (const int count : trial_counts) {
    std::vector<rungs::TrialRecord> trials;
    trials.reserve(count);
    for (int id = 0; id < count; ++id) trials.push_back(rungs::testing::timing_trial(id, epochs));
    rungs::StudySnapshot snapshot;
    snapshot.config = &config;
    snapshot.trials = &trials;
    const std::string path = dir + "/rungs_snapshot_bench_" + std::to_string(::getpid()) + ".h5";

    double best = 1e300;
    for (int round = 0; round < rounds; ++round) {
      const auto start = std::chrono::steady_clock::now();
      rungs::write_study_file(path, snapshot);
      best = std::min(best, seconds_since(start));
    }
    const auto start = std::chrono::steady_clock::now();
    const rungs::StoredStudy stored = rungs::read_study_file(path);
    const double read = seconds_since(start);
    struct stat info {};
    ::stat(path.c_str(), &info);
    ::unlink(path.c_str());
    if (stored.trials.size() != trials.size()) {
      std::fprintf(stderr, "read back %zu trials of %zu\n", stored.trials.size(), trials.size());
      return 1;
    }
    std::printf("%10d %8d %12lld %14.1f %12.1f %10.1f\n", count, epochs,
                static_cast<long long>(count) * epochs, best * 1e3, read * 1e3,
                static_cast<double>(info.st_size) / (1 << 20));
    std::fflush(stdout);
  }
  return 0;
}

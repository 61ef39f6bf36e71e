// Writes a synthetic study.h5 (synthetic_study.h) for the command-line and browser tests:
//   rungs_report_write_study OUT.h5 [--trials N] [--running] [--awkward]
//   rungs_report_write_study OUT.h5 --rewrite-until STOP_FILE
// The second form keeps rewriting OUT.h5, as rank 0 does while a study runs (a growing
// running study, written crash-safe by rename), so that a reader can run against it, until
// STOP_FILE exists (at most 5 minutes); it prints how many writes it made and fails at once
// if a write fails.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "io/study_file.h"
#include "synthetic_study.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: rungs_report_write_study OUT.h5 [--trials N] [--running] [--awkward] [--rewrite-until STOP_FILE]\n";
    return 2;
  }
  const std::string path = argv[1];
  rungs::testing::SyntheticOptions options;
  std::string stop_file;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--trials" && i + 1 < argc) {
      options.trials = std::atoi(argv[++i]);
    } else if (arg == "--running") {
      options.running = true;
    } else if (arg == "--awkward") {
      options.awkward_text = true;
    } else if (arg == "--rewrite-until" && i + 1 < argc) {
      stop_file = argv[++i];
    } else {
      std::cerr << "rungs_report_write_study: unknown argument " << arg << "\n";
      return 2;
    }
  }
  try {
    if (stop_file.empty()) {
      const auto study = rungs::testing::synthetic_study(options);
      rungs::write_study_file(path, study.snapshot());
      return 0;
    }
    options.running = true;
    const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    long writes = 0;
    while (!std::filesystem::exists(stop_file) && std::chrono::steady_clock::now() < until) {
      options.trials = 3 + static_cast<int>(writes % 40);
      const auto study = rungs::testing::synthetic_study(options);
      rungs::write_study_file(path, study.snapshot());
      ++writes;
    }
    std::cout << writes << " writes\n";
  } catch (const std::exception& e) {
    std::cerr << "rungs_report_write_study: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

#pragma once
/// A synthetic study for the report tests: what an ASHA study (reduction factor 3, rungs at
/// epochs 1, 3 and 9) on two workers would record, without training anything. The metric
/// follows a known function of the parameters, so tests know what must come out:
/// val_accuracy peaks at lr = 3e-3 (lr matters most), sgd costs a little, layers add a
/// little, dropout and batch_size do nothing. Deterministic given the options.
#include <cstdint>
#include <string>
#include <vector>

#include "io/study_file.h"
#include "study/config.h"
#include "study/snapshot.h"
#include "study/trial.h"

namespace rungs::testing {

struct SyntheticOptions {
  int trials = 40;  ///< 0: a study that has not started a trial yet
  std::uint64_t seed = 1;
  /// The study is still running: the last `running` trials have partial curves.
  bool running = false;
  int running_trials = 2;
  /// Adds a categorical `note` whose choices hold a comma, quotes and a non-ASCII letter, and
  /// gives failed trials a reason with a comma, quotes and a line break (CSV quoting).
  bool awkward_text = false;
};

/// The study file text (sampler random, scheduler asha, metric val_accuracy).
std::string synthetic_yaml(const SyntheticOptions& options);

/// The study: config parsed from synthetic_yaml, trials, state and times.
struct SyntheticStudy {
  StudyConfig config;
  std::vector<TrialRecord> trials;
  std::string state;
  double start_time = 0.0;
  double elapsed = 0.0;

  /// What write_study_file needs; points into this object.
  StudySnapshot snapshot() const;
  /// What read_study_file would return for it.
  StoredStudy stored() const;
};

SyntheticStudy synthetic_study(const SyntheticOptions& options);

}  // namespace rungs::testing

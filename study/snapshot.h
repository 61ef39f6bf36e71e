#pragma once
/// Everything rank 0 knows about a study at one moment: what io/ writes to study.h5 and
/// reads back. The coordinator builds it; it holds no LibTorch, MPI or HDF5 types.
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "study/config.h"
#include "study/trial.h"

namespace rungs {

/// Test-set result of the best trial, computed once at the end, never used for tuning.
struct TestResult {
  int trial_id = -1;
  double accuracy = 0.0;
  double loss = 0.0;
};
/// Every member of TestResult, in order (study/wire.h).
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, TestResult>, int> = 0>
auto fields(T& t) {
  auto& [trial_id, accuracy, loss] = t;
  return std::tie(trial_id, accuracy, loss);
}

struct StudySnapshot {
  const StudyConfig* config = nullptr;
  const std::vector<TrialRecord>* trials = nullptr;
  std::string state = "running";  ///< running | interrupted | finished
  std::string slurm_job_id;       ///< the Slurm job that runs the study; empty outside Slurm
  double start_time = 0.0;        ///< unix seconds when the study started
  double elapsed = 0.0;           ///< seconds of work so far
  std::optional<TestResult> test;
  std::string sampler_state;      ///< opaque, for resuming (samplers/)
  std::string scheduler_state;    ///< opaque, for resuming (schedulers/)
};

}  // namespace rungs

#pragma once
/// study.h5: everything a study knows, in one HDF5 file that users read with h5py, pandas
/// or h5dump (the layout is documented in docs/results.md). Rank 0 rewrites the whole file
/// from a StudySnapshot every few seconds; resuming and reporting read it back.
#include <optional>
#include <string>
#include <vector>

#include "study/search_space.h"
#include "study/snapshot.h"
#include "study/trial.h"

namespace rungs {

/// The layout version written by this rungs; read_study_file rejects newer files.
constexpr int kStudyFormatVersion = 2;

/// Writes `snapshot` (config and trials must be set) to `path`, crash-safe: the file is
/// written as `path + ".tmp"`, closed, fsynced, renamed over `path`, and the directory is
/// fsynced, so a kill at any instant leaves either the old complete file or the new one.
/// Called from rank 0 only, by one thread at a time per path. Throws IoError naming the
/// file; `path` is then unchanged and the temporary file removed.
void write_study_file(const std::string& path, const StudySnapshot& snapshot);

/// A study as read back from study.h5.
struct StoredStudy {
  std::string config_text;  ///< the study file's full text (parse it with parse_study_config)
  std::string name, metric;
  Direction direction = Direction::Maximize;
  std::string state;                ///< running | interrupted | finished
  std::string slurm_job_id;         ///< empty outside Slurm and in older files
  double start_time = 0.0;          ///< unix seconds
  double elapsed = 0.0;             ///< seconds
  std::vector<TrialRecord> trials;  ///< in id order, curves included
  std::optional<TestResult> test;
  std::string sampler_state, scheduler_state;
  int format_version = 0;
};

/// Reads a study file. Throws IoError with one line naming the file when it is missing,
/// not HDF5, not a rungs study, of a newer format version, or inconsistent. Parameters of
/// a categorical whose choices mix types come back as strings (see restore_choice_types).
StoredStudy read_study_file(const std::string& path);

/// study.h5 stores a parameter whose values mix types (a categorical [1, auto]) as strings.
/// This maps each such string back to the categorical choice of `space` whose to_string()
/// equals it, so a resumed study sees the values it had. Other values are left alone.
void restore_choice_types(const SearchSpace& space, std::vector<TrialRecord>& trials);

}  // namespace rungs

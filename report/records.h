#pragma once
/// `rungs status` and `rungs best` for programs: one flat record of named fields, written as
/// one JSON object (`--format json`) or a CSV header and row (`--format csv`), so that a
/// script or a Slurm epilog reads the same facts the text shows.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "report/study_view.h"

namespace rungs::report {

class FlatRecord {
 public:
  void text(const std::string& name, const std::string& value);
  void number(const std::string& name, double value);  ///< NaN: missing (null, empty cell)
  void integer(const std::string& name, std::int64_t value);

  std::string json() const;  ///< one object on one line, fields in order
  std::string csv() const;   ///< a header line and one row

 private:
  struct Field {
    std::string name;
    std::string text;  ///< the value as CSV writes it
    enum class Kind { Text, Number, Integer } kind;
    double number = 0.0;
    std::int64_t integer = 0;
  };
  std::vector<Field> fields_;
};

/// study, path, state, slurm_job_id, elapsed, trials, max_trials, a count per status, and
/// the best trial (best_trial, best_value, best_params_NAME...; missing when none).
FlatRecord status_record(const StudyView& view);

/// study, state, metric, direction, trial, value, epochs, rung, status, params_NAME...,
/// checkpoint (empty when none), test_accuracy (missing unless measured for that trial).
/// Nullopt-like: `trial` missing when no trial has a result yet.
FlatRecord best_record(const StudyView& view);

/// The checkpoint file of `trial` in the run folder of `study_h5`; empty when it has none.
std::string best_checkpoint(const std::string& study_h5, const TrialRecord& trial);

}  // namespace rungs::report

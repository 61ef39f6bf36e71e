#pragma once
/// `rungs export`: a study's trials and learning curves as CSV tables, the way Optuna's
/// study.trials_dataframe() lays them out. The columns are documented in
/// docs/results.md ("rungs export"); study.h5 stays the primary format.
#include <string>
#include <vector>

#include "report/study_view.h"

namespace rungs::report {

/// A table of text cells; an empty cell is a missing value.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

/// Unix seconds as ISO 8601 UTC with milliseconds, "2026-05-01T12:00:03.250Z"; "" for 0.
std::string iso_utc(double unix_seconds);

/// One row per trial in id order: number, value, datetime_start, datetime_complete,
/// duration, params_NAME (search-space order; empty where inactive), state, then
/// best_epoch, every metric at the best epoch (view.metric_names; a name that is also one
/// of these columns is metric_NAME), last_value, epochs, max_epochs, rung, worker, seed,
/// reason.
Table trials_table(const StudyView& view);

/// One row per reported epoch (long format), ordered by trial then epoch: number, then the
/// stored fields of EpochResult (epoch, value, seconds, time), then every metric
/// (view.metric_names; empty where that epoch has none; metric_NAME on a clash).
Table curves_table(const StudyView& view);

/// Writes `table` to `path` as CSV. Throws ConfigError naming the file when it cannot be
/// written (a bad --csv/--curves argument is the user's input).
void write_csv_file(const Table& table, const std::string& path);

}  // namespace rungs::report

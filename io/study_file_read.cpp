#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <unordered_map>

#include "io/h5_attribute.h"
#include "io/h5_column.h"
#include "io/study_file.h"
#include "io/study_file_layout.h"
#include "io/study_file_params.h"
#include "io/study_file_segments.h"
#include "study/errors.h"

namespace rungs {
namespace {

/// Rejects, with one line naming the file, what is not even an HDF5 file.
void check_is_hdf5_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw IoError(path + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw IoError(path + ": not a regular file");
  if (!h5::is_hdf5_file(path)) throw IoError(path + ": not an HDF5 file");
}

void check_format(const h5::Group& root, StoredStudy& study) {
  const std::string& path = root.file();
  if (!h5::has_attribute(root, layout::kFormatAttribute)) {
    throw IoError(path + ": not a rungs study file (no 'format' attribute)");
  }
  const std::string format = h5::read_string_attribute(root, layout::kFormatAttribute);
  if (format != layout::kFormat) {
    throw IoError(path + ": not a rungs study file (format is '" + format + "', not '" +
                  layout::kFormat + "')");
  }
  const std::int64_t version = h5::read_int_attribute(root, layout::kVersionAttribute);
  if (version > kStudyFormatVersion) {
    throw IoError(path + ": format_version " + std::to_string(version) +
                  " is newer than this rungs reads (" + std::to_string(kStudyFormatVersion) +
                  "); use a newer rungs");
  }
  if (version < 1) {
    throw IoError(path + ": format_version " + std::to_string(version) + " is not valid");
  }
  study.format_version = static_cast<int>(version);
}

Direction parse_direction(const h5::Group& root) {
  const std::string text = h5::read_string_attribute(root, "direction");
  if (text == to_string(Direction::Maximize)) return Direction::Maximize;
  if (text == to_string(Direction::Minimize)) return Direction::Minimize;
  throw IoError(root.file() + ": direction '" + text + "' is not maximize or minimize");
}

/// Reads a column that must hold `rows` rows.
template <class T>
std::vector<T> read_rows(const h5::Group& group, const std::string& name, std::size_t rows) {
  std::vector<T> values = h5::read_column<T>(group, name);
  if (values.size() != rows) {
    throw IoError(group.file() + ": " + group.child_path(name) + " has " +
                  std::to_string(values.size()) + " rows, expected " + std::to_string(rows));
  }
  return values;
}

std::vector<TrialRecord> read_trials(const h5::Group& root) {
  const h5::Group group = root.open_group(layout::kTrials);
  const auto ids = h5::read_column<std::int64_t>(group, "id");
  const std::size_t n = ids.size();
  const auto statuses = read_rows<std::string>(group, "status", n);
  const auto seeds = read_rows<std::uint64_t>(group, "seed", n);
  const auto max_epochs = read_rows<std::int64_t>(group, "max_epochs", n);
  const auto rungs = read_rows<std::int64_t>(group, "rung", n);
  const auto workers = read_rows<std::int64_t>(group, "worker", n);
  const auto attempts = read_rows<std::int64_t>(group, "attempts", n);
  // Files of rungs 0.1.0 before `lost` have no such column: none of their runs is known lost.
  const auto lost = group.has("lost") ? read_rows<std::int64_t>(group, "lost", n)
                                      : std::vector<std::int64_t>(n, 0);
  const auto checkpoint_epochs = read_rows<std::int64_t>(group, "checkpoint_epoch", n);
  const auto start_times = read_rows<double>(group, "start_time", n);
  const auto end_times = read_rows<double>(group, "end_time", n);
  const auto reasons = read_rows<std::string>(group, "reason", n);

  std::vector<TrialRecord> trials(n);
  for (std::size_t row = 0; row < n; ++row) {
    TrialRecord& trial = trials[row];
    trial.id = static_cast<int>(ids[row]);
    const std::optional<TrialStatus> status = parse_trial_status(statuses[row]);
    if (!status) {
      throw IoError(root.file() + ": /trials/status row " + std::to_string(row) +
                    ": unknown status '" + statuses[row] + "'");
    }
    trial.status = *status;
    trial.seed = seeds[row];
    trial.max_epochs = static_cast<int>(max_epochs[row]);
    trial.rung = static_cast<int>(rungs[row]);
    trial.worker = static_cast<int>(workers[row]);
    trial.attempts = static_cast<int>(attempts[row]);
    trial.lost = static_cast<int>(lost[row]);
    trial.checkpoint_epoch = static_cast<int>(checkpoint_epochs[row]);
    trial.start_time = start_times[row];
    trial.end_time = end_times[row];
    trial.reason = reasons[row];
  }
  read_param_columns(group, trials);
  read_segments(group, trials);
  return trials;
}

/// The metrics of the rows of /curves: /curves/metrics/NAME (format 2), or the fixed
/// val_accuracy, val_loss and train_loss datasets of format 1. A NaN is no report.
std::vector<std::vector<Metric>> read_metrics(const h5::Group& curves, const char* name,
                                              int format_version, std::size_t rows) {
  std::vector<std::vector<Metric>> metrics(rows);
  const auto add = [&](const h5::Group& group, const std::string& metric) {
    const auto values = read_rows<double>(group, metric, rows);
    for (std::size_t row = 0; row < rows; ++row) {
      if (!std::isnan(values[row])) metrics[row].push_back(Metric{metric, values[row]});
    }
  };
  if (format_version < 2) {
    for (const char* metric : {"val_accuracy", "val_loss", "train_loss"}) add(curves, metric);
  } else {
    const h5::Group group = curves.open_group(name);
    for (const std::string& metric : group.children()) add(group, metric);
  }
  return metrics;
}

void read_curves(const h5::Group& root, int format_version, std::vector<TrialRecord>& trials) {
  std::unordered_map<std::int64_t, TrialRecord*> by_id;
  for (TrialRecord& trial : trials) by_id[trial.id] = &trial;
  const h5::Group group = root.open_group(layout::kCurves);
  const auto trial_ids = h5::read_column<std::int64_t>(group, "trial_id");
  const std::size_t n = trial_ids.size();
  std::vector<EpochResult> rows(n);
  for_each_stored_field(EpochResult{}, [&](std::size_t i, const char* name, const auto& member) {
    using T = std::decay_t<decltype(member)>;
    using Stored = std::conditional_t<std::is_same_v<T, int>, std::int64_t, double>;
    if constexpr (std::is_same_v<T, std::vector<Metric>>) {
      auto metrics = read_metrics(group, name, format_version, n);
      for (std::size_t row = 0; row < n; ++row) rows[row].metrics = std::move(metrics[row]);
    } else {
      const auto column = read_rows<Stored>(group, name, n);
      for (std::size_t row = 0; row < n; ++row) {
        for_each_stored_field(rows[row], [&](std::size_t j, const char*, auto& target) {
          if constexpr (std::is_same_v<std::decay_t<decltype(target)>, T>) {
            if (j == i) target = static_cast<T>(column[row]);
          }
        });
      }
    }
  });
  for (std::size_t row = 0; row < n; ++row) {
    const auto found = by_id.find(trial_ids[row]);
    if (found == by_id.end()) {
      throw IoError(root.file() + ": /curves/trial_id row " + std::to_string(row) +
                    ": no trial has id " + std::to_string(trial_ids[row]));
    }
    found->second->curve.push_back(std::move(rows[row]));
  }
}

std::string text_of(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

StoredStudy read_study_file(const std::string& path) {
  check_is_hdf5_file(path);
  StoredStudy study;
  const h5::File file = h5::File::open_read_only(path);
  const h5::Group root = file.root();
  check_format(root, study);
  study.name = h5::read_string_attribute(root, "name");
  study.metric = h5::read_string_attribute(root, "metric");
  study.direction = parse_direction(root);
  study.state = h5::read_string_attribute(root, "state");
  if (h5::has_attribute(root, "slurm_job_id")) {
    study.slurm_job_id = h5::read_string_attribute(root, "slurm_job_id");
  }
  study.start_time = h5::read_double_attribute(root, "start_time");
  study.elapsed = h5::read_double_attribute(root, "elapsed");
  study.config_text = h5::read_scalar_string(root, layout::kStudyYaml);
  study.trials = read_trials(root);
  read_curves(root, study.format_version, study.trials);
  if (root.has(layout::kTest)) {
    const h5::Group test = root.open_group(layout::kTest);
    study.test = TestResult{static_cast<int>(h5::read_int_attribute(test, "trial_id")),
                            h5::read_double_attribute(test, "accuracy"),
                            h5::read_double_attribute(test, "loss")};
  }
  const h5::Group state = root.open_group(layout::kState);
  study.sampler_state = text_of(h5::read_column<std::uint8_t>(state, "sampler"));
  study.scheduler_state = text_of(h5::read_column<std::uint8_t>(state, "scheduler"));
  return study;
}

}  // namespace rungs

#include "report/study_view.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "io/h5.h"
#include "io/h5_attribute.h"
#include "study/config.h"
#include "study/errors.h"

namespace rungs::report {
namespace {

/// The owner named by `study_file`.lock, when the file exists (it only ever reads it).
std::optional<LockOwner> read_lock(const std::string& study_file) {
  std::ifstream in(study_file + ".lock");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_lock(text.str());
}

double modification_time(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0.0;
  return static_cast<double>(info.st_mtim.tv_sec) + 1e-9 * static_cast<double>(info.st_mtim.tv_nsec);
}

}  // namespace

std::optional<double> trial_value(const TrialRecord& trial, Direction direction) {
  const std::optional<double> value = trial.best_value(direction);
  if (!value || std::isnan(*value)) return std::nullopt;
  return value;
}

StudyView make_study_view(StoredStudy stored, const std::string& path) {
  StudyView view;
  view.path = path;
  view.stored = std::move(stored);
  try {
    const StudyConfig config = parse_study_config(view.stored.config_text, path + ":/study_yaml");
    view.space = config.space;
    view.max_trials = config.budget.max_trials;
    view.max_epochs = config.budget.epochs;
    view.multi = config.multi;
    view.budget_seconds = config.budget.seconds;
    view.budget_epochs_total = config.budget.epochs_total;
    view.scheduler = config.scheduler.name();
    restore_choice_types(*view.space, view.stored.trials);
  } catch (const Error&) {
    // A study file this rungs no longer accepts: show what the trials hold.
  }
  std::set<std::string> seen;
  if (view.space) {
    for (const ParamSpec& spec : view.space->params()) {
      view.param_names.push_back(spec.name);
      seen.insert(spec.name);
    }
  }
  std::set<std::string> extra;
  for (const TrialRecord& trial : view.stored.trials) {
    for (const auto& entry : trial.params) {
      if (!seen.count(entry.first)) extra.insert(entry.first);
    }
  }
  view.param_names.insert(view.param_names.end(), extra.begin(), extra.end());
  view.metric_names = metric_names(view.stored.trials);
  return view;
}

StudyView load_study_view(const std::string& path) {
  try {
    const StoredStudy stored = read_study_file(path);
    StudyView view = make_study_view(stored, path);
    view.slurm_job_id = stored.slurm_job_id;
    view.lock = read_lock(path);
    if (view.slurm_job_id.empty() && view.lock) view.slurm_job_id = view.lock->job;
    view.file_mtime = modification_time(path);
    return view;
  } catch (const IoError& e) {
    // The file is the user's input: one line, exit status 2.
    throw ConfigError(e.what());
  }
}

const EpochResult* best_epoch(const TrialRecord& trial, Direction direction) {
  const std::optional<double> value = trial_value(trial, direction);
  if (!value) return nullptr;
  for (const EpochResult& epoch : trial.curve) {
    if (epoch.value == *value) return &epoch;
  }
  return nullptr;
}

}  // namespace rungs::report

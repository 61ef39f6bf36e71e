#include "report/records.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "report/csv.h"
#include "report/json.h"
#include "report/summary.h"
#include "study/checkpoint_path.h"

namespace rungs::report {

void FlatRecord::text(const std::string& name, const std::string& value) {
  fields_.push_back({name, value, Field::Kind::Text});
}

void FlatRecord::number(const std::string& name, double value) {
  Field f{name, csv_number(value), Field::Kind::Number};
  f.number = value;
  fields_.push_back(f);
}

void FlatRecord::integer(const std::string& name, std::int64_t value) {
  Field f{name, std::to_string(value), Field::Kind::Integer};
  f.integer = value;
  fields_.push_back(f);
}

std::string FlatRecord::json() const {
  JsonWriter json;
  json.begin_object();
  for (const Field& f : fields_) {
    json.key(f.name);
    switch (f.kind) {
      case Field::Kind::Text: json.value(f.text); break;
      case Field::Kind::Number: json.value(f.number); break;
      case Field::Kind::Integer: json.value(f.integer); break;
    }
  }
  json.end_object();
  return json.str() + "\n";
}

std::string FlatRecord::csv() const {
  std::vector<std::string> names, values;
  for (const Field& f : fields_) {
    names.push_back(f.name);
    values.push_back(f.text);
  }
  std::ostringstream out;
  write_csv_row(out, names);
  write_csv_row(out, values);
  return out.str();
}

namespace {

void add_params(FlatRecord& record, const std::string& prefix, const StudyView& view,
                const TrialRecord* trial) {
  for (const std::string& name : view.param_names) {
    const auto it = trial ? trial->params.find(name) : Params::const_iterator{};
    if (trial && it != trial->params.end()) {
      if (const double* d = std::get_if<double>(&it->second)) {
        record.number(prefix + name, *d);
      } else if (const std::int64_t* i = std::get_if<std::int64_t>(&it->second)) {
        record.integer(prefix + name, *i);
      } else {
        record.text(prefix + name, to_string(it->second));
      }
    } else {
      record.number(prefix + name, NAN);  // inactive, or no trial
    }
  }
}

}  // namespace

FlatRecord status_record(const StudyView& view) {
  const StoredStudy& s = view.stored;
  FlatRecord r;
  r.text("study", s.name);
  r.text("path", view.path);
  r.text("state", s.state);
  r.text("slurm_job_id", view.slurm_job_id);
  r.number("elapsed", s.elapsed);
  const StatusCounts counts = count_statuses(s.trials);
  r.integer("trials", counts.total);
  r.integer("max_trials", view.max_trials);
  for (const TrialStatus status : {TrialStatus::Completed, TrialStatus::Stopped,
                                   TrialStatus::Failed, TrialStatus::Running, TrialStatus::Paused}) {
    r.integer(to_string(status), counts[status]);
  }
  const TrialRecord* best = best_trial(s.trials, s.direction);
  if (best) {
    r.integer("best_trial", best->id);
  } else {
    r.number("best_trial", NAN);
  }
  r.number("best_value", best ? *best->best_value(s.direction) : NAN);
  add_params(r, "best_params_", view, best);
  return r;
}

std::string best_checkpoint(const std::string& study_h5, const TrialRecord& trial) {
  if (trial.checkpoint_epoch <= 0) return {};
  const std::string folder = std::filesystem::path(study_h5).parent_path().string();
  return checkpoint_file((folder.empty() ? "." : folder) + "/checkpoints/trial_" +
                             std::to_string(trial.id),
                         trial.checkpoint_epoch);
}

FlatRecord best_record(const StudyView& view) {
  const StoredStudy& s = view.stored;
  const TrialRecord* best = best_trial(s.trials, s.direction);
  FlatRecord r;
  r.text("study", s.name);
  r.text("state", s.state);
  r.text("metric", s.metric);
  r.text("direction", to_string(s.direction));
  if (best) {
    r.integer("trial", best->id);
  } else {
    r.number("trial", NAN);
  }
  r.number("value", best ? *best->best_value(s.direction) : NAN);
  r.integer("epochs", best ? best->epochs_run() : 0);
  r.integer("rung", best ? best->rung : 0);
  r.text("status", best ? to_string(best->status) : "");
  add_params(r, "params_", view, best);
  const EpochResult* epoch = best ? best_epoch(*best, s.direction) : nullptr;
  r.integer("best_epoch", epoch ? epoch->epoch : 0);
  for (const std::string& name : view.metric_names) {  // at its best epoch
    r.number("metrics_" + name, epoch ? epoch->metric(name).value_or(NAN) : NAN);
  }
  r.text("checkpoint", best ? best_checkpoint(view.path, *best) : "");
  const bool tested = best && s.test && s.test->trial_id == best->id;
  r.number("test_accuracy", tested ? s.test->accuracy : NAN);
  return r;
}

}  // namespace rungs::report

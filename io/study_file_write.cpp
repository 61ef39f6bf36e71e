#include <algorithm>
#include <cmath>
#include <iterator>
#include <type_traits>
#include <limits>

#include "io/h5_attribute.h"
#include "io/h5_column.h"
#include "io/study_file.h"
#include "io/study_file_atomic.h"
#include "io/study_file_layout.h"
#include "io/study_file_params.h"
#include "io/study_file_segments.h"
#include "study/errors.h"
#include "study/version.h"

namespace rungs {
namespace {

using Trials = std::vector<const TrialRecord*>;

/// One value per trial, in row order.
template <class T, class Field>
std::vector<T> column(const Trials& trials, Field field) {
  std::vector<T> values;
  values.reserve(trials.size());
  for (const TrialRecord* trial : trials) values.push_back(static_cast<T>(field(*trial)));
  return values;
}

double or_nan(const std::optional<double>& value) {
  return value.value_or(std::numeric_limits<double>::quiet_NaN());
}

void write_root_attributes(const h5::Group& root, const StudySnapshot& snapshot) {
  const StudyConfig& config = *snapshot.config;
  h5::write_string_attribute(root, layout::kFormatAttribute, layout::kFormat);
  h5::write_int_attribute(root, layout::kVersionAttribute, kStudyFormatVersion);
  h5::write_string_attribute(root, "name", config.name);
  h5::write_string_attribute(root, "metric", config.objective.metric);
  h5::write_string_attribute(root, "direction", to_string(config.objective.direction));
  h5::write_string_attribute(root, "state", snapshot.state);
  h5::write_string_attribute(root, "slurm_job_id", snapshot.slurm_job_id);
  h5::write_double_attribute(root, "start_time", snapshot.start_time);
  h5::write_double_attribute(root, "elapsed", snapshot.elapsed);
  h5::write_string_attribute(root, "rungs_version", kVersion);
}

void write_trials(const h5::Group& root, const StudyConfig& config, const Trials& trials) {
  const Direction direction = config.objective.direction;
  const h5::Group group = root.create_group(layout::kTrials);
  using I64 = std::int64_t;
  h5::write_column(group, "id", column<I64>(trials, [](auto& t) { return t.id; }));
  h5::write_column(group, "status",
                   column<std::string>(trials, [](auto& t) { return to_string(t.status); }));
  h5::write_column(group, "seed", column<std::uint64_t>(trials, [](auto& t) { return t.seed; }));
  h5::write_column(group, "max_epochs", column<I64>(trials, [](auto& t) { return t.max_epochs; }));
  h5::write_column(group, "epochs_run",
                   column<I64>(trials, [](auto& t) { return t.epochs_run(); }));
  h5::write_column(group, "rung", column<I64>(trials, [](auto& t) { return t.rung; }));
  h5::write_column(group, "worker", column<I64>(trials, [](auto& t) { return t.worker; }));
  h5::write_column(group, "attempts", column<I64>(trials, [](auto& t) { return t.attempts; }));
  h5::write_column(group, "lost", column<I64>(trials, [](auto& t) { return t.lost; }));
  h5::write_column(group, "checkpoint_epoch",
                   column<I64>(trials, [](auto& t) { return t.checkpoint_epoch; }));
  h5::write_column(group, "start_time",
                   column<double>(trials, [](auto& t) { return t.start_time; }));
  h5::write_column(group, "end_time", column<double>(trials, [](auto& t) { return t.end_time; }));
  h5::write_column(group, "best_value", column<double>(trials, [direction](auto& t) {
                     return or_nan(t.best_value(direction));
                   }));
  h5::write_column(group, "last_value",
                   column<double>(trials, [](auto& t) { return or_nan(t.last_value()); }));
  h5::write_column(group, "reason", column<std::string>(trials, [](auto& t) { return t.reason; }));
  if (!config.multi.objectives.empty()) {
    // objectives: which trials are on the Pareto front, and which meet every constraint.
    std::vector<bool> on_front(trials.size(), false), feasible(trials.size(), false);
    for (const int id : pareto_front(trials, config.multi)) on_front[static_cast<std::size_t>(id)] = true;
    for (std::size_t i = 0; i < trials.size(); ++i) {
      feasible[i] = constraint_violation(*trials[i], config.multi.constraints) <= 0;
    }
    h5::write_column(group, "pareto_front", on_front);
    h5::write_column(group, "feasible", feasible);
  }
  write_param_columns(group, config.space, trials);
  write_segments(group, config.space, trials);
}

/// Long format: one row per reported epoch, by trial id then epoch; a dataset per stored
/// field of EpochResult, and /curves/metrics/NAME per metric (NaN where an epoch has none).
void write_curves(const h5::Group& root, const Trials& trials) {
  using Integers = std::vector<std::int64_t>;
  using Reals = std::vector<double>;
  constexpr std::size_t kFields = std::size(kEpochFieldNames);
  std::vector<Integers> integers(kFields);
  std::vector<Reals> reals(kFields);
  Integers trial_id;
  const std::vector<std::string> names = metric_names(trials);
  std::vector<Reals> metrics(names.size());
  for (const TrialRecord* trial : trials) {
    for (const EpochResult& result : trial->curve) {
      trial_id.push_back(trial->id);
      for_each_stored_field(result, [&](std::size_t i, const char*, const auto& member) {
        using T = std::decay_t<decltype(member)>;
        if constexpr (std::is_same_v<T, int>) {
          integers[i].push_back(member);
        } else if constexpr (std::is_same_v<T, double>) {
          reals[i].push_back(member);
        } else {
          static_assert(std::is_same_v<T, std::vector<Metric>>, "a field study.h5 cannot store");
          for (std::size_t m = 0; m < names.size(); ++m) {
            metrics[m].push_back(
                result.metric(names[m]).value_or(std::numeric_limits<double>::quiet_NaN()));
          }
        }
      });
    }
  }
  const h5::Group group = root.create_group(layout::kCurves);
  h5::write_column(group, "trial_id", trial_id);
  for_each_stored_field(EpochResult{}, [&](std::size_t i, const char* name, const auto& member) {
    using T = std::decay_t<decltype(member)>;
    if constexpr (std::is_same_v<T, int>) {
      h5::write_column(group, name, integers[i]);
    } else if constexpr (std::is_same_v<T, double>) {
      h5::write_column(group, name, reals[i]);
    } else {
      const h5::Group metric_group = group.create_group(name);
      for (std::size_t m = 0; m < names.size(); ++m) {
        h5::write_column(metric_group, names[m], metrics[m]);
      }
    }
  });
}

std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

/// The bytes of the study file for `snapshot`, built in memory.
std::vector<std::uint8_t> contents(const std::string& path, const StudySnapshot& snapshot) {
  Trials trials;
  trials.reserve(snapshot.trials->size());
  for (const TrialRecord& trial : *snapshot.trials) trials.push_back(&trial);
  std::stable_sort(trials.begin(), trials.end(),
                   [](const TrialRecord* a, const TrialRecord* b) { return a->id < b->id; });

  h5::File file = h5::File::create_in_memory(path);
  {
    const h5::Group root = file.root();
    write_root_attributes(root, snapshot);
    h5::write_scalar_string(root, layout::kStudyYaml, snapshot.config->text);
    write_trials(root, *snapshot.config, trials);
    write_curves(root, trials);
    if (snapshot.test) {
      const h5::Group test = root.create_group(layout::kTest);
      h5::write_int_attribute(test, "trial_id", snapshot.test->trial_id);
      h5::write_double_attribute(test, "accuracy", snapshot.test->accuracy);
      h5::write_double_attribute(test, "loss", snapshot.test->loss);
    }
    const h5::Group state = root.create_group(layout::kState);
    h5::write_column(state, "sampler", bytes_of(snapshot.sampler_state));
    h5::write_column(state, "scheduler", bytes_of(snapshot.scheduler_state));
  }
  return file.close_to_image();
}

}  // namespace

void write_study_file(const std::string& path, const StudySnapshot& snapshot) {
  if (snapshot.config == nullptr || snapshot.trials == nullptr) {
    throw Error("write_study_file(" + path + "): the snapshot has no config or no trials");
  }
  replace_file_atomically(path, contents(path, snapshot));
}

}  // namespace rungs

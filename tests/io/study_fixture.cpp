#include "study_fixture.h"

#include <cmath>

namespace rungs::testing {

const char* const kStudyYaml = R"(name: t
seed: 1
objective: {model: mlp, metric: val_accuracy, direction: maximize}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
  layers: {type: int, low: 1, high: 4}
  optimizer: {type: categorical, choices: [sgd, adam]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
  nesterov: {type: categorical, choices: [true, false]}
  width: {type: categorical, choices: [64, auto]}
sampler: random
scheduler: fifo
budget: {max_trials: 4, epochs: 2}
)";

namespace {

ParamSpec numeric(const std::string& name, ParamKind kind, double low, double high) {
  ParamSpec spec;
  spec.name = name;
  spec.kind = kind;
  spec.low = low;
  spec.high = high;
  spec.step = kind == ParamKind::Int ? 1.0 : 0.0;
  return spec;
}

ParamSpec categorical(const std::string& name, std::vector<ParamValue> choices) {
  ParamSpec spec;
  spec.name = name;
  spec.kind = ParamKind::Categorical;
  spec.choices = std::move(choices);
  return spec;
}

std::string text(const char* value) { return std::string(value); }

}  // namespace

StudyConfig sample_config() {
  ParamSpec lr = numeric("lr", ParamKind::Float, 1.0e-4, 1.0e-1);
  lr.log = true;
  ParamSpec momentum = numeric("momentum", ParamKind::Float, 0.0, 0.99);
  momentum.when = Condition{"optimizer", {text("sgd")}};
  StudyConfig config;
  config.path = "study.yaml";
  config.text = kStudyYaml;
  config.name = "t";
  config.output_dir = "runs/t";
  config.seed = 1;
  config.objective.metric = "val_accuracy";
  config.objective.direction = Direction::Maximize;
  config.space = SearchSpace({lr, numeric("layers", ParamKind::Int, 1, 4),
                              categorical("optimizer", {text("sgd"), text("adam")}), momentum,
                              categorical("nesterov", {true, false}),
                              categorical("width", {std::int64_t{64}, text("auto")})});
  config.budget.max_trials = 4;
  config.budget.epochs = 2;
  return config;
}

TrialRecord sample_trial(int id, int max_epochs) {
  static const TrialStatus kStatuses[] = {TrialStatus::Completed, TrialStatus::Stopped,
                                          TrialStatus::Failed, TrialStatus::Running,
                                          TrialStatus::Paused};
  TrialRecord trial;
  trial.id = id;
  trial.status = kStatuses[id % 5];
  trial.params["lr"] = 0.001 * (id + 1);
  trial.params["layers"] = std::int64_t{1 + id % 4};
  trial.params["optimizer"] = text(id % 2 == 0 ? "adam" : "sgd");
  if (id % 2 == 1) trial.params["momentum"] = 0.9;
  trial.params["nesterov"] = id % 3 == 0;
  if (id % 2 == 0) {
    trial.params["width"] = std::int64_t{64};
  } else {
    trial.params["width"] = text("auto");
  }
  trial.seed = 1000 + static_cast<std::uint64_t>(id);
  trial.max_epochs = max_epochs;
  trial.rung = id % 3;
  trial.worker = 1 + id % 2;
  trial.attempts = 1 + id % 3;
  trial.lost = id % 2;
  trial.start_time = 1.7e9 + id;
  trial.end_time = is_finished(trial.status) ? trial.start_time + 60.0 : 0.0;
  if (trial.status == TrialStatus::Failed) trial.reason = "loss became NaN at epoch 2";
  if (trial.status == TrialStatus::Stopped) trial.reason = "below the median at rung 1";
  const int epochs = (7 * id) % 11;
  trial.checkpoint_epoch = epochs / 2;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    EpochResult result;
    result.epoch = epoch;
    result.value = 0.5 + 0.04 * epoch - 0.001 * id;
    result.metrics = {{"val_accuracy", result.value},
                      {"val_loss", 1.0 / epoch + 0.01 * id},
                      {"train_loss", 0.9 / epoch}};
    if (id % 3 == 1 && epoch % 2 == 0) result.set_metric("bleu", 20.0 + epoch);  // now and then
    result.seconds = 1.5 + 0.1 * epoch;
    result.time = 10.0 * id + epoch;
    trial.curve.push_back(result);
  }
  if (epochs >= 8) {
    // PBT segments: from epoch 4 a clone of trial 1's checkpoint at epoch 3 with a larger
    // lr, from epoch 7 a clone of trial 0 (no checkpoint needed here) on adam, no momentum.
    Params second = trial.params;
    second["lr"] = 0.0012 * (id + 1);
    Params third = second;
    third["optimizer"] = text("adam");
    third.erase("momentum");
    third["width"] = std::int64_t{64};
    trial.segments = {Segment{0, trial.params, -1, -1}, Segment{4, second, 1, 3}, Segment{7, third, 0, 2}};
  }
  return trial;
}

std::vector<TrialRecord> sample_trials(int count) {
  std::vector<TrialRecord> trials;
  for (int id = 0; id < count; ++id) trials.push_back(sample_trial(id));
  return trials;
}

TrialRecord timing_trial(int id, int epochs) {
  TrialRecord trial = sample_trial(id, epochs);
  trial.curve.clear();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    EpochResult result;
    result.epoch = epoch;
    result.value = std::sin(id + epoch);
    result.metrics = {{"val_accuracy", result.value},
                      {"val_loss", std::cos(id * epoch)},
                      {"train_loss", 1.0 / epoch}};
    result.seconds = 2.0;
    result.time = 2.0 * epoch;
    trial.curve.push_back(result);
  }
  return trial;
}

TrialRecord stored_form(TrialRecord trial) {
  const auto as_text = [](Params& params) {
    const auto width = params.find("width");
    if (width != params.end()) width->second = to_string(width->second);
  };
  as_text(trial.params);
  for (Segment& segment : trial.segments) as_text(segment.params);
  return trial;
}

namespace {

/// The same metrics, in any order (study.h5 keeps them in name order).
bool same_metrics(const EpochResult& a, const EpochResult& b) {
  if (a.metrics.size() != b.metrics.size()) return false;
  for (const Metric& m : a.metrics) {
    if (b.metric(m.name) != m.value) return false;
  }
  return true;
}

bool same_epoch(const EpochResult& a, const EpochResult& b) {
  return a.epoch == b.epoch && a.value == b.value && same_metrics(a, b) &&
         a.seconds == b.seconds && a.time == b.time;
}

}  // namespace

std::string difference(const TrialRecord& a, const TrialRecord& b) {
  const std::string where = "trial " + std::to_string(a.id) + ": ";
  if (a.id != b.id) return where + "id differs: " + std::to_string(b.id);
  if (a.params != b.params) {
    return where + "params differ: " + to_string(a.params) + " vs " + to_string(b.params);
  }
  if (a.status != b.status) {
    return where + "status differs: " + to_string(a.status) + " vs " + to_string(b.status);
  }
  if (a.seed != b.seed || a.max_epochs != b.max_epochs || a.rung != b.rung ||
      a.worker != b.worker || a.attempts != b.attempts || a.lost != b.lost ||
      a.checkpoint_epoch != b.checkpoint_epoch) {
    return where + "seed, max_epochs, rung, worker, attempts, lost or checkpoint_epoch differs";
  }
  if (a.start_time != b.start_time || a.end_time != b.end_time) {
    return where + "start_time or end_time differs";
  }
  if (a.reason != b.reason)
    return where + "reason differs: '" + a.reason + "' vs '" + b.reason + "'";
  if (a.curve.size() != b.curve.size()) {
    return where + "curve has " + std::to_string(a.curve.size()) + " vs " +
           std::to_string(b.curve.size()) + " epochs";
  }
  for (std::size_t i = 0; i < a.curve.size(); ++i) {
    if (!same_epoch(a.curve[i], b.curve[i]))
      return where + "curve differs at row " + std::to_string(i);
  }
  if (a.segments.size() != b.segments.size()) {
    return where + "has " + std::to_string(a.segments.size()) + " vs " + std::to_string(b.segments.size()) +
           " segments";
  }
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const Segment& x = a.segments[i];
    const Segment& y = b.segments[i];
    if (x.start_epoch != y.start_epoch || x.params != y.params || x.clone_trial != y.clone_trial ||
        x.clone_epoch != y.clone_epoch) {
      return where + "segment " + std::to_string(i) + " differs: " + to_string(x.params) + " vs " +
             to_string(y.params);
    }
  }
  return "";
}

}  // namespace rungs::testing

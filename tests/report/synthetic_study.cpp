#include "synthetic_study.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace rungs::testing {
namespace {

constexpr double kStart = 1.78e9;       // unix seconds when the study "started"
constexpr double kEpochSeconds = 2.0;   // every epoch takes this long
constexpr int kRungEpochs[] = {1, 3, 9};
constexpr double kNaNAboveLr = 0.07;    // trials with a larger lr diverge at epoch 1

double ceiling(const Params& p) {
  const double lr = std::get<double>(p.at("lr"));
  const double centred = (std::log10(lr) + 2.5) / 0.8;
  double q = 0.55 + 0.33 * std::exp(-centred * centred);
  q += 0.01 * static_cast<double>(std::get<std::int64_t>(p.at("layers")));
  if (std::get<std::string>(p.at("optimizer")) == "sgd") q -= 0.03;
  return q;
}

double curve_value(double top, int epoch, double noise) {
  return top * (1.0 - std::exp(-(epoch + 1.0) / 2.5)) + noise;
}

}  // namespace

std::string synthetic_yaml(const SyntheticOptions& options) {
  std::string text =
      "name: synthetic\n"
      "seed: " + std::to_string(options.seed) + "\n"
      "objective: {model: mlp, metric: val_accuracy, direction: maximize}\n"
      "search_space:\n"
      "  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}\n"
      "  dropout: {type: float, low: 0.0, high: 0.5, step: 0.1}\n"
      "  layers: {type: int, low: 1, high: 3}\n"
      "  optimizer: {type: categorical, choices: [sgd, adam, adamw]}\n"
      "  momentum: {type: float, low: 0.5, high: 0.99, when: {optimizer: [sgd]}}\n"
      "  batch_size: {type: categorical, choices: [64, 128, 256]}\n";
  if (options.awkward_text) {
    text += "  note: {type: categorical, choices: [plain, \"with, comma\", 'say \"hi\"', caf\xc3\xa9]}\n";
  }
  text +=
      "sampler: random\n"
      "scheduler: {name: asha, reduction_factor: 3, min_resource: 1}\n"
      "budget: {max_trials: " + std::to_string(std::max(1, options.trials)) + ", epochs: 9}\n";
  return text;
}

StoredStudy SyntheticStudy::stored() const {
  StoredStudy s;
  s.config_text = config.text;
  s.name = config.name;
  s.metric = config.objective.metric;
  s.direction = config.objective.direction;
  s.state = state;
  s.start_time = start_time;
  s.elapsed = elapsed;
  s.trials = trials;
  return s;
}

StudySnapshot SyntheticStudy::snapshot() const {
  StudySnapshot s;
  s.config = &config;
  s.trials = &trials;
  s.state = state;
  s.start_time = start_time;
  s.elapsed = elapsed;
  return s;
}

SyntheticStudy synthetic_study(const SyntheticOptions& options) {
  SyntheticStudy study;
  study.config = parse_study_config(synthetic_yaml(options), "synthetic.yaml");
  study.state = options.running ? "running" : "finished";
  study.start_time = kStart;
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.004);

  std::vector<std::vector<double>> at_rung(3);  // values reported at each rung so far
  double worker_free[2] = {0.0, 0.0};
  for (int id = 0; id < options.trials; ++id) {
    TrialRecord t;
    t.id = id;
    t.seed = 100 + static_cast<std::uint64_t>(id);
    t.max_epochs = 9;
    t.params["lr"] = std::pow(10.0, -4.0 + 3.0 * unit(rng));
    t.params["dropout"] = std::floor(6.0 * unit(rng)) / 10.0;
    t.params["layers"] = std::int64_t{1 + static_cast<int>(3.0 * unit(rng))};
    const char* optimizers[] = {"sgd", "adam", "adamw"};
    t.params["optimizer"] = std::string(optimizers[static_cast<int>(3.0 * unit(rng))]);
    if (std::get<std::string>(t.params["optimizer"]) == "sgd") t.params["momentum"] = 0.5 + 0.49 * unit(rng);
    const std::int64_t batches[] = {64, 128, 256};
    t.params["batch_size"] = batches[static_cast<int>(3.0 * unit(rng))];
    if (options.awkward_text) {
      const char* notes[] = {"plain", "with, comma", "say \"hi\"", "caf\xc3\xa9"};
      t.params["note"] = std::string(notes[id % 4]);
    }
    const int worker = worker_free[0] <= worker_free[1] ? 0 : 1;
    t.worker = worker + 1;
    const double begin = worker_free[worker];
    t.start_time = kStart + begin;

    const bool running = options.running && id >= options.trials - options.running_trials;
    const double top = ceiling(t.params);
    int epochs = 9;
    if (std::get<double>(t.params["lr"]) > kNaNAboveLr) {
      t.status = TrialStatus::Failed;
      t.reason = options.awkward_text ? "loss became NaN at epoch 1, lr \"too high\"\nsee the log"
                                      : "loss became NaN at epoch 1";
      epochs = 0;
    } else {
      t.status = TrialStatus::Completed;
      // ASHA (stop mode): at each rung, continue only when in the top third so far.
      for (int rung = 0; rung < 2; ++rung) {
        const int e = kRungEpochs[rung];
        const double v = curve_value(top, e, 0.0);
        auto& seen = at_rung[rung];
        seen.push_back(v);
        const auto better = std::count_if(seen.begin(), seen.end(), [&](double x) { return x > v; });
        const auto keep = std::max<std::size_t>(1, seen.size() / 3);
        if (static_cast<std::size_t>(better) >= keep) {
          t.status = TrialStatus::Stopped;
          t.reason = "not in the top 1/3 at rung " + std::to_string(rung);
          epochs = e;
          break;
        }
      }
    }
    if (running) {
      t.status = TrialStatus::Running;
      t.reason.clear();
      epochs = std::min(epochs, 1 + id % 2);
    }
    for (int e = 1; e <= epochs; ++e) {
      EpochResult r;
      r.epoch = e;
      r.value = curve_value(top, e, noise(rng));
      r.metrics = {{"val_accuracy", r.value},
                   {"val_loss", 1.6 * (1.0 - r.value)},
                   {"train_loss", 1.5 * (1.0 - r.value) - 0.01 * e}};
      r.seconds = kEpochSeconds;
      r.time = begin + kEpochSeconds * e;
      t.curve.push_back(r);
    }
    t.rung = epochs >= 9 ? 2 : epochs >= 3 ? 1 : 0;
    const double finish = begin + kEpochSeconds * std::max(epochs, 1) + 0.5;
    t.end_time = running ? 0.0 : kStart + finish;
    worker_free[worker] = finish;
    study.elapsed = std::max(study.elapsed, finish);
    study.trials.push_back(std::move(t));
  }
  return study;
}

}  // namespace rungs::testing

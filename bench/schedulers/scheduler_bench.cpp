// The scheduling simulator's figures for every scheduler at 16, 256 and 4096 workers
// (schedulers/sim/). Deterministic: the same build prints the same tables.
//
//   scheduler_bench [--workers 16,256,4096] [--trials-per-worker 64] [--max-trials 100000]
//   scheduler_bench --curves-for-optuna DIR [--seeds 1,2,3] [--trials 1000]
//
// The second form writes DIR/curves_SEED.csv for asha_vs_optuna.py: every configuration's
// reported values and how many epochs rungs' ASHA (one worker, default options) gave it.
//
// Table 1: a realistic study (6 hyperparameters, 9 epochs, epoch costs 0.5-1.5 by
// configuration, 2% failures). Table 2: the ASHA paper's setting (eta = 3, R/r = 9, equal
// costs, 9 trials per worker, one synchronous bracket of W * eta^2 trials), where ASHA's
// first configuration trained to R arrives after time(R) and synchronous SH's after
// 2.33 time(R) (3 time(R) when promoted trials retrain instead of resuming).
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "samplers/enqueued_sampler.h"

#include "schedulers/sim/report.h"
#include "study/config.h"

namespace {

using namespace rungs;

StudyConfig study(int trials) {
  return parse_study_config(
      "name: bench\nseed: 1\nobjective: {model: mlp}\n"
      "search_space:\n"
      "  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}\n"
      "  width: {type: int, low: 32, high: 1024, log: true}\n"
      "  layers: {type: int, low: 1, high: 4}\n"
      "  dropout: {type: float, low: 0.0, high: 0.6}\n"
      "  weight_decay: {type: float, low: 1.0e-6, high: 1.0e-2, log: true}\n"
      "  optimizer: {type: categorical, choices: [sgd, adam, adamw]}\n"
      "  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}\n"
      "budget: {max_trials: " + std::to_string(trials) + ", epochs: 9}\n",
      "bench.yaml");
}

sim::Contender brackets_of(const StudyConfig& config, long long n) {
  return {"sh brackets " + std::to_string(n),
          AlgorithmOptions("successive_halving", {{"trials_per_bracket", static_cast<std::int64_t>(n)}},
                           config.where("scheduler"))};
}

void table(const std::string& title, const StudyConfig& config, std::vector<sim::Contender> contenders,
           const sim::SimSettings& settings) {
  const auto begin = std::chrono::steady_clock::now();
  const auto results = sim::compare(config, contenders, settings);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::cout << "\n" << title << " (" << settings.workers << " workers, " << config.budget.max_trials
            << " trials; simulated in " << seconds << " s)\n";
  sim::print_table(std::cout, results);
}

/// One row per trial: id, epochs ASHA ran it, noise-free final value, then the value it
/// reports after each epoch 1..R (what any scheduler would see).
void write_curves(const std::string& path, int trials, std::uint64_t seed) {
  StudyConfig config = study(trials);
  config.seed = seed;
  const AlgorithmOptions asha("asha", {}, config.where("scheduler"));
  auto sampler = make_study_sampler(config);
  auto scheduler = make_scheduler(asha, config.budget.epochs, config.objective.direction);
  sim::SimSettings settings;
  settings.workers = 1;
  settings.objective.seed = seed;
  sim::Simulation simulation(config, *sampler, *scheduler, settings);
  simulation.run();
  std::ofstream out(path);
  out << std::setprecision(17) << "trial,asha_epochs,truth";
  for (int e = 1; e <= config.budget.epochs; ++e) out << ",v" << e;
  out << "\n";
  for (const TrialRecord& t : simulation.trials()) {
    const sim::Curve& curve = simulation.curve(t.id);
    out << t.id << "," << t.epochs_run() << "," << simulation.objective().truth(curve, config.budget.epochs);
    for (int e = 1; e <= config.budget.epochs; ++e) out << "," << simulation.objective().observed(curve, e, t.seed);
    out << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Scheduling simulator figures for every rungs scheduler"};
  std::vector<int> workers{16, 256, 4096};
  int per_worker = 64, max_trials = 100000;
  app.add_option("--workers", workers, "Worker counts")->delimiter(',');
  app.add_option("--trials-per-worker", per_worker, "Trial budget per worker (table 1)");
  app.add_option("--max-trials", max_trials, "Cap on the trial budget (table 1)");
  std::string curves_dir;
  std::vector<std::uint64_t> seeds{1, 2, 3, 4, 5};
  int curve_trials = 1000;
  app.add_option("--curves-for-optuna", curves_dir, "Write curves_SEED.csv files here and exit");
  app.add_option("--seeds", seeds, "Seeds of the curve files")->delimiter(',');
  app.add_option("--trials", curve_trials, "Trials per curve file");
  CLI11_PARSE(app, argc, argv);

  if (!curves_dir.empty()) {
    for (std::uint64_t seed : seeds) {
      write_curves(curves_dir + "/curves_" + std::to_string(seed) + ".csv", curve_trials, seed);
    }
    return 0;
  }

  for (int w : workers) {
    const StudyConfig config = study(std::min<long long>(static_cast<long long>(per_worker) * w, max_trials));
    sim::SimSettings settings;
    settings.workers = w;
    settings.objective.seed = 1;
    settings.objective.cost_spread = 1.0;
    settings.objective.failure_rate = 0.02;
    auto contenders = sim::standard_lineup(config);
    contenders.push_back(brackets_of(config, 9LL * w));
    table("Table 1: uneven costs", config, contenders, settings);
  }
  for (int w : workers) {
    const StudyConfig config = study(9 * w);
    sim::SimSettings settings;
    settings.workers = w;
    settings.objective.seed = 1;
    settings.objective.cost_spread = 0.0;
    std::vector<sim::Contender> contenders;
    for (const auto& c : sim::standard_lineup(config)) {
      if (c.label == "asha" || c.label == "asha promotion" || c.label == "successive_halving") contenders.push_back(c);
    }
    table("Table 2: the ASHA paper's setting, resuming from checkpoints", config, contenders, settings);
    settings.retrain_on_resume = true;
    table("Table 2b: the same, promoted trials retrain from scratch", config, contenders, settings);
  }
  return 0;
}

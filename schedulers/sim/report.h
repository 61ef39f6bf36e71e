#pragma once
/// Comparing schedulers on one study in the simulator, and the table of figures that
/// `rungs simulate` and bench/schedulers print.
#include <iosfwd>
#include <string>
#include <vector>

#include "schedulers/sim/simulation.h"
#include "study/config.h"

namespace rungs::sim {

/// A scheduler to simulate: a label for the table and its options.
struct Contender {
  std::string label;
  AlgorithmOptions options;
};

/// fifo, asha, asha in promotion mode, successive_halving, hyperband and median, each with
/// its default options for `config` (whose scheduler entry is ignored).
std::vector<Contender> standard_lineup(const StudyConfig& config);

/// The scheduler of `config` itself, and fifo as the reference when it is another one.
std::vector<Contender> own_lineup(const StudyConfig& config);

/// Simulates `config` with each contender (same sampler, same objective, same workers).
std::vector<SimResult> compare(const StudyConfig& config, const std::vector<Contender>& contenders,
                               const SimSettings& settings);

/// The best best_truth of `results`: the reference for regret, common to all of them.
double common_reference(const std::vector<SimResult>& results);

/// Times are given in units of time(R) (`T`), the time one configuration takes to train
/// all of budget.epochs. Columns: first configuration trained to R, makespan, utilization
/// over the whole run and while the trial budget lasted, epochs, trials stopped/paused,
/// and the regret of the incumbent at 1T, 3T, 10T and at the end, against the best
/// configuration any of the runs sampled.
void print_table(std::ostream& out, const std::vector<SimResult>& results);

}  // namespace rungs::sim

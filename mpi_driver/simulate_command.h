#pragma once
/// `rungs simulate STUDY.yaml --workers N`: the study's scheduling in virtual time, against
/// a synthetic objective instead of training (schedulers/sim/). No MPI, no data, no GPU.
#include <iosfwd>
#include <string>
#include <vector>

namespace rungs {

/// Loads the study file (ConfigError on bad input, as every command) and simulates it on
/// `workers` workers. When the study's scheduler is fifo (the default), it compares every
/// scheduler with its default options side by side; otherwise the study's scheduler and
/// fifo. Prints the table to `out` and returns 0.
int command_simulate(const std::string& study_yaml, int workers, std::ostream& out,
                     const std::vector<std::string>& overrides = {});

}  // namespace rungs

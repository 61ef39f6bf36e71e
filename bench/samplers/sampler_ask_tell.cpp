// One rungs sampler driven over a pipe, for benchmarks written in Python
// (bench/samplers/conditional.py): the sampler of a study file (its `sampler:`, or the
// default when it has none) over its search space, minimising.
//
//   sampler_ask_tell STUDY.yaml SEED
//
// Reads commands on stdin, one per line, and answers on stdout:
//   ask        -> the new trial's parameters, "name=value" separated by spaces (trial ids
//                 count from 0 in the order asked); pending trials are running ones
//   tell K V   -> trial K completed with value V; no answer. A study file with
//                 `objectives:` takes one value per objective: tell K V1 V2 ...
// Exits at the end of its input; a bad command or study file: a message, exit status 2.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "samplers/sampler.h"
#include "study/config.h"
#include "study/errors.h"

using namespace rungs;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: sampler_ask_tell STUDY.yaml SEED\n");
    return 2;
  }
  try {
    const StudyConfig config = load_study_config(argv[1]);
    MultiObjective multi = config.multi;
    if (multi.objectives.empty()) multi.objectives = {{"value", Direction::Minimize}};
    auto sampler = make_sampler(config.sampler, config.space, Direction::Minimize,
                                std::stoull(argv[2]), multi);
    std::vector<TrialRecord> trials;
    for (std::string line; std::getline(std::cin, line);) {
      std::istringstream in(line);
      std::string command;
      in >> command;
      if (command == "ask") {
        const int id = static_cast<int>(trials.size());
        const auto params = sampler->suggest(id, trials);
        if (!params) throw Error("the sampler has nothing left to suggest");
        TrialRecord t;
        t.id = id;
        t.params = *params;
        t.status = TrialStatus::Running;
        t.max_epochs = 1;
        trials.push_back(t);
        std::string out;
        for (const auto& [name, value] : *params)
          out += (out.empty() ? "" : " ") + name + "=" + to_string(value);
        std::cout << out << std::endl;
      } else if (command == "tell") {
        std::size_t k = 0;
        if (!(in >> k) || k >= trials.size()) throw Error("bad command: " + line);
        EpochResult r;
        r.epoch = 1;
        for (const Objective& objective : multi.objectives) {
          double value = 0;
          if (!(in >> value)) throw Error("bad command (one value per objective): " + line);
          r.set_metric(objective.metric, value);
        }
        r.value = r.metrics.front().value;
        TrialRecord& t = trials[k];
        t.status = TrialStatus::Completed;
        t.curve = {r};
        sampler->on_trial_end(t);
      } else if (!command.empty()) {
        throw Error("unknown command: " + line);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sampler_ask_tell: %s\n", e.what());
    return 2;
  }
  return 0;
}

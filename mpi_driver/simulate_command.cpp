#include "mpi_driver/simulate_command.h"

#include <ostream>

#include "schedulers/sim/report.h"
#include "study/config.h"
#include "study/errors.h"

namespace rungs {

int command_simulate(const std::string& study_yaml, int workers, std::ostream& out,
                     const std::vector<std::string>& overrides) {
  if (workers < 1) throw ConfigError("--workers: " + std::to_string(workers) + " must be >= 1");
  const StudyConfig config = load_study_config(study_yaml, overrides);
  const std::vector<sim::Contender> contenders = config.scheduler.name() == "fifo"
                                                     ? sim::standard_lineup(config)
                                                     : sim::own_lineup(config);
  sim::SimSettings settings;
  settings.workers = workers;
  settings.objective = sim::objective_settings(config);

  out << "Simulated study '" << config.name << "': " << config.budget.max_trials << " trials of at most "
      << config.budget.epochs << " epochs, sampler " << config.sampler.name() << ", " << workers
      << " workers, synthetic learning curves (virtual time; T = time to train one configuration "
         "for all its epochs)\n";
  sim::print_table(out, sim::compare(config, contenders, settings));
  out << "first_R: when the first configuration was trained to the end; util: busy share of "
         "the workers' time; steady: the same while the trial budget lasted; regretNT: how far "
         "the best trial so far is from the best sampled configuration after N*T.\n";
  return 0;
}

}  // namespace rungs

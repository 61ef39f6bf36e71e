#include "schedulers/asha.h"
#include "schedulers/fifo.h"
#include "schedulers/hyperband.h"
#include "schedulers/median.h"
#include "schedulers/mo_asha.h"
#include "schedulers/scheduler_options.h"
#include "schedulers/pbt.h"
#include "schedulers/scheduler.h"
#include "schedulers/successive_halving.h"

namespace rungs {

std::unique_ptr<Scheduler> make_scheduler(const AlgorithmOptions& options, int max_epochs,
                                          Direction direction, const SchedulerContext& study) {
  const std::string& name = options.name();
  std::unique_ptr<Scheduler> scheduler;
  if (name == "fifo") {
    scheduler = std::make_unique<FifoScheduler>(max_epochs);
  } else if (name == "asha" && study.objectives.size() >= 2) {
    scheduler = std::make_unique<MoAshaScheduler>(read_ladder(options, max_epochs, true), study.objectives,
                                                  read_promotion_mode(options));
  } else if (name == "asha") {
    scheduler = AshaScheduler::from_options(options, max_epochs, direction);
  } else if (name == "successive_halving") {
    scheduler = SuccessiveHalvingScheduler::from_options(options, max_epochs, direction);
  } else if (name == "hyperband") {
    scheduler = HyperbandScheduler::from_options(options, max_epochs, direction);
  } else if (name == "median") {
    scheduler = MedianStoppingScheduler::from_options(options, max_epochs, direction);
  } else if (name == "pbt") {
    const PbtOptions pbt = PbtScheduler::read_options(options);
    if (study.space == nullptr) options.fail("name", "needs the study's search space");
    scheduler = std::make_unique<PbtScheduler>(pbt, max_epochs, direction, *study.space, study.seed);
  } else {
    options.fail("name", "'" + name +
                             "' is not a scheduler (expected: fifo, asha, successive_halving, "
                             "hyperband, median, pbt)");
  }
  options.finish();
  return scheduler;
}

}  // namespace rungs

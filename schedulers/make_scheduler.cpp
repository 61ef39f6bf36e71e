#include "schedulers/asha.h"
#include "schedulers/fifo.h"
#include "schedulers/hyperband.h"
#include "schedulers/median.h"
#include "schedulers/pbt.h"
#include "schedulers/scheduler.h"
#include "schedulers/successive_halving.h"

namespace rungs {

std::unique_ptr<Scheduler> make_scheduler(const AlgorithmOptions& options, int max_epochs,
                                          Direction direction, const SearchSpace* space,
                                          std::uint64_t seed) {
  const std::string& name = options.name();
  std::unique_ptr<Scheduler> scheduler;
  if (name == "fifo") {
    scheduler = std::make_unique<FifoScheduler>(max_epochs);
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
    if (space == nullptr) options.fail("name", "needs the study's search space");
    scheduler = std::make_unique<PbtScheduler>(pbt, max_epochs, direction, *space, seed);
  } else {
    options.fail("name", "'" + name +
                             "' is not a scheduler (expected: fifo, asha, successive_halving, "
                             "hyperband, median, pbt)");
  }
  options.finish();
  return scheduler;
}

}  // namespace rungs

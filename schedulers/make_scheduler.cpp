#include "schedulers/fifo.h"
#include "schedulers/scheduler.h"

namespace rungs {

std::unique_ptr<Scheduler> make_scheduler(const AlgorithmOptions& options, int max_epochs,
                                          Direction /*direction*/) {
  const std::string& name = options.name();
  std::unique_ptr<Scheduler> scheduler;
  if (name == "fifo") {
    scheduler = std::make_unique<FifoScheduler>(max_epochs);
  } else {
    options.fail("name", "'" + name + "' is not a scheduler (expected: fifo)");
  }
  options.finish();
  return scheduler;
}

}  // namespace rungs

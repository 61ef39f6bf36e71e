// A C++ training program for rungs' tests, through the one-header client: the synthetic
// curve of synthetic.py (peak at lr = 1e-2), its state in a checkpoint folder, resumed.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "rungs_trial.h"

int main() {
  rungs_trial::Trial trial({{"lr", "0.001"}}, 3);
  const double lr = trial.number("lr");
  int done = 0;  // epochs the state has seen
  if (!trial.resume_from().empty()) {
    std::ifstream in(trial.resume_from() + "/state.txt");
    in >> done;
    if (done != trial.start_epoch()) return 4;  // resumed from the wrong checkpoint
  }
  for (int epoch = trial.start_epoch() + 1; epoch <= trial.end_epoch(); ++epoch) {
    for (int step = 0; step < 10; ++step) {
      if (trial.should_stop()) return 75;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    done = epoch;
    const std::string folder = trial.begin_checkpoint(epoch);
    std::ofstream(folder + "/state.txt") << done << "\n";
    trial.commit_checkpoint(epoch);
    const double accuracy = 0.9 - 0.05 * std::pow(std::log10(lr) + 2, 2) - 0.1 / epoch;
    if (trial.report(epoch, {{"val_accuracy", accuracy}, {"val_loss", 1 - accuracy}}) != "continue") break;
  }
  return 0;
}

#include "synthetic/synthetic_runner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "io/checkpoint_retention.h"
#include "io/study_file_atomic.h"
#include "study/checkpoint_path.h"
#include "study/errors.h"

namespace rungs {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds{20};
constexpr const char* kHeader = "rungs-synthetic-checkpoint epoch ";

/// Spends `seconds` asleep or spinning; false when `should_stop` asked to stop first.
bool spend(double seconds, SyntheticConfig::Mode mode, const InterruptCheck& should_stop) {
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(seconds));
  auto next_poll = Clock::now();
  for (;;) {
    const auto now = Clock::now();
    if (now >= next_poll) {
      if (should_stop && should_stop()) return false;
      next_poll = now + kPoll;
    }
    if (now >= until) return true;
    if (mode == SyntheticConfig::Mode::Sleep) std::this_thread::sleep_until(std::min(until, next_poll));
  }
}

void write_epoch(const std::string& file, int epoch) {
  const std::filesystem::path target(file);
  if (target.has_parent_path()) create_folders_durably(target.parent_path().string());
  const std::string text = kHeader + std::to_string(epoch) + "\n";
  replace_file_atomically(file, std::vector<std::uint8_t>(text.begin(), text.end()),
                          "checkpoint.before_rename");
}

/// The epoch index a checkpoint holds; TrialError naming the file when it has none.
int read_epoch(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line) || line.rfind(kHeader, 0) != 0) {
    throw TrialError(file + ": not a synthetic trial's checkpoint (missing or damaged)");
  }
  try {
    return std::stoi(line.substr(std::string(kHeader).size()));
  } catch (const std::exception&) {
    throw TrialError(file + ": not a synthetic trial's checkpoint (no epoch)");
  }
}

class SyntheticRunner final : public TrialRunner {
 public:
  explicit SyntheticRunner(const StudyConfig& config)
      : settings_(config.objective.synthetic),
        metric_(config.objective.metric),
        objective_(config.space, config.objective.direction, config.budget.epochs,
                   sim::objective_settings(config)) {}

  TrialOutcome run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override {
    try {
      return train(trial, on_epoch, should_stop);
    } catch (const StorageError& e) {
      return {TrialOutcome::Kind::Halted, e.what()};
    } catch (const TrialError& e) {
      return {TrialOutcome::Kind::Failed, e.what()};
    }
  }

  TestResult evaluate_test(const TrialAssignment& trial) override {
    throw TrialError("trial " + std::to_string(trial.trial_id) +
                     ": a synthetic objective has no test set");
  }

 private:
  TrialOutcome train(const TrialAssignment& trial, const EpochCallback& on_epoch,
                     const InterruptCheck& should_stop) {
    if (trial.start_epoch > 0) {
      if (trial.checkpoint.empty())
        throw TrialError("cannot resume at epoch " + std::to_string(trial.start_epoch) +
                         " without a checkpoint");
      const std::string file = checkpoint_file(trial.checkpoint, trial.start_epoch);
      const int saved = read_epoch(file);
      if (saved != trial.start_epoch)
        throw TrialError(file + ": holds " + std::to_string(saved) +
                         " epochs, the trial resumes after " + std::to_string(trial.start_epoch));
    }
    const sim::Curve curve = objective_.curve(trial.params, trial.seed);
    int saved = trial.start_epoch;  // as TorchRunner: the newest file and the one before stay
    const auto save_at = [&](int epochs) {
      if (trial.checkpoint.empty() || saved == epochs) return;
      write_epoch(checkpoint_file(trial.checkpoint, epochs), epochs);
      remove_old_checkpoints(trial.checkpoint, epochs, saved);
      saved = epochs;
    };
    for (int e = trial.start_epoch + 1; e <= trial.end_epoch; ++e) {
      const auto begin = Clock::now();
      if (!spend(curve.epoch_cost, settings_.mode, should_stop)) {
        return {TrialOutcome::Kind::Interrupted, ""};
      }
      if (curve.fail_epoch == e) {
        return {TrialOutcome::Kind::Failed, "synthetic failure at epoch " + std::to_string(e)};
      }
      EpochResult result;
      result.epoch = e;
      result.value = objective_.observed(curve, e, trial.seed);
      result.set_metric(metric_, result.value);
      result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
      if (trial.checkpoint_every > 0 && e % trial.checkpoint_every == 0) {
        save_at(e);
        result.checkpointed = !trial.checkpoint.empty();
      }
      const Verdict verdict = on_epoch(result);
      if (verdict == Verdict::Continue) continue;
      save_at(e);
      return {verdict == Verdict::Stop ? TrialOutcome::Kind::Stopped : TrialOutcome::Kind::Paused, ""};
    }
    save_at(std::max(trial.start_epoch, trial.end_epoch));
    return {TrialOutcome::Kind::Finished, ""};
  }

  SyntheticConfig settings_;
  std::string metric_;
  sim::SyntheticObjective objective_;
};

}  // namespace

std::unique_ptr<TrialRunner> make_synthetic_runner(const StudyConfig& config) {
  return std::make_unique<SyntheticRunner>(config);
}

}  // namespace rungs

#include "trainer/torch_runner.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <optional>
#include <utility>

#include "study/checkpoint_path.h"
#include "study/errors.h"
#include "study/fault.h"
#include "trainer/blas.h"
#include "io/checkpoint_retention.h"
#include "trainer/communicator_tensors.h"
#include "trainer/hyperparams.h"
#include "trainer/trainer.h"

namespace rungs {
namespace {

using Clock = std::chrono::steady_clock;

TrialOutcome ended(TrialOutcome::Kind kind, const std::string& reason) {
  TrialOutcome outcome;
  outcome.kind = kind;
  const auto end = reason.find('\n');
  outcome.reason = end == std::string::npos ? reason : reason.substr(0, end);
  return outcome;
}

TrialOutcome ended(TrialOutcome::Kind kind) { return ended(kind, ""); }

/// After a step every rank of a trial group takes alone (building the model, loading a
/// checkpoint), every rank learns whether any failed it, so that a rank that failed alone
/// does not leave the others waiting in the next collective. Returns the outcome this rank
/// reports: its own failure, else the group's (Halted where any rank's storage failed).
std::optional<TrialOutcome> agree(Communicator* group, std::optional<TrialOutcome> mine,
                                  const std::string& where) {
  if (!group) return mine;
  const bool halted = mine && mine->kind == TrialOutcome::Kind::Halted;
  double counts[2] = {mine && !halted ? 1.0 : 0.0, halted ? 1.0 : 0.0};  // failed, halted
  allreduce_host(*group, counts, 2);
  if (mine) {
    // Only the group's rank 0 reports the trial's outcome: the others' errors go to the log.
    if (group->rank() != 0) {
      std::cerr << "rungs: rank " << group->rank() << " of a trial group: " << mine->reason
                << std::endl;
    }
    return mine;
  }
  const int failed = static_cast<int>(counts[0] + counts[1]);
  if (failed == 0) return std::nullopt;
  return ended(counts[1] > 0 ? TrialOutcome::Kind::Halted : TrialOutcome::Kind::Failed,
               std::to_string(failed) + " of the " + std::to_string(group->size()) +
                   " ranks training this trial failed " + where + " (this is rank " +
                   std::to_string(group->rank()) + "; the error is in the failing rank's output)");
}

class TorchRunner final : public TrialRunner {
 public:
  explicit TorchRunner(const TrainerSettings& settings)
      : objective_(settings.objective),
        data_(std::make_shared<TrainingData>(objective_, settings.cuda_device)),
        group_(settings.group),
        writes_checkpoints_(!group_ || group_->rank() == 0),
        max_epochs_(settings.max_epochs) {}

  TrialOutcome run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override {
    std::unique_ptr<Trainer> trainer;
    if (auto failure = agree(group_.get(), attempt([&] { trainer = start(trial); }),
                             "to start it"))
      return *failure;

    // One file per checkpointed epoch: the newest may not be recorded by rank 0 yet, the
    // one before it (`saved` until then) is, so those two stay and older ones go.
    int saved = trial.start_epoch;  // epochs of this run's newest checkpoint file
    const auto save_at = [&](int epochs) {
      return attempt([&] {
        if (trial.checkpoint.empty() || saved == epochs || !writes_checkpoints_) return;
        trainer->save(checkpoint_file(trial.checkpoint, epochs), epochs, trial.trial_id);
        remove_old_checkpoints(trial.checkpoint, epochs, saved);
        saved = epochs;
      });
    };
    for (int epoch = trial.start_epoch; epoch < trial.end_epoch; ++epoch) {
      EpochResult result;
      bool interrupted = false;
      const auto begin = Clock::now();
      if (auto failure =
              attempt([&] { interrupted = !train_one(*trainer, epoch, should_stop, result); }))
        return *failure;
      if (interrupted) return ended(TrialOutcome::Kind::Interrupted);
      result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
      if (trial.checkpoint_every > 0 && result.epoch % trial.checkpoint_every == 0) {
        if (auto failure = save_at(result.epoch)) return *failure;
        result.checkpointed = !trial.checkpoint.empty();
      }

      // The callback's own errors (the transport failing) are not the trial's: they propagate.
      const Verdict verdict = on_epoch(result);
      if (verdict == Verdict::Continue) continue;
      if (auto failure = save_at(result.epoch)) return *failure;
      return ended(verdict == Verdict::Stop ? TrialOutcome::Kind::Stopped
                                            : TrialOutcome::Kind::Paused);
    }
    if (auto failure = save_at(std::max(trial.start_epoch, trial.end_epoch))) return *failure;
    return ended(TrialOutcome::Kind::Finished);
  }

  TestResult evaluate_test(const TrialAssignment& trial) override {
    if (trial.checkpoint.empty() || trial.start_epoch <= 0)
      throw IoError("trial " + std::to_string(trial.trial_id) + " has no checkpoint to test");
    std::unique_ptr<Trainer> trainer;
    std::exception_ptr error;  // this rank's own, thrown as it was
    const auto failure = agree(group_.get(), attempt([&] {
      try {
        trainer = std::make_unique<Trainer>(data_, hyperparameters(trial), trial.seed, group_);
        // The coordinator sends start_epoch = the epochs of the trial's final checkpoint.
        trainer->load(checkpoint_file(trial.checkpoint, trial.start_epoch));
      } catch (...) {
        error = std::current_exception();
        throw;
      }
    }), "to load it for the test");
    if (error) std::rethrow_exception(error);
    if (failure) {
      if (failure->kind == TrialOutcome::Kind::Halted) throw StorageError(failure->reason);
      throw TrialError(failure->reason);
    }
    const Evaluation test = trainer->evaluate(Split::Test);
    TestResult result;
    result.trial_id = trial.trial_id;
    result.accuracy = test.accuracy;
    result.loss = test.loss;
    return result;
  }

 private:
  /// Runs `body`; a trial's own failure becomes the outcome Failed with the reason, the
  /// storage's (a full disk writing a checkpoint) the outcome Halted.
  template <class Body>
  static std::optional<TrialOutcome> attempt(Body&& body) {
    try {
      body();
      return std::nullopt;
    } catch (const StorageError& e) {
      return ended(TrialOutcome::Kind::Halted, e.what());
    } catch (const std::exception& e) {
      return ended(TrialOutcome::Kind::Failed, e.what());
    }
  }

  std::unique_ptr<Trainer> start(const TrialAssignment& trial) const {
    if (fault::fails("trainer.start")) throw TrialError("injected start failure");
    auto trainer = std::make_unique<Trainer>(data_, hyperparameters(trial), trial.seed, group_);
    if (trial.start_epoch > 0) {
      if (trial.checkpoint.empty())
        throw TrialError("cannot resume at epoch " + std::to_string(trial.start_epoch) +
                         " without a checkpoint");
      const std::string file = checkpoint_file(trial.checkpoint, trial.start_epoch);
      const int saved = trainer->load(file);
      if (saved != trial.start_epoch)
        throw TrialError(file + ": holds " + std::to_string(saved) +
                         " epochs, the trial resumes after " + std::to_string(trial.start_epoch));
    }
    return trainer;
  }

  /// Trains and validates epoch `epoch` (0-based) into `result`; false when interrupted.
  bool train_one(Trainer& trainer, int epoch, const InterruptCheck& should_stop,
                 EpochResult& result) const {
    const std::optional<double> train_loss = trainer.train_epoch(epoch, should_stop);
    if (!train_loss) return false;
    result.epoch = epoch + 1;
    const Evaluation validation = trainer.evaluate(Split::Validation);
    if (data_->task() == Task::Regression) {
      result.metrics = {{"train_loss", *train_loss},
                        {"val_loss", validation.loss},
                        {"val_mse", validation.loss},
                        {"val_mae", validation.mae}};
    } else {
      result.metrics = {{"train_loss", *train_loss},
                        {"val_accuracy", validation.accuracy},
                        {"val_loss", validation.loss}};
    }
    const ModelCost cost = trainer.cost();
    result.metrics.push_back({"params", static_cast<double>(cost.parameters)});
    result.metrics.push_back({"latency_ms", cost.latency_ms});
    // The study file's check (trainer/hyperparams.cpp) made the metric one of these.
    result.value = result.metric(objective_.metric).value();
    return true;
  }

  /// The trial's hyperparameters, with the epochs a schedule spans.
  Hyperparameters hyperparameters(const TrialAssignment& trial) const {
    Hyperparameters hp = Hyperparameters::from_params(objective_.model, trial.params);
    hp.training.max_epochs = max_epochs_;
    return hp;
  }

  ObjectiveConfig objective_;
  std::shared_ptr<const TrainingData> data_;
  std::shared_ptr<Communicator> group_;
  bool writes_checkpoints_ = true;
  int max_epochs_ = 0;
};

}  // namespace

std::unique_ptr<TrialRunner> make_torch_runner(const TrainerSettings& settings) {
  configure_trainer_process(settings.threads);
  if (const auto warning = slow_blas_warning()) std::cerr << *warning << '\n';
  return std::make_unique<TorchRunner>(settings);
}

}  // namespace rungs

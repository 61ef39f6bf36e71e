// Data-parallel training under real mpiexec -n 2: a trainer on a group of K ranks ends
// with the weights, losses and validation figures of one rank training the same global
// batches (no dropout). Prints the largest weight difference.
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "study/errors.h"
#include "trainer/communicator_mpi.h"
#include "trainer/trainer.h"

namespace {

int failures = 0;

void expect_close(double a, double b, double tolerance, const char* what, int rank) {
  if (std::fabs(a - b) > tolerance) {
    std::printf("rank %d FAILED: %s: %.8g vs %.8g\n", rank, what, a, b);
    ++failures;
  }
}

/// Trains `epochs` on one rank and on the group; compares everything a user sees.
void compare(const std::shared_ptr<rungs::Communicator>& group, rungs::Hyperparameters hp,
             int train_samples, int val_samples, int epochs) {
  const int r = group->rank();
  rungs::ObjectiveConfig objective;
  objective.train_samples = train_samples;
  objective.val_samples = val_samples;
  auto data = std::make_shared<const rungs::TrainingData>(objective);
  rungs::Trainer single(data, hp, 11);
  rungs::Trainer parallel(data, hp, 11, group);
  for (int e = 0; e < epochs; ++e) {
    const double a = single.train_epoch(e).value();
    const double b = parallel.train_epoch(e).value();
    expect_close(a, b, 1e-4 * std::max(1.0, std::fabs(a)), "train loss", r);
  }
  const rungs::Evaluation a = single.evaluate(rungs::Split::Validation);
  const rungs::Evaluation b = parallel.evaluate(rungs::Split::Validation);
  expect_close(a.loss, b.loss, 1e-4, "validation loss (reduced over the group)", r);
  expect_close(a.accuracy, b.accuracy, 1.5 / val_samples, "validation accuracy", r);
  const auto wa = single.flat_parameters();
  const auto wb = parallel.flat_parameters();
  double worst = 0.0;
  for (std::size_t i = 0; i < wa.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::fabs(wa[i] - wb[i])));
  expect_close(worst, 0.0, 1e-4, "largest weight difference", r);
  if (r == 0)
    std::printf("%s %s batch %d, %d samples, %d epochs, K=%d: max |w_K - w_1| = %.3g, "
                "val loss %.6f vs %.6f\n",
                hp.model.c_str(), hp.optimizer.c_str(), hp.batch_size, train_samples, epochs,
                group->size(), worst, b.loss, a.loss);
}

/// A resnet trained by the group: batch norm's running statistics (which saw only each
/// rank's shards) are the same on every rank after each epoch, and not their initial values.
void check_buffers_agree(const std::shared_ptr<rungs::Communicator>& group) {
  const int r = group->rank();
  rungs::ObjectiveConfig objective;
  objective.train_samples = 256;
  objective.val_samples = 64;
  auto data = std::make_shared<const rungs::TrainingData>(objective);
  rungs::Hyperparameters hp = rungs::Hyperparameters::from_params("resnet", {});
  hp.width = 4;
  hp.stages = 2;
  hp.batch_size = 64;
  rungs::Trainer parallel(data, hp, 11, group);
  const std::vector<float> initial = parallel.flat_buffers();
  parallel.train_epoch(0).value();
  const std::vector<float> mine = parallel.flat_buffers();
  std::vector<float> sum = mine;
  MPI_Allreduce(MPI_IN_PLACE, sum.data(), static_cast<int>(sum.size()), MPI_FLOAT, MPI_SUM,
                MPI_COMM_WORLD);
  double worst = 0.0, moved = 0.0;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::fabs(sum[i] / group->size() - mine[i])));
    moved = std::max(moved, static_cast<double>(std::fabs(mine[i] - initial[i])));
  }
  expect_close(worst, 0.0, 1e-6, "batch norm statistics differ between ranks", r);
  if (moved == 0.0) {
    std::printf("rank %d FAILED: batch norm statistics never changed\n", r);
    ++failures;
  }
  if (r == 0)
    std::printf("resnet, K=%d: %zu batch norm values, max |mean - own| = %.3g\n", group->size(),
                mine.size(), worst);
}

}  // namespace

/// One rank's step fails (RUNGS_FAULT=trainer.replica_step:3 on rank 1 only): every rank
/// must get a TrialError at the same step instead of waiting in the allreduce forever.
int replica_failure(const std::shared_ptr<rungs::Communicator>& group) {
  rungs::ObjectiveConfig objective;
  objective.train_samples = 600;
  objective.val_samples = 50;
  auto data = std::make_shared<const rungs::TrainingData>(objective);
  rungs::Hyperparameters hp;
  hp.layers = 1;
  hp.width = 32;
  hp.batch_size = 100;
  rungs::Trainer trainer(data, hp, 5, group);
  std::string error;
  try {
    trainer.train_epoch(0);
  } catch (const rungs::TrialError& e) {
    error = e.what();
  }
  const std::string expected =
      group->rank() == 1
          ? "1 of the 2 ranks training this trial failed at epoch 1, step 3; rank 1: injected "
            "replica failure"
          : "1 of the 2 ranks training this trial failed at epoch 1, step 3 (this is rank 0; "
            "the error is in the failing rank's output)";
  std::printf("rank %d: %s\n", group->rank(), error.c_str());
  if (error != expected) {
    std::printf("rank %d FAILED: expected: %s\n", group->rank(), expected.c_str());
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  const bool one_row_shards = argc > 1 && std::string(argv[1]) == "--one-row-shards";
  if (argc > 1 && std::string(argv[1]) == "--replica-failure") {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 1) setenv("RUNGS_FAULT", "trainer.replica_step:3", 1);
    rungs::configure_trainer_process(1);
    int failed = replica_failure(std::make_shared<rungs::MpiCommunicator>(MPI_COMM_WORLD));
    MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return failed;
  }
  {
    auto group = std::make_shared<rungs::MpiCommunicator>(MPI_COMM_WORLD);
    rungs::configure_trainer_process(1);
    rungs::Hyperparameters hp;
    hp.layers = 1;
    hp.width = 64;
    // Batches of 75 split 37/38 between two ranks, the last one (1000 % 75 = 25) 12/13;
    // 301 validation images split 150/151.
    hp.batch_size = 75;
    hp.optimizer = "adam";
    compare(group, hp, 1000, 301, 2);
    hp.optimizer = "sgd";
    hp.weight_decay = 1e-4;
    compare(group, hp, 1000, 301, 2);
    if (one_row_shards) {
      // One image per batch (one rank's shard is empty at every step) and two (one each).
      hp.batch_size = 1;
      hp.lr = 1e-3;
      compare(group, hp, 40, 7, 1);
      hp.batch_size = 2;
      compare(group, hp, 40, 7, 1);
      // With a schedule: the rank with an empty shard steps with the same learning rate.
      hp.batch_size = 1;
      hp.training.lr_schedule = "cosine";
      hp.training.max_epochs = 1;
      compare(group, hp, 40, 7, 1);
      hp.training = rungs::TrainingOptions();
    }
    hp = rungs::Hyperparameters();
    hp.model = "cnn";
    hp.channels = 4;
    hp.batch_size = 64;
    compare(group, hp, 300, 100, 1);
    // The training options keep a group equal to one rank: augmentation by epoch position,
    // the schedule by step, clipping after the gradients are averaged.
    hp.training.augment_crop = 2;
    hp.training.augment_flip = true;
    hp.training.lr_schedule = "cosine";
    hp.training.max_epochs = 2;
    hp.training.warmup_epochs = 0.5;
    hp.training.grad_clip = 0.5;
    hp.training.label_smoothing = 0.1;
    compare(group, hp, 300, 100, 2);
    check_buffers_agree(group);
  }
  int any = failures;
  MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any ? 1 : 0;
}

// Throughput of trials on several ranks, under mpirun -n N:
//   --mode data-parallel: the N ranks train ONE trial together (resources.ranks_per_trial
//     N): each takes 1/N of every global batch and the gradients are averaged every step
//     (MPI on the CPU, NCCL on GPUs);
//   --mode independent: each rank trains its own trial (N packed trials, e.g.
//     resources.trials_per_gpu N on one GPU).
// One warm-up epoch, then timed epochs on the 50,000 Fashion-MNIST training images; rank 0
// prints the samples/s of all ranks together. bench/group_scaling.sh compares the modes.
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>

#include "trainer/communicator_factory.h"
#include "trainer/trainer.h"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  CLI::App app("Samples/s of N ranks: one data-parallel trial or N independent trials");
  rungs::Hyperparameters hp;
  hp.layers = 1;
  int threads = 1, epochs = 1;
  std::string mode = "data-parallel", device = "cpu";
  std::string data_dir = rungs::ObjectiveConfig().data_dir;
  app.add_option("--mode", mode, "data-parallel | independent")
      ->check(CLI::IsMember({"data-parallel", "independent"}));
  app.add_option("--device", device, "cpu | cuda (rank r on cuda:r mod devices)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--batch-size", hp.batch_size, "global batch")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "LibTorch and OpenBLAS threads per rank")
      ->check(CLI::PositiveNumber);
  app.add_option("--optimizer", hp.optimizer, "sgd | adam | adamw")
      ->check(CLI::IsMember({"sgd", "adam", "adamw"}));
  app.add_option("--model", hp.model, "mlp | cnn")->check(CLI::IsMember({"mlp", "cnn"}));
  app.add_option("--width", hp.width, "units per hidden layer");
  app.add_option("--epochs", epochs, "timed epochs after the warm-up")->check(CLI::PositiveNumber);
  app.add_option("--data-dir", data_dir, "directory of the Fashion-MNIST .gz files");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    MPI_Finalize();
    return code;
  }

  int status = 0;
  try {
    rungs::configure_trainer_process(threads);
    int cuda = -1;
    if (device == "cuda") {
      const int devices = rungs::cuda_device_count();
      if (devices == 0) throw std::runtime_error("--device cuda: LibTorch sees no CUDA device");
      cuda = rank % devices;
    }
    std::shared_ptr<rungs::Communicator> group;
    if (mode == "data-parallel" && size > 1) group = rungs::make_communicator(MPI_COMM_WORLD, cuda);
    rungs::ObjectiveConfig objective;
    objective.data_dir = data_dir;
    objective.val_samples = 1;
    auto data = std::make_shared<const rungs::TrainingData>(objective, cuda);
    rungs::Trainer trainer(data, hp, 1 + (group ? 0 : rank), group);
    const double samples = static_cast<double>(data->size(rungs::Split::Train));

    trainer.train_epoch(0);  // warm-up: allocator, thread pools, caches, NCCL
    MPI_Barrier(MPI_COMM_WORLD);
    const auto begin = std::chrono::steady_clock::now();
    double loss = 0.0;
    for (int epoch = 1; epoch <= epochs; ++epoch) loss = trainer.train_epoch(epoch).value();
    if (cuda >= 0) trainer.evaluate(rungs::Split::Validation);  // waits for the device
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    // The slowest rank sets the pace of the whole.
    MPI_Allreduce(MPI_IN_PLACE, &seconds, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    const double trials = mode == "independent" ? size : 1;
    if (rank == 0) {
      std::printf("%s %s width %d %s batch %d on %s, %d rank(s) x %d thread(s): %.0f samples/s "
                  "(%.2f s/epoch, loss %.4f)\n",
                  mode.c_str(), hp.model.c_str(), hp.width, hp.optimizer.c_str(), hp.batch_size,
                  device.c_str(), size, threads, trials * samples * epochs / seconds,
                  seconds / epochs, loss);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "group_bench rank %d: %s\n", rank, e.what());
    status = 1;
  }
  if (status != 0) MPI_Abort(MPI_COMM_WORLD, status);
  MPI_Finalize();
  return status;
}

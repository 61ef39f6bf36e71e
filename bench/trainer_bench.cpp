// Training throughput of the rungs trainer: builds the MLP 784-WIDTH-10 (one hidden layer
// by default), the CNN or the resnet with the trainer library, trains one warm-up epoch and
// then timed epochs on the first --train-samples Fashion-MNIST training images (50,000),
// and prints samples per second. --options turns the training options on: a cosine
// schedule with half an epoch of warm-up, label smoothing 0.1, gradient clipping at norm 1,
// random crops after padding by 2 and flips. bench/trainer_vs_pytorch.sh runs it beside
// bench/pytorch_trainer.py.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <memory>

#include "trainer/blas.h"
#include "trainer/trainer.h"

int main(int argc, char** argv) {
  CLI::App app("Training throughput of the rungs trainer (samples/s)");
  rungs::Hyperparameters hp;
  hp.layers = 1;
  int width = 0;  // the model's default
  bool options = false;
  int train_samples = 50000;
  int threads = 1;
  int epochs = 1;
  std::string data_dir = rungs::ObjectiveConfig().data_dir;
  app.add_option("--batch-size", hp.batch_size, "samples per step")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "LibTorch and OpenBLAS threads")->check(CLI::PositiveNumber);
  app.add_option("--optimizer", hp.optimizer, "sgd | adam | adamw")
      ->check(CLI::IsMember({"sgd", "adam", "adamw"}));
  app.add_option("--model", hp.model, "mlp | cnn | resnet")
      ->check(CLI::IsMember({"mlp", "cnn", "resnet"}));
  app.add_option("--layers", hp.layers, "hidden layers of the MLP");
  app.add_option("--width", width, "mlp: units per hidden layer (256); resnet: channels (16)");
  app.add_option("--stages", hp.stages, "resnet: stages");
  app.add_option("--blocks", hp.blocks, "resnet: blocks per stage");
  app.add_flag("--options", options, "the training options on");
  app.add_option("--train-samples", train_samples, "training images")->check(CLI::Range(1, 50000));
  app.add_option("--epochs", epochs, "timed epochs after the warm-up")->check(CLI::PositiveNumber);
  app.add_option("--data-dir", data_dir, "directory of the Fashion-MNIST .gz files");
  CLI11_PARSE(app, argc, argv);
  hp.width = width > 0 ? width : hp.model == "resnet" ? 16 : 256;
  if (options) {
    hp.training.lr_schedule = "cosine";
    hp.training.warmup_epochs = 0.5;
    hp.training.max_epochs = epochs + 1;
    hp.training.label_smoothing = 0.1;
    hp.training.grad_clip = 1.0;
    hp.training.augment_crop = 2;
    hp.training.augment_flip = true;
  }

  try {
    rungs::configure_trainer_process(threads);
    if (const auto warning = rungs::slow_blas_warning())
      std::fprintf(stderr, "%s\n", warning->c_str());
    rungs::ObjectiveConfig objective;
    objective.data_dir = data_dir;
    objective.val_samples = 1;
    objective.train_samples = train_samples;
    auto data = std::make_shared<const rungs::TrainingData>(objective);
    rungs::Trainer trainer(data, hp, 0);
    const double samples = static_cast<double>(data->size(rungs::Split::Train));

    trainer.train_epoch(0);  // warm-up: allocator, thread pools, caches
    double loss = 0.0;
    const auto begin = std::chrono::steady_clock::now();
    const std::clock_t cpu_begin = std::clock();
    for (int epoch = 1; epoch <= epochs; ++epoch) loss = trainer.train_epoch(epoch).value();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    // CPU time is the fairer figure on a shared machine: it leaves out other processes.
    const double cpu_seconds = static_cast<double>(std::clock() - cpu_begin) / CLOCKS_PER_SEC;
    std::printf(
        "rungs %s layers %d width %d%s %s batch %d threads %d: %.0f samples/s "
        "(cpu %.0f samples/s, %.2f s/epoch, loss %.4f)\n",
        hp.model.c_str(), hp.layers, hp.width, options ? " options" : "", hp.optimizer.c_str(),
        hp.batch_size, threads, samples * epochs / seconds, samples * epochs / cpu_seconds,
        seconds / epochs, loss);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trainer_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

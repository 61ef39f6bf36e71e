#pragma once
/// The training engine behind the TrialRunner (trainer/torch_runner.h) and the trainer
/// benchmark: a data set loaded once as tensors, and one trial's model and optimizer on
/// it. The header is free of LibTorch (the tensors live behind pointers to implementation)
/// so that callers compile fast; errors from LibTorch come out as rungs::TrialError.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "study/config.h"
#include "trainer/communicator.h"
#include "trainer/hyperparams.h"
#include "trainer/models.h"

namespace rungs {

enum class Split { Train, Validation, Test };

/// Fashion-MNIST as normalized float tensors: the first objective.train_samples training
/// images, the first objective.val_samples validation images, and the whole test set; or,
/// with objective.data, the user's arrays (io/user_data.h), normalized with the training
/// split's mean and standard deviation (an empty test split when data.test is not given).
/// Loaded once per worker and shared by its trials; immutable after construction. The
/// tensors live on `cuda_device` (all of Fashion-MNIST is 220 MB as floats), or in host
/// memory for -1; trials on this data train on that device.
class TrainingData {
 public:
  /// Throws IoError when the files cannot be read, ConfigError for an unknown dataset,
  /// TrialError when the device cannot take them.
  explicit TrainingData(const ObjectiveConfig& objective, int cuda_device = -1);
  ~TrainingData();
  TrainingData(const TrainingData&) = delete;
  TrainingData& operator=(const TrainingData&) = delete;

  std::int64_t size(Split split) const;
  int cuda_device() const { return cuda_device_; }
  /// The samples' shape ([C, H, W] for images, [D] for features) and the model's outputs.
  const ModelShape& shape() const { return shape_; }
  Task task() const { return task_; }

 private:
  friend class Trainer;
  struct Tensors;  ///< defined where LibTorch is included
  std::unique_ptr<Tensors> tensors_;
  int cuda_device_ = -1;
  Task task_ = Task::Classification;
  ModelShape shape_;
  void move_to_device();
};

struct Evaluation {
  double accuracy = 0.0;  ///< fraction of images classified correctly
  double loss = 0.0;      ///< mean cross-entropy; regression: mean squared error
  double mae = 0.0;       ///< regression: mean absolute error
};

/// A model's size and speed (trainer/model_cost.h): the metrics params and latency_ms.
struct ModelCost {
  std::int64_t parameters = 0;  ///< trainable and frozen parameters, in numbers
  double latency_ms = 0.0;      ///< inference wall time per sample, on the trial's device
};

/// One trial: the model for its hyperparameters and its optimizer, on shared data.
/// Deterministic given the seed: the weights are initialized from it, and epoch e (0-based)
/// shuffles and draws dropout masks from (seed, e) alone, so a trial resumed from a
/// checkpoint after e epochs trains exactly as one that never stopped. Not thread-safe;
/// it uses LibTorch's global generator.
class Trainer {
 public:
  /// With a `group` of K > 1 ranks the trainer is one replica of a data-parallel trial:
  /// every rank builds the same model from `seed`, takes rows [r*B/K, (r+1)*B/K) of each
  /// global batch of B = hp.batch_size rows, and steps with the gradient of the mean loss
  /// over the whole batch (trainer/communicator_tensors.h), so the weights stay equal on
  /// all ranks and match a one-rank training of the same batches up to rounding (without
  /// dropout, whose masks depend on the shard). train_epoch's loss and evaluate()'s figures
  /// are then those of the whole group; every call is collective. Null or a group of one:
  /// the single-rank trainer.
  Trainer(std::shared_ptr<const TrainingData> data, const Hyperparameters& hp, std::uint64_t seed,
          std::shared_ptr<Communicator> group = nullptr);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// One shuffled pass over the training split in batches of hp.batch_size (the last one
  /// smaller); `epoch` is 0-based. Returns the mean training loss, or nullopt when
  /// `interrupted` (polled before every batch when set) said true: the epoch is then
  /// incomplete and the weights are only good for throwing away. Throws TrialError
  /// "loss became nan at epoch E, step S" (1-based) when the loss stops being finite.
  std::optional<double> train_epoch(int epoch, const std::function<bool()>& interrupted = {});
  /// Accuracy and loss on `split`, in inference mode (dropout off, no autograd).
  Evaluation evaluate(Split split);
  /// The model's size and inference latency on (up to) 32 validation samples.
  ModelCost cost();
  /// Every weight of the model, parameter after parameter (for tests comparing trainings).
  std::vector<float> flat_parameters() const;
  /// Every float buffer of the model (batch norm's running statistics), buffer after buffer.
  std::vector<float> flat_buffers() const;

  /// Writes the weights, the optimizer state, `epochs`, `trial_id` and the seed to the
  /// HDF5 checkpoint `path` (io/checkpoint_file.h), atomically, creating its folder.
  /// IoError naming the file on failure.
  void save(const std::string& path, int epochs, std::int64_t trial_id = 0) const;
  /// Reads a file written by save() for the same hyperparameters and seed; returns its
  /// `epochs`. IoError naming the file when it is missing, truncated or fails its checksum;
  /// TrialError naming it when it does not fit this model, optimizer or seed.
  int load(const std::string& path);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// CUDA devices LibTorch can use in this process (those CUDA_VISIBLE_DEVICES leaves); 0 with
/// a CPU-only LibTorch such as Debian's.
int cuda_device_count();

/// Process-wide settings for training, before the first trial: a budget of `threads`
/// threads (see give_threads_to), LibTorch's inter-op threads = 1 (settable once per
/// process), and malloc keeping freed memory (keep_freed_memory()).
void configure_trainer_process(int threads);

/// Gives the process's thread budget to the library that does `model`'s work and one thread
/// to the other: the MLP's products run in OpenBLAS, the CNN's convolutions in LibTorch's
/// OpenMP kernels. Both pools at full size spin against each other for the same cores
/// (measured on 2 cores, MLP with 2 threads: 26,000-88,000 samples/s with both, against
/// 122,000 with the BLAS alone; 99,000 with 1 thread). Every Trainer calls it for its model.
void give_threads_to(const std::string& model);

/// LibTorch's intra-op threads in this process (torch::get_num_threads()).
int intra_op_threads();

}  // namespace rungs

#include "trainer/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <system_error>
#include <utility>

#include "io/checkpoint_file.h"
#include "io/dataset_idx.h"
#include "io/user_data.h"
#include "study/errors.h"
#include "study/fault.h"
#include "trainer/model_cost.h"
#include "trainer/allocator.h"
#include "trainer/augment.h"
#include "trainer/blas.h"
#include "trainer/checkpoint_tensors.h"
#include "trainer/communicator_tensors.h"
#include "trainer/models.h"
#include "trainer/onednn_gemm.h"
#include "trainer/optimizer.h"
#include "trainer/precision.h"

namespace rungs {
namespace {

namespace F = torch::nn::functional;

// Mean and standard deviation of the Fashion-MNIST training pixels (scaled to [0, 1]).
constexpr float kPixelMean = 0.2860f;
constexpr float kPixelStd = 0.3530f;
constexpr std::int64_t kMaxEvalBatch = 2000;
constexpr std::int64_t kMaxActivationBytes = std::int64_t{16} << 20;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The seed of everything random in epoch `epoch` (0-based) of a trial.
std::uint64_t epoch_seed(std::uint64_t seed, int epoch) {
  return splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(epoch) + 1));
}

/// Images per evaluation batch: many for speed, but few enough that the largest activation
/// stays below the size malloc serves from the heap (keep_freed_memory()).
std::int64_t eval_batch_size(const Hyperparameters& hp, const ModelShape& shape) {
  // A model of the user's: its training batch fits, so an evaluation batch that size does.
  if (hp.model != "mlp" && hp.model != "cnn" && hp.model != "resnet")
    return std::max<std::int64_t>(hp.batch_size, 1);
  const std::int64_t pixels = shape.features() / shape.sample[0];
  const std::int64_t floats_per_image = hp.model == "cnn" ? std::int64_t{hp.channels} * pixels
                                        : hp.model == "resnet"
                                            ? std::int64_t{hp.width} * pixels
                                            : std::max(std::int64_t{hp.width}, shape.outputs);
  const std::int64_t fitting = kMaxActivationBytes / (4 * floats_per_image);
  return std::clamp<std::int64_t>(fitting, 1, kMaxEvalBatch);
}

/// The first `count` images of `split` as [count, 1, 28, 28] normalized floats, and their
/// labels as int64.
std::pair<torch::Tensor, torch::Tensor> to_tensors(const ImageSplit& split, std::int64_t count) {
  const auto bytes = torch::from_blob(const_cast<std::uint8_t*>(split.images.data()),
                                      {count, 1, split.rows, split.cols}, torch::kUInt8);
  torch::Tensor images = bytes.to(torch::kFloat).div_(255.0f).sub_(kPixelMean).div_(kPixelStd);
  const auto labels =
      torch::from_blob(const_cast<std::uint8_t*>(split.labels.data()), {count}, torch::kUInt8);
  return {images, labels.to(torch::kLong)};
}

/// A split of the user's data as tensors: x normalized with `d`'s training mean and std
/// (per feature, or per channel of images, [N, H, W] becoming [N, 1, H, W]) as float, y as
/// int64 labels or float targets [N, K].
std::pair<torch::Tensor, torch::Tensor> to_tensors(const UserSplit& split, const UserData& d,
                                                   Task task) {
  std::vector<std::int64_t> shape = split.x.shape;
  if (shape.size() == 3) shape.insert(shape.begin() + 1, 1);
  std::vector<std::int64_t> stats_shape(shape.size(), 1);
  stats_shape[1] = static_cast<std::int64_t>(d.mean.size());
  const auto stats = [&](const std::vector<double>& v) {
    return torch::tensor(v, torch::kDouble).reshape(stats_shape);
  };
  const auto x =
      torch::from_blob(const_cast<double*>(split.x.values.data()), shape, torch::kDouble);
  torch::Tensor images = ((x - stats(d.mean)) / stats(d.std)).to(torch::kFloat).contiguous();
  const auto y =
      torch::from_blob(const_cast<double*>(split.y.values.data()), split.y.shape, torch::kDouble);
  return {images, y.to(task == Task::Regression ? torch::kFloat : torch::kLong)};
}

/// The training loss of `out` against `truth`: cross-entropy for classes, the mean squared
/// error for regression; `sum`: summed over the rows instead of averaged; `smoothing`:
/// classification's label smoothing.
torch::Tensor loss_of(Task task, const torch::Tensor& out, const torch::Tensor& truth,
                      bool sum = false, double smoothing = 0.0) {
  if (task == Task::Regression) {
    if (!sum) return F::mse_loss(out, truth);
    return F::mse_loss(out, truth, F::MSELossFuncOptions().reduction(torch::kSum)) /
           static_cast<double>(out.size(1));
  }
  if (smoothing > 0.0)
    return F::cross_entropy(out, truth, F::CrossEntropyFuncOptions().label_smoothing(smoothing));
  if (!sum) return F::cross_entropy(out, truth);
  return F::cross_entropy(out, truth, F::CrossEntropyFuncOptions().reduction(torch::kSum));
}

/// The value of a one-element float tensor: read in place on the CPU (no dispatch), copied
/// back (and waited for) from a GPU.
float scalar_of(const torch::Tensor& t) {
  return t.is_cpu() ? *t.data_ptr<float>() : t.item<float>();
}

torch::Device device_of(int cuda_device) {
  return cuda_device < 0 ? torch::Device(torch::kCPU)
                         : torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(cuda_device));
}

/// The first line of a LibTorch error, without the C++ backtrace.
std::string first_line(const char* what) {
  std::string text = what;
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

/// Runs `body`, turning LibTorch's exceptions into TrialError with a one-line message.
template <class Body>
auto translated(const char* doing, Body&& body) {
  try {
    return body();
  } catch (const c10::Error& e) {
    throw TrialError(std::string(doing) + ": " + first_line(e.what_without_backtrace()));
  }
}

/// What the training options (trainer/training_options.h) do around each step of one epoch;
/// with all of them off (the defaults), nothing but a few tests of flags.
class EpochSteps {
 public:
  EpochSteps(const Hyperparameters& hp, std::uint64_t seed, int epoch, std::int64_t samples)
      : options_(hp.training),
        base_lr_(hp.lr),
        epoch_(epoch),
        steps_((samples + hp.batch_size - 1) / hp.batch_size),
        scheduled_(hp.training.scheduled()),
        clips_(hp.training.grad_clip > 0.0),
        mixed_(hp.training.precision != "fp32"),
        scaler_(hp.training.precision == "fp16") {
    if (options_.augments()) augmentation_.emplace(options_, seed, samples);
  }

  /// Before step `step` (0-based), on every rank (an empty shard's too): sets the lr.
  void schedule(std::int64_t step, Optimizer& optimizer) const {
    if (scheduled_) optimizer.set_lr(base_lr_ * lr_factor(options_, epoch_, step, steps_));
  }

  /// Augments `images`, the rows at positions first... of the epoch's order.
  void augment(torch::Tensor& images, std::int64_t first) const {
    if (augmentation_) augmentation_->apply(images, first);
  }

  /// The training loss of the batch, the forward pass under autocast when mixed.
  torch::Tensor loss(torch::nn::AnyModule& model, const torch::Tensor& images,
                     const torch::Tensor& labels, Task task) const {
    std::optional<AutocastScope> autocast;
    if (mixed_) autocast.emplace(options_.precision);
    return loss_of(task, model.forward<torch::Tensor>(images), labels, false, options_.label_smoothing);
  }

  void backward(const torch::Tensor& loss) const {
    if (scaler_.enabled()) {
      scaler_.scaled(loss).backward();
    } else {
      loss.backward();
    }
  }

  /// After the gradients are final (averaged over a group): unscales and clips them; false
  /// when the step is to be skipped (fp16 gradients that overflowed).
  bool finish(torch::nn::AnyModule& model) {
    if (!scaler_.enabled() && !clips_) return true;
    const std::vector<torch::Tensor> params = model.ptr()->parameters();
    if (!scaler_.unscale(params)) return false;
    if (clips_) torch::nn::utils::clip_grad_norm_(params, options_.grad_clip);
    return true;
  }

 private:
  const TrainingOptions& options_;
  double base_lr_;
  int epoch_;
  std::int64_t steps_;
  bool scheduled_;
  bool clips_;
  bool mixed_;
  LossScaler scaler_;
  std::optional<EpochAugmentation> augmentation_;
};

}  // namespace

struct TrainingData::Tensors {
  torch::Tensor train_images, train_labels;
  torch::Tensor val_images, val_labels;
  torch::Tensor test_images, test_labels;

  std::pair<const torch::Tensor&, const torch::Tensor&> split(Split which) const {
    switch (which) {
      case Split::Train:
        return {train_images, train_labels};
      case Split::Validation:
        return {val_images, val_labels};
      case Split::Test:
        break;
    }
    return {test_images, test_labels};
  }
};

TrainingData::TrainingData(const ObjectiveConfig& objective, int cuda_device)
    : tensors_(std::make_unique<Tensors>()), cuda_device_(cuda_device), task_(objective.task) {
  if (objective.data) {
    const UserData d = load_user_data(*objective.data, objective.task);
    shape_.sample = d.sample_shape;
    if (shape_.sample.size() == 2) shape_.sample.insert(shape_.sample.begin(), 1);
    shape_.outputs = d.outputs;
    std::tie(tensors_->train_images, tensors_->train_labels) = to_tensors(d.train, d, task_);
    std::tie(tensors_->val_images, tensors_->val_labels) = to_tensors(d.val, d, task_);
    if (d.test.size() > 0)
      std::tie(tensors_->test_images, tensors_->test_labels) = to_tensors(d.test, d, task_);
    move_to_device();
    return;
  }
  if (objective.dataset != "fashion_mnist")
    throw ConfigError("dataset " + objective.dataset + " is not known");
  const FashionMnist data = load_fashion_mnist(objective.data_dir);
  const auto take = [](const ImageSplit& split, int wanted) {
    return std::min<std::int64_t>(split.count, std::max(wanted, 1));
  };
  std::tie(tensors_->train_images, tensors_->train_labels) =
      to_tensors(data.train, take(data.train, objective.train_samples));
  std::tie(tensors_->val_images, tensors_->val_labels) =
      to_tensors(data.validation, take(data.validation, objective.val_samples));
  std::tie(tensors_->test_images, tensors_->test_labels) = to_tensors(data.test, data.test.count);
  move_to_device();
}

void TrainingData::move_to_device() {
  if (cuda_device_ >= 0) {
    translated("moving the data set to the GPU", [&] {
      const torch::Device device = device_of(cuda_device_);
      for (torch::Tensor* t : {&tensors_->train_images, &tensors_->train_labels,
                               &tensors_->val_images, &tensors_->val_labels,
                               &tensors_->test_images, &tensors_->test_labels}) {
        if (t->defined()) *t = t->to(device);
      }
    });
  }
}

TrainingData::~TrainingData() = default;

std::int64_t TrainingData::size(Split split) const {
  const torch::Tensor& labels = tensors_->split(split).second;
  return labels.defined() ? labels.size(0) : 0;
}

struct Trainer::State {
  std::shared_ptr<const TrainingData> data;
  Hyperparameters hp;
  std::uint64_t seed = 0;
  torch::nn::AnyModule model;  ///< the registered model's network (make_network)
  std::unique_ptr<Optimizer> optimizer;
  std::shared_ptr<Communicator> group;          ///< null unless K > 1 ranks train together
  std::unique_ptr<GradientAverager> averager;   ///< with `group`
};

Trainer::Trainer(std::shared_ptr<const TrainingData> data, const Hyperparameters& hp,
                 std::uint64_t seed, std::shared_ptr<Communicator> group)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.data = std::move(data);
  s.hp = hp;
  s.seed = seed;
  translated("building the model", [&] {
    give_threads_to(hp.model);
    // Initialized on the CPU from the seed, then moved: the same weights on every device.
    torch::manual_seed(seed);
    s.model = make_network(hp, s.data->shape());
    if (s.data->cuda_device() >= 0) s.model.ptr()->to(device_of(s.data->cuda_device()));
    if (hp.training.precision != "fp32" && s.data->cuda_device() < 0)
      throw TrialError("precision " + hp.training.precision +
                       " needs a CUDA device; this trial trains on the CPU");
    s.optimizer = std::make_unique<Optimizer>(*s.model.ptr(), hp);
    if (group && group->size() > 1) {
      s.group = std::move(group);
      s.averager = std::make_unique<GradientAverager>(s.model.ptr()->parameters());
    }
  });
}

namespace {

/// One line of any error, LibTorch's without its C++ backtrace.
std::string error_text(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  const std::string text = first_line(torch_error ? torch_error->what_without_backtrace() : e.what());
  return text.empty() ? "an error without a message" : text;
}

/// The error every rank of a group throws when `failed` of its ranks failed a step (the
/// whole group's trial fails, on every rank at the same step). `failure`: this rank's own
/// error, empty when this rank was fine.
TrialError replica_failure(const Communicator& group, float failed, const std::string& failure,
                           const std::string& where) {
  const std::string count = std::to_string(static_cast<int>(failed)) + " of the " +
                            std::to_string(group.size()) + " ranks training this trial failed";
  if (!failure.empty()) {
    // Only the group's rank 0 reports the trial's outcome: the others' errors go to the log.
    if (group.rank() != 0)
      std::cerr << "rungs: rank " << group.rank() << " of a trial group: " << failure << std::endl;
    return TrialError(count + where + "; rank " + std::to_string(group.rank()) + ": " + failure);
  }
  return TrialError(count + where + " (this is rank " + std::to_string(group.rank()) +
                    "; the error is in the failing rank's output)");
}

/// train_epoch for one rank of a data-parallel group: the same batches as one rank would
/// train, each split into the group's shards; one allreduce per step carries the weighted
/// gradients and the loss, so every rank sees the same loss and takes the same step (and
/// a non-finite loss fails the trial on every rank at the same step).
std::optional<double> train_epoch_sharded(const torch::Tensor& train_images,
                                          const torch::Tensor& train_labels,
                                          const torch::Tensor& order, std::int64_t batch,
                                          EpochSteps& steps, torch::nn::AnyModule& model,
                                          Optimizer& optimizer, Communicator& group,
                                          GradientAverager& averager, Task task, int epoch,
                                          const std::function<bool()>& interrupted) {
  const std::int64_t n = train_images.size(0);
  torch::Tensor images = torch::empty({0}, train_images.options());
  torch::Tensor labels = torch::empty({0}, train_labels.options());
  double loss_sum = 0.0;
  for (std::int64_t begin = 0, step = 1; begin < n; begin += batch, ++step) {
    if (interrupted && interrupted()) return std::nullopt;
    const std::int64_t size = std::min(batch, n - begin);
    const Shard shard = shard_of(size, group.rank(), group.size());
    optimizer.zero_grad();
    steps.schedule(step - 1, optimizer);
    StepSums sums;
    std::string failure;  // this rank's forward/backward error (an out-of-memory, ...)
    if (shard.size() > 0) {
      try {
        if (fault::fails("trainer.replica_step")) throw TrialError("injected replica failure");
        const torch::Tensor rows = order.narrow(0, begin + shard.begin, shard.size());
        if (images.size(0) != shard.size()) {
          images.resize_({0});
          labels.resize_({0});
        }
        torch::index_select_out(images, train_images, 0, rows);
        torch::index_select_out(labels, train_labels, 0, rows);
        steps.augment(images, begin + shard.begin);
        const torch::Tensor loss = steps.loss(model, images, labels, task);
        sums.loss_sum = scalar_of(loss) * static_cast<float>(shard.size());
        steps.backward(loss);
      } catch (const std::exception& e) {
        failure = error_text(e);
        optimizer.zero_grad();
        sums = StepSums{0.0f, 1.0f};
      }
    }
    // A failed rank still joins the allreduce, so that the others learn of it.
    averager.average(group,
                     failure.empty() ? static_cast<double>(shard.size()) / static_cast<double>(size)
                                     : 0.0,
                     sums);
    if (sums.failed > 0.0f) {
      throw replica_failure(group, sums.failed, failure,
                            " at epoch " + std::to_string(epoch + 1) + ", step " +
                                std::to_string(step));
    }
    const float local_sum = sums.loss_sum;
    const double value = static_cast<double>(local_sum) / static_cast<double>(size);
    if (!std::isfinite(value))
      throw TrialError("loss became " + std::string(std::isnan(value) ? "nan" : "inf") +
                       " at epoch " + std::to_string(epoch + 1) + ", step " +
                       std::to_string(step));
    if (steps.finish(model)) optimizer.step();
    loss_sum += static_cast<double>(local_sum);
  }
  // Batch norm's running statistics saw only this rank's shards: every rank takes the mean.
  const std::vector<torch::Tensor> buffers = model.ptr()->buffers();
  if (!buffers.empty()) average_buffers(group, buffers);
  return loss_sum / static_cast<double>(n);
}

}  // namespace

Trainer::~Trainer() = default;

std::optional<double> Trainer::train_epoch(int epoch, const std::function<bool()>& interrupted) {
  State& s = *state_;
  return translated("training", [&]() -> std::optional<double> {
    const TrainingData::Tensors& data = *s.data->tensors_;
    const std::int64_t n = data.train_images.size(0);
    const std::uint64_t seed = epoch_seed(s.seed, epoch);
    // Dropout draws from the global generator; seeding it per epoch keeps resumes exact.
    torch::manual_seed(seed);
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    // Drawn on the CPU, so every device trains the same order.
    torch::Tensor order = torch::randperm(n, generator, torch::kLong);
    if (!data.train_images.is_cpu()) order = order.to(data.train_images.device());
    EpochSteps steps(s.hp, seed, epoch, n);
    if (s.group) {
      s.model.ptr()->train();
      return train_epoch_sharded(data.train_images, data.train_labels, order, s.hp.batch_size,
                                 steps, s.model, *s.optimizer, *s.group, *s.averager,
                                 s.data->task(), epoch, interrupted);
    }
    // Each batch is gathered into the same two buffers: a permuted copy of the whole split
    // per epoch costs more (fresh pages, page faults) than the gathers it saves.
    const std::int64_t batch = s.hp.batch_size;
    torch::Tensor images = torch::empty({0}, data.train_images.options());
    torch::Tensor labels = torch::empty({0}, data.train_labels.options());

    s.model.ptr()->train();
    double loss_sum = 0.0;
    for (std::int64_t begin = 0, step = 1; begin < n; begin += batch, ++step) {
      if (interrupted && interrupted()) return std::nullopt;
      const std::int64_t size = std::min(batch, n - begin);
      const torch::Tensor rows = order.narrow(0, begin, size);
      if (images.size(0) != size) {  // the last batch: shrink without reallocating
        images.resize_({0});
        labels.resize_({0});
      }
      torch::index_select_out(images, data.train_images, 0, rows);
      torch::index_select_out(labels, data.train_labels, 0, rows);
      s.optimizer->zero_grad();
      steps.schedule(step - 1, *s.optimizer);
      steps.augment(images, begin);
      const torch::Tensor loss = steps.loss(s.model, images, labels, s.data->task());
      const double value = scalar_of(loss);
      if (!std::isfinite(value))
        throw TrialError("loss became " + std::string(std::isnan(value) ? "nan" : "inf") +
                         " at epoch " + std::to_string(epoch + 1) + ", step " +
                         std::to_string(step));
      steps.backward(loss);
      if (steps.finish(s.model)) s.optimizer->step();
      loss_sum += value * static_cast<double>(size);
    }
    return loss_sum / static_cast<double>(n);
  });
}

Evaluation Trainer::evaluate(Split split) {
  State& s = *state_;
  return translated("evaluating", [&] {
    const auto [images, labels] = s.data->tensors_->split(split);
    const std::int64_t n = images.size(0);
    // In a group each rank measures its shard of the split; the sums are then combined.
    const Shard shard = s.group ? shard_of(n, s.group->rank(), s.group->size()) : Shard{0, n};
    c10::InferenceMode inference;
    s.model.ptr()->eval();
    double loss_sum = 0.0, abs_sum = 0.0;
    std::int64_t correct = 0;
    const bool regression = s.data->task() == Task::Regression;
    const std::int64_t batch = eval_batch_size(s.hp, s.data->shape());
    const auto measure = [&] {
      for (std::int64_t begin = shard.begin; begin < shard.end; begin += batch) {
        const std::int64_t size = std::min(batch, shard.end - begin);
        const torch::Tensor logits = s.model.forward<torch::Tensor>(images.narrow(0, begin, size));
        const torch::Tensor truth = labels.narrow(0, begin, size);
        loss_sum += loss_of(s.data->task(), logits, truth, true).item<double>();
        if (regression) {
          abs_sum +=
              (logits - truth).abs().sum().item<double>() / static_cast<double>(logits.size(1));
        } else {
          correct += logits.argmax(1).eq(truth).sum().item<std::int64_t>();
        }
      }
    };
    if (!s.group) {
      measure();
    } else {
      // As in training: a rank that fails still joins the reduction, and all of them fail.
      std::string failure;
      try {
        measure();
      } catch (const std::exception& e) {
        failure = error_text(e);
      }
      double sums[4] = {loss_sum, static_cast<double>(correct), failure.empty() ? 0.0 : 1.0,
                        abs_sum};
      allreduce_host(*s.group, sums, 4);
      if (sums[2] > 0.0)
        throw replica_failure(*s.group, static_cast<float>(sums[2]), failure, " while evaluating");
      loss_sum = sums[0];
      correct = static_cast<std::int64_t>(std::llround(sums[1]));
      abs_sum = sums[3];
    }
    s.model.ptr()->train();
    Evaluation result;
    result.accuracy = static_cast<double>(correct) / static_cast<double>(n);
    result.loss = loss_sum / static_cast<double>(n);
    result.mae = abs_sum / static_cast<double>(n);
    return result;
  });
}

void Trainer::save(const std::string& path, int epochs, std::int64_t trial_id) const {
  const State& s = *state_;
  CheckpointData data = translated("saving the checkpoint", [&] {
    return capture_checkpoint(*s.model.ptr(), *s.optimizer, s.hp);
  });
  data.epoch = epochs;
  data.trial_id = trial_id;
  data.seed = s.seed;
  write_checkpoint(path, data);
}

int Trainer::load(const std::string& path) {
  State& s = *state_;
  const CheckpointData data = read_checkpoint(path);
  if (data.seed != s.seed)
    throw TrialError(path + ": holds a trial seeded " + std::to_string(data.seed) +
                     ", this trial is seeded " + std::to_string(s.seed));
  translated("loading the checkpoint",
             [&] { restore_checkpoint(data, path, *s.model.ptr(), *s.optimizer, s.hp); });
  return data.epoch;
}

ModelCost Trainer::cost() {
  const torch::Tensor& images = state_->data->tensors_->split(Split::Validation).first;
  return measure_cost(state_->model, images.narrow(0, 0, std::min<std::int64_t>(32, images.size(0))));
}

std::vector<float> Trainer::flat_parameters() const {
  std::vector<float> out;
  for (const auto& p : state_->model.ptr()->parameters()) {
    const torch::Tensor values = p.detach().to(torch::kCPU).contiguous();
    out.insert(out.end(), values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  }
  return out;
}

std::vector<float> Trainer::flat_buffers() const {
  std::vector<float> out;
  for (const auto& b : state_->model.ptr()->buffers()) {
    if (b.scalar_type() != torch::kFloat) continue;
    const torch::Tensor values = b.detach().to(torch::kCPU).contiguous();
    out.insert(out.end(), values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  }
  return out;
}

int cuda_device_count() { return static_cast<int>(torch::cuda::device_count()); }

namespace {
std::atomic<int> thread_budget{1};  ///< configure_trainer_process()'s threads
}  // namespace

void give_threads_to(const std::string& model) {
  const int threads = thread_budget.load();
  // The MLP's time goes to its products, computed by the BLAS (unless oneDNN's sgemm is on,
  // which runs on LibTorch's OpenMP threads); the CNN's to LibTorch's own convolution
  // kernels.
  const bool blas_bound = model == "mlp" && onednn_sgemm() == nullptr;
  torch::set_num_threads(blas_bound ? 1 : threads);
  set_blas_threads(blas_bound ? threads : 1);
}

int intra_op_threads() { return torch::get_num_threads(); }

void configure_trainer_process(int threads) {
  threads = std::max(threads, 1);
  thread_budget.store(threads);
  give_threads_to("mlp");
  // LibTorch allows setting the inter-op pool only once, before it is used.
  static std::once_flag interop;
  std::call_once(interop, [] {
    try {
      torch::set_num_interop_threads(1);
    } catch (const c10::Error&) {
      // Already started by someone else: leave it.
    }
  });
  keep_freed_memory();
}

}  // namespace rungs

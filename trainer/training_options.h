#pragma once
/// The training options every built-in model takes as hyperparameters (learning-rate
/// schedule and warm-up, label smoothing, gradient clipping, image augmentation, precision),
/// their spec list, the checks that depend on the task, data or device, and the schedule's
/// maths as pure functions. All are off by default. No LibTorch here.
#include <cstdint>
#include <string>
#include <vector>

#include "study/config.h"

namespace rungs {

struct HyperparameterSpec;

/// The training options' hyperparameters, added to every model's list (hyperparams.cpp).
std::vector<HyperparameterSpec> training_option_specs();

/// The typed options of one trial (Hyperparameters::training).
struct TrainingOptions {
  std::string lr_schedule = "constant";  ///< constant | cosine | step
  double warmup_epochs = 0.0;            ///< linear warm-up from 0 over this many epochs
  int lr_step_epochs = 30;               ///< step: epochs between decays
  double lr_gamma = 0.1;                 ///< step: factor per decay
  double label_smoothing = 0.0;          ///< classification's training loss only
  double grad_clip = 0.0;                ///< max global gradient norm; 0: off
  int augment_crop = 0;                  ///< random crop after zero padding of this many pixels
  bool augment_flip = false;             ///< random horizontal flip
  std::string precision = "fp32";        ///< fp32 | bf16 | fp16 (CUDA only)
  /// Epochs the trial may train in all (budget.epochs): cosine anneals to 0 over them. Set
  /// by the runner, not a hyperparameter.
  int max_epochs = 0;

  /// The learning rate changes during training (a schedule or a warm-up).
  bool scheduled() const { return lr_schedule != "constant" || warmup_epochs > 0.0; }
  bool augments() const { return augment_crop > 0 || augment_flip; }
};

/// The factor on the base learning rate for step `step` (0-based) of `steps_per_epoch`
/// steps in epoch `epoch` (0-based): a pure function of these, so a resumed trial steps as
/// an uninterrupted one. Progress t = epoch + (step + 1) / steps_per_epoch epochs; warm-up:
/// min(1, t / warmup_epochs); cosine: 0.5 (1 + cos(pi (t - warmup) / (max_epochs - warmup)))
/// after the warm-up, reaching 0 at max_epochs; step: lr_gamma ^ floor(epoch / lr_step_epochs).
double lr_factor(const TrainingOptions& options, int epoch, std::int64_t step,
                 std::int64_t steps_per_epoch);

/// The checks of the options that need more than their range, each throwing ConfigError
/// "FILE: FIELD: VALUE what is wrong" (one line) for the first value a trial could get:
/// label_smoothing other than 0 for regression; bf16 or fp16 when `cuda` is false (the
/// workers train on the CPU).
void check_training_options(const StudyConfig& config, bool cuda);

/// The checks against the data's sample shape ([D] features, [C, H, W] or [H, W] images):
/// resnet needs images of at least 8x8 pixels (naming objective.model and the shape);
/// augment_crop and augment_flip need images (naming the field).
void check_options_fit_data(const StudyConfig& config, const std::vector<std::int64_t>& sample);

}  // namespace rungs

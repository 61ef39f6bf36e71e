#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "study/config.h"
#include "study/errors.h"
#include "trainer/hyperparams.h"
#include "trainer/training_options.h"

namespace rungs {
namespace {

const char* kStudy = R"(
name: t
seed: 1
objective: {model: mlp, dataset: fashion_mnist, metric: val_accuracy, direction: maximize, train_samples: 2000, val_samples: 500}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
  precision: {type: categorical, choices: [fp32, bf16]}
fixed: {lr_schedule: cosine, warmup_epochs: 0.5, augment_flip: true}
sampler: random
scheduler: fifo
budget: {max_trials: 4, epochs: 2}
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return pos == std::string::npos ? text : text.replace(pos, from.size(), to);
}

/// The first error of validate_hyperparameters and check_training_options, or "(no error)".
std::string error_of(const std::string& text, bool cuda) {
  const StudyConfig config = parse_study_config(text, "study.yaml");
  try {
    validate_hyperparameters(config);
    check_training_options(config, cuda);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string fit_error(const std::string& text, const std::vector<std::int64_t>& sample) {
  const StudyConfig config = parse_study_config(text, "study.yaml");
  try {
    check_options_fit_data(config, sample);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TrainingOptions, EveryModelTakesThemWithDefaultsOff) {
  for (const char* model : {"mlp", "cnn", "resnet"}) {
    const Hyperparameters hp = Hyperparameters::from_params(model, {});
    EXPECT_EQ(hp.training.lr_schedule, "constant") << model;
    EXPECT_FALSE(hp.training.scheduled()) << model;
    EXPECT_FALSE(hp.training.augments()) << model;
    EXPECT_EQ(hp.training.precision, "fp32") << model;
    EXPECT_EQ(hp.training.label_smoothing, 0.0) << model;
    EXPECT_EQ(hp.training.grad_clip, 0.0) << model;
  }
  const Hyperparameters hp =
      Hyperparameters::from_params("resnet", {{"lr_schedule", std::string("step")},
                                              {"augment_crop", std::int64_t{4}},
                                              {"stages", std::int64_t{2}},
                                              {"warmup_epochs", std::int64_t{1}}});
  EXPECT_EQ(hp.training.lr_schedule, "step");
  EXPECT_EQ(hp.training.augment_crop, 4);
  EXPECT_DOUBLE_EQ(hp.training.warmup_epochs, 1.0);
  EXPECT_EQ(hp.stages, 2);
  EXPECT_EQ(hp.blocks, 1);
  EXPECT_EQ(hp.width, 16);
}

TEST(TrainingOptions, AcceptsAGoodStudyOnACudaRun) {
  EXPECT_EQ(error_of(kStudy, true), "(no error)");
}

TEST(TrainingOptions, RefusesMixedPrecisionOnTheCpu) {
  EXPECT_EQ(error_of(kStudy, false),
            "study.yaml: search_space.precision.choices: bf16 needs a CUDA device; this study "
            "trains on the CPU (use fp32)");
  const std::string fixed =
      replaced(replaced(kStudy, "  precision: {type: categorical, choices: [fp32, bf16]}\n", ""),
               "augment_flip: true", "augment_flip: true, precision: fp16");
  EXPECT_EQ(error_of(fixed, false),
            "study.yaml: fixed.precision: fp16 needs a CUDA device; this study trains on the CPU "
            "(use fp32)");
}

TEST(TrainingOptions, RejectsBadValuesNamingTheField) {
  EXPECT_EQ(error_of(replaced(kStudy, "lr_schedule: cosine", "lr_schedule: linear"), true),
            "study.yaml: fixed.lr_schedule: linear is not a known lr_schedule (known: constant, "
            "cosine, step)");
  EXPECT_EQ(error_of(replaced(kStudy, "warmup_epochs: 0.5", "label_smoothing: 1"), true),
            "study.yaml: fixed.label_smoothing: 1 is out of range; label_smoothing must be in "
            "[0, 1)");
  EXPECT_EQ(error_of(replaced(kStudy, "warmup_epochs: 0.5", "grad_clip: -1"), true),
            "study.yaml: fixed.grad_clip: -1 is out of range; grad_clip must be >= 0");
  EXPECT_EQ(error_of(replaced(kStudy, "warmup_epochs: 0.5", "augment_crop: 2.5"), true),
            "study.yaml: fixed.augment_crop: 2.5 is not an integer");
}

TEST(TrainingOptions, RejectsLabelSmoothingForRegression) {
  const std::string text = replaced(
      kStudy,
      "dataset: fashion_mnist, metric: val_accuracy, direction: maximize, train_samples: 2000, "
      "val_samples: 500",
      "data: {file: d.h5, train: {x: /x, y: /y}, val_fraction: 0.1}, task: regression, metric: "
      "val_mse, direction: minimize");
  EXPECT_EQ(error_of(replaced(text, "warmup_epochs: 0.5", "label_smoothing: 0"), true),
            "(no error)");
  EXPECT_EQ(error_of(replaced(text, "warmup_epochs: 0.5", "label_smoothing: 0.1"), true),
            "study.yaml: fixed.label_smoothing: 0.1 applies to classification only "
            "(objective.task is regression)");
}

TEST(TrainingOptions, ResnetAndAugmentationNeedImages) {
  const std::string resnet = replaced(kStudy, "model: mlp", "model: resnet");
  EXPECT_EQ(fit_error(resnet, {64}),
            "study.yaml: objective.model: resnet needs images [N, C, H, W] or [N, H, W] of at "
            "least 8x8 pixels; the data has samples of shape [64]");
  EXPECT_EQ(fit_error(resnet, {3, 4, 4}),
            "study.yaml: objective.model: resnet needs images [N, C, H, W] or [N, H, W] of at "
            "least 8x8 pixels; the data has samples of shape [3, 4, 4]");
  EXPECT_EQ(fit_error(resnet, {3, 32, 32}), "(no error)");
  EXPECT_EQ(fit_error(kStudy, {64}),
            "study.yaml: fixed.augment_flip: true applies to images only; the data has samples "
            "of shape [64]");
  EXPECT_EQ(fit_error(kStudy, {8, 8}), "(no error)");
}

TEST(LrFactor, ConstantIsOne) {
  TrainingOptions o;
  EXPECT_DOUBLE_EQ(lr_factor(o, 0, 0, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(o, 7, 9, 10), 1.0);
}

TEST(LrFactor, WarmupRisesLinearlyToOneByStep) {
  TrainingOptions o;
  o.warmup_epochs = 2.0;
  // 10 steps per epoch: step s of epoch 0 is at 0.1 (s + 1) epochs.
  EXPECT_DOUBLE_EQ(lr_factor(o, 0, 0, 10), 0.05);
  EXPECT_DOUBLE_EQ(lr_factor(o, 0, 9, 10), 0.5);
  EXPECT_DOUBLE_EQ(lr_factor(o, 1, 4, 10), 0.75);
  EXPECT_DOUBLE_EQ(lr_factor(o, 1, 9, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(o, 5, 0, 10), 1.0);
  // Fractional: half an epoch.
  o.warmup_epochs = 0.5;
  EXPECT_DOUBLE_EQ(lr_factor(o, 0, 1, 4), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(o, 0, 0, 4), 0.5);
}

TEST(LrFactor, CosineAnnealsToZeroAtTheTrialsLastEpoch) {
  TrainingOptions o;
  o.lr_schedule = "cosine";
  o.max_epochs = 4;
  EXPECT_NEAR(lr_factor(o, 1, 9, 10), 0.5, 1e-12);  // half way: 2 of 4 epochs
  EXPECT_NEAR(lr_factor(o, 3, 9, 10), 0.0, 1e-12);  // the last step
  EXPECT_NEAR(lr_factor(o, 0, 9, 10), 0.5 * (1 + std::cos(M_PI / 4)), 1e-12);
  double previous = 2.0;
  for (int epoch = 0; epoch < 4; ++epoch)
    for (int step = 0; step < 10; ++step) {
      const double f = lr_factor(o, epoch, step, 10);
      EXPECT_LT(f, previous);
      previous = f;
    }
  // With a warm-up, the cosine starts after it.
  o.warmup_epochs = 1.0;
  EXPECT_NEAR(lr_factor(o, 0, 9, 10), 1.0, 1e-12);
  EXPECT_NEAR(lr_factor(o, 0, 4, 10), 0.5, 1e-12);
  EXPECT_NEAR(lr_factor(o, 2, 4, 10), 0.5, 1e-12);  // 2.5 epochs: half of the 3 after warm-up
  EXPECT_NEAR(lr_factor(o, 3, 9, 10), 0.0, 1e-12);
}

TEST(LrFactor, StepDecaysByGammaEveryStepEpochs) {
  TrainingOptions o;
  o.lr_schedule = "step";
  o.lr_step_epochs = 2;
  o.lr_gamma = 0.5;
  EXPECT_DOUBLE_EQ(lr_factor(o, 0, 3, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(o, 1, 9, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_factor(o, 2, 0, 10), 0.5);
  EXPECT_DOUBLE_EQ(lr_factor(o, 5, 0, 10), 0.25);
}

}  // namespace
}  // namespace rungs

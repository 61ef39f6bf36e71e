#include <gtest/gtest.h>

#include <string>

#include "study/config.h"
#include "study/errors.h"
#include "trainer/hyperparams.h"

namespace rungs {
namespace {

const char* kGood = R"(
name: t
seed: 1
objective: {model: mlp, dataset: fashion_mnist, metric: val_accuracy, direction: maximize, train_samples: 2000, val_samples: 500}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
  optimizer: {type: categorical, choices: [sgd, adam]}
  momentum: {type: float, low: 0.0, high: 0.95, when: {optimizer: [sgd]}}
  nesterov: {type: categorical, choices: [true, false], when: {optimizer: [sgd]}}
  width: {type: int, low: 32, high: 256, step: 32}
  dropout: {type: float, low: 0.0, high: 0.5}
fixed: {layers: 1, activation: gelu, batch_size: 64}
sampler: random
scheduler: fifo
budget: {max_trials: 4, epochs: 2}
)";

/// The good study with the first `from` replaced by `to`.
std::string variant(const std::string& from, const std::string& to) {
  std::string text = kGood;
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return pos == std::string::npos ? text : text.replace(pos, from.size(), to);
}

/// The message of validate_hyperparameters on `text`, or "(no error)".
std::string error_of(const std::string& text) {
  const StudyConfig config = parse_study_config(text, "study.yaml");
  try {
    validate_hyperparameters(config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Hyperparams, AcceptsAGoodStudy) { EXPECT_EQ(error_of(kGood), "(no error)"); }

TEST(Hyperparams, NamesAnUnknownSearchParameterWithTheKnownOnes) {
  EXPECT_EQ(error_of(variant("  lr: {", "  lrr: {")),
            "study.yaml: search_space.lrr: unknown hyperparameter for model mlp (known: "
            "activation, augment_crop, augment_flip, batch_size, dropout, grad_clip, "
            "label_smoothing, layers, lr, lr_gamma, lr_schedule, lr_step_epochs, momentum, "
            "nesterov, optimizer, precision, warmup_epochs, weight_decay, width)");
}

TEST(Hyperparams, KnowsWhichNamesBelongToWhichModel) {
  EXPECT_EQ(
      error_of(variant("model: mlp", "model: cnn"))
          .rfind("study.yaml: search_space.width: unknown hyperparameter for model cnn (known: "
                 "activation, augment_crop, augment_flip, batch_size, channels,",
                 0),
      0u);
}

TEST(Hyperparams, RejectsAnUnknownOptimizerChoice) {
  EXPECT_EQ(error_of(variant("[sgd, adam]", "[sgd, rmsprop]")),
            "study.yaml: search_space.optimizer.choices: rmsprop is not a known optimizer "
            "(known: adam, adamw, sgd)");
}

TEST(Hyperparams, RejectsAnUnknownFixedActivation) {
  EXPECT_EQ(error_of(variant("activation: gelu", "activation: swish")),
            "study.yaml: fixed.activation: swish is not a known activation (known: gelu, "
            "leaky_relu, relu, silu, tanh)");
}

TEST(Hyperparams, RejectsFixedValuesOfTheWrongTypeOrRange) {
  EXPECT_EQ(error_of(variant("layers: 1", "layers: 1.5")),
            "study.yaml: fixed.layers: 1.5 is not an integer");
  EXPECT_EQ(error_of(variant("batch_size: 64", "batch_size: 0")),
            "study.yaml: fixed.batch_size: 0 is out of range; batch_size must be in [1, 65536]");
  EXPECT_EQ(error_of(variant("layers: 1", "layers: 1, weight_decay: -0.1")),
            "study.yaml: fixed.weight_decay: -0.1 is out of range; weight_decay must be >= 0");
  EXPECT_EQ(error_of(variant("layers: 1", "layers: 1, weight_decay: yes")),
            "study.yaml: fixed.weight_decay: yes is not a number");
}

TEST(Hyperparams, RejectsSearchRangesOutsideTheDomain) {
  EXPECT_EQ(error_of(variant("high: 0.5}", "high: 1.0}")),
            "study.yaml: search_space.dropout.high: 1 is out of range; dropout must be in [0, 1)");
  EXPECT_EQ(error_of(variant("width: {type: int", "width: {type: float")),
            "study.yaml: search_space.width.type: float does not fit width (in [1, 65536]; use "
            "int or categorical)");
}

TEST(Hyperparams, RejectsAMetricWithTheWrongDirection) {
  EXPECT_EQ(error_of(variant("direction: maximize", "direction: minimize")),
            "study.yaml: objective.direction: minimize does not fit metric val_accuracy (use "
            "maximize)");
  EXPECT_EQ(error_of(variant("metric: val_accuracy, direction: maximize",
                             "metric: val_loss, direction: minimize")),
            "(no error)");
}

TEST(Hyperparams, ObjectivesAreMetricsTheTrainerReports) {
  const std::string two = "objectives: [{metric: val_accuracy}, {metric: params}]\n";
  const std::string text = variant("metric: val_accuracy, direction: maximize, ", "");
  const auto with = [&](const std::string& objectives) {
    std::string t = text;
    return error_of(t.replace(t.find("search_space:"), 13, objectives + "search_space:"));
  };
  EXPECT_EQ(with(two), "(no error)");
  EXPECT_EQ(with("objectives: [{metric: val_accuracy}, {metric: latency_ms}]\n"), "(no error)");
  EXPECT_EQ(with("objectives: [{metric: val_accuracy}, {metric: flops}]\n"),
            "study.yaml: objectives[1].metric: flops is not a metric the built-in trainer reports "
            "(known: latency_ms, params, train_loss, val_accuracy, val_loss)");
  EXPECT_EQ(with("objectives: [{metric: val_accuracy}, {metric: params, direction: maximize}]\n"),
            "study.yaml: objectives[1].direction: maximize does not fit metric params (use minimize)");
}

TEST(Hyperparams, RejectsUnknownModelsAndDatasets) {
  EXPECT_EQ(error_of(variant("model: mlp", "model: transformer")),
            "study.yaml: objective.model: transformer is not a known model (known: cnn, mlp, "
            "resnet)");
  EXPECT_EQ(error_of(variant("dataset: fashion_mnist", "dataset: cifar10")),
            "study.yaml: objective.dataset: cifar10 is not a known dataset (known: fashion_mnist)");
}

TEST(Hyperparams, ResnetHasStagesBlocksAndWidthInTheirRanges) {
  const std::string resnet = variant("model: mlp", "model: resnet");
  std::string text = resnet;
  text.replace(text.find("layers: 1"), 9, "stages: 7");
  EXPECT_EQ(error_of(text),
            "study.yaml: fixed.stages: 7 is out of range; stages must be in [1, 6]");
  text = resnet;
  text.replace(text.find("layers: 1"), 9, "blocks: 0");
  EXPECT_EQ(error_of(text),
            "study.yaml: fixed.blocks: 0 is out of range; blocks must be in [1, 16]");
  text = resnet;
  text.replace(text.find("layers: 1"), 9, "blocks: 16, stages: 6");
  text.replace(text.find("high: 256"), 9, "high: 1024");
  EXPECT_EQ(error_of(text), "(no error)");
  text.replace(text.find("high: 1024"), 10, "high: 1056");
  EXPECT_EQ(error_of(text),
            "study.yaml: search_space.width.high: 1056 is out of range; width must be in [1, 1024]");
}

TEST(Hyperparams, RejectsMoreSamplesThanTheDatasetHas) {
  EXPECT_EQ(error_of(variant("train_samples: 2000", "train_samples: 60000")),
            "study.yaml: objective.train_samples: 60000 is out of range; fashion_mnist has "
            "50000 training images");
}

TEST(Hyperparams, ResolveFillsDefaultsAndConvertsTypes) {
  const Params resolved =
      resolve_hyperparameters("mlp", {{"lr", std::int64_t{1}}, {"width", std::int64_t{64}}});
  EXPECT_TRUE(same_value(resolved.at("lr"), ParamValue(1.0)));
  EXPECT_TRUE(same_value(resolved.at("width"), ParamValue(std::int64_t{64})));
  EXPECT_TRUE(same_value(resolved.at("layers"), ParamValue(std::int64_t{2})));
  EXPECT_TRUE(same_value(resolved.at("optimizer"), ParamValue(std::string("adam"))));
  EXPECT_TRUE(same_value(resolved.at("nesterov"), ParamValue(false)));
  EXPECT_EQ(resolved.size(), 19u);  // 10 of the mlp and optimizer, 9 training options

  const Hyperparameters hp = Hyperparameters::from_params("cnn", {{"channels", std::int64_t{8}}});
  EXPECT_EQ(hp.channels, 8);
  EXPECT_EQ(hp.batch_size, 128);
  EXPECT_DOUBLE_EQ(hp.lr, 1e-3);
}

TEST(Hyperparams, ResolveRejectsUnknownNamesAndBadValues) {
  EXPECT_THROW(resolve_hyperparameters("mlp", {{"channels", std::int64_t{8}}}), ConfigError);
  EXPECT_THROW(resolve_hyperparameters("mlp", {{"lr", -1.0}}), ConfigError);
  EXPECT_THROW(resolve_hyperparameters("transformer", {}), ConfigError);
}

}  // namespace
}  // namespace rungs

#pragma once
/// The hyperparameters the LibTorch trainer understands, per model, with their types,
/// ranges and defaults. The study file is checked against them before any trial runs
/// (validate_hyperparameters); a trial's parameters are completed with the defaults
/// (resolve_hyperparameters). No LibTorch here.
#include <cmath>
#include <string>
#include <vector>

#include "study/config.h"
#include "study/param.h"
#include "trainer/hyperparameter_spec.h"
#include "trainer/training_options.h"

namespace rungs {

/// Builders of specs, for the models' spec lists.
namespace specs {
/// An Int or Float in [low, high] (or (low, ...) with low_open; no upper bound by default).
HyperparameterSpec number(std::string name, HyperType type, ParamValue fallback, double low,
                          bool low_open, double high = HUGE_VAL, bool high_open = false);
HyperparameterSpec choice(std::string name, std::string fallback, std::vector<std::string> choices);
HyperparameterSpec flag(std::string name, bool fallback);
}  // namespace specs

/// The known hyperparameters of `model` (a registered model: mlp, cnn, resnet or one of the
/// user's, trainer/model_registry.h), sorted by name. Throws ConfigError for an unknown model.
const std::vector<HyperparameterSpec>& hyperparameters_of(const std::string& model);

/// `own` (a model's own hyperparameters) with the ones every model shares (optimizer, lr,
/// batch_size, dropout, activation, the training options, ...), sorted by name.
std::vector<HyperparameterSpec> with_optimizer(std::vector<HyperparameterSpec> own);

/// Checks the study against the trainer: objective.model is a registered model, objective.dataset is
/// fashion_mnist, objective.metric is val_accuracy (maximize) | val_loss | train_loss
/// (minimize), the sample counts fit the dataset, every name in search_space and fixed is
/// a hyperparameter of the model, and every value a trial can get from them has the right
/// type and range. Throws ConfigError "FILE: FIELD.PATH: VALUE what is wrong" (one line).
void validate_hyperparameters(const StudyConfig& config);

/// A trial's parameters completed with the defaults, each converted to its type (an Int
/// value for a Float hyperparameter becomes a double). Throws ConfigError for an unknown
/// model, name, or a value of the wrong type or range.
Params resolve_hyperparameters(const std::string& model, const Params& trial_params);

/// The resolved hyperparameters as typed fields, for the trainer.
struct Hyperparameters {
  std::string model = "mlp";
  int layers = 2;     ///< mlp: hidden layers
  int width = 256;    ///< mlp: units per hidden layer; resnet: channels of the first stage
  int channels = 32;  ///< cnn: channels of the first conv block (the second has twice)
  int stages = 3;     ///< resnet: stages of residual blocks (widths width, 2 width, 4 width...)
  int blocks = 1;     ///< resnet: residual blocks per stage
  double dropout = 0.0;
  std::string activation = "relu";
  std::string optimizer = "adam";
  double lr = 1e-3;
  double momentum = 0.9;  ///< sgd
  bool nesterov = false;  ///< sgd
  double weight_decay = 0.0;
  int batch_size = 128;
  TrainingOptions training;  ///< schedule, smoothing, clipping, augmentation, precision
  /// Every hyperparameter of the model, resolved (what its factory reads); empty for one
  /// built by hand, where model_params() gives the fields above instead.
  Params params;

  /// resolve_hyperparameters(), then typed. Throws ConfigError like it.
  static Hyperparameters from_params(const std::string& model, const Params& trial_params);
  /// `params`, or where it is empty the built-in model's fields set above (layers and width
  /// for mlp, channels for cnn, dropout, activation).
  Params model_params() const;
};

}  // namespace rungs

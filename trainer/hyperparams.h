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
#include "trainer/training_options.h"

namespace rungs {

enum class HyperType { Int, Float, Bool, Choice };

/// One hyperparameter: its type, default and allowed values.
struct HyperparameterSpec {
  std::string name;
  HyperType type = HyperType::Float;
  ParamValue fallback;               ///< the default
  double low = 0.0;                  ///< Int/Float: the smallest allowed value...
  bool low_open = false;             ///< ...excluded when true (lr > 0)
  double high = 0.0;                 ///< Int/Float: the largest allowed value...
  bool high_open = false;            ///< ...excluded when true (dropout < 1)
  bool bounded_above = false;        ///< false: no upper limit
  std::vector<std::string> choices;  ///< Choice: the known values

  /// Empty when `value` has this type and range, else what is wrong ("is not an integer").
  std::string check(const ParamValue& value) const;
  /// "in [0, 1)", "> 0", "one of adam, adamw, sgd".
  std::string domain() const;
};

/// Builders of specs, for the models' spec lists.
namespace specs {
/// An Int or Float in [low, high] (or (low, ...) with low_open; no upper bound by default).
HyperparameterSpec number(std::string name, HyperType type, ParamValue fallback, double low,
                          bool low_open, double high = HUGE_VAL, bool high_open = false);
HyperparameterSpec choice(std::string name, std::string fallback, std::vector<std::string> choices);
HyperparameterSpec flag(std::string name, bool fallback);
}  // namespace specs

/// The known hyperparameters of `model` (mlp | cnn | resnet), sorted by name. Throws ConfigError
/// for an unknown model.
const std::vector<HyperparameterSpec>& hyperparameters_of(const std::string& model);

/// Checks the study against the trainer: objective.model is mlp|cnn|resnet, objective.dataset is
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

  /// resolve_hyperparameters(), then typed. Throws ConfigError like it.
  static Hyperparameters from_params(const std::string& model, const Params& trial_params);
};

}  // namespace rungs

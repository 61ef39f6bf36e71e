#pragma once
/// The models the trainer can build: each a name, its declared hyperparameters and a factory
/// from a trial's resolved hyperparameters and the data's shape to a network. The built-in
/// models (trainer/models.cpp) and the user's (<rungs/model.h>, docs/cpp-models.md) are
/// registered here alike; the study file is validated against, and the trainer builds, a
/// registered model the same way whichever it is. Part of the model contract (installed with
/// <rungs/model.h>); declared without LibTorch.
#include <cstdint>
#include <string>
#include <vector>

#include "study/param.h"
#include "trainer/hyperparameter_spec.h"

namespace torch {
namespace nn {
class AnyModule;
}  // namespace nn
}  // namespace torch

namespace rungs {

constexpr int kImageSide = 28;  ///< Fashion-MNIST's images: 1 x 28 x 28...
constexpr int kClasses = 10;    ///< ...in 10 classes

/// What a network maps from and to: one sample's shape (features [D] or images [C, H, W])
/// and the number of outputs (classes, or regression targets). The default: Fashion-MNIST.
struct ModelShape {
  std::vector<std::int64_t> sample{1, kImageSide, kImageSide};
  std::int64_t outputs = kClasses;
  std::int64_t features() const;  ///< the product of `sample`
};

/// What a factory gets: the trial's hyperparameters, each resolved (the study's value or
/// the declared default, converted to the declared type) and the data's shape.
class ModelInput {
 public:
  ModelInput(std::string model, Params params, ModelShape shape);

  const std::string& model() const { return model_; }
  const Params& params() const { return params_; }
  const ModelShape& shape() const { return shape_; }
  /// The value of a declared Int, Float, Choice or Bool hyperparameter. Throws
  /// std::invalid_argument naming the model and `name` when it is not declared with that type.
  std::int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  const std::string& get_choice(const std::string& name) const;
  bool get_bool(const std::string& name) const;

 private:
  template <typename T>
  const T& get(const std::string& name, const char* type) const;

  std::string model_;
  Params params_;
  ModelShape shape_;
};

/// Builds the network for one trial: a module whose forward maps samples [N, sample...] to
/// [N, outputs], initialized from LibTorch's global generator (the trainer seeds it first).
using ModelFactory = torch::nn::AnyModule (*)(const ModelInput& input);

struct RegisteredModel {
  std::string name;
  /// Its own hyperparameters with the ones every model shares (with_optimizer), by name.
  std::vector<HyperparameterSpec> hyperparameters;
  ModelFactory factory = nullptr;
};

/// Registers a model. Throws std::logic_error (a mistake in the program, not in a study)
/// for an empty or taken name (the built-in ones included), a hyperparameter declared twice
/// or named like a shared one, or a default outside its own range.
void register_model(const std::string& name, std::vector<HyperparameterSpec> own,
                    ModelFactory factory);

/// register_model() for RUNGS_MODEL (<rungs/model.h>), during static initialization: the
/// model is registered when the registry is first used (rungs::main does at its start,
/// where a std::logic_error for a mistake in the declaration ends the program, status 1).
struct ModelRegistration {
  ModelRegistration(const char* name, std::vector<HyperparameterSpec> own, ModelFactory factory);
};

/// The registered model `name`, or null.
const RegisteredModel* find_model(const std::string& name);

/// The names of the registered models, sorted.
std::vector<std::string> model_names();

/// The built-in models (trainer/models.cpp), registered before any other; `hyperparameters`
/// holds each one's own (register_model adds the shared ones).
std::vector<RegisteredModel> builtin_models();

}  // namespace rungs

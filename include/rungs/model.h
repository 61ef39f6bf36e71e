#pragma once
/// Registering a LibTorch model of one's own with rungs (docs/cpp-models.md):
///
///   #include <rungs/model.h>
///
///   torch::nn::AnyModule make_tinynet(const rungs::ModelInput& in) {
///     return torch::nn::AnyModule(TinyNet(in.get_int("depth"), in.shape()));
///   }
///   RUNGS_MODEL(tinynet, make_tinynet, rungs::int_hyperparameter("depth", 2, 1, 4))
///
///   int main(int argc, char** argv) { return rungs::main(argc, argv); }
///
/// `objective: {model: tinynet}` in a study file then trains it like mlp and cnn: depth and
/// every shared hyperparameter (optimizer, lr, batch_size, dropout, ...) are checked against
/// their declared types and ranges before a trial runs; checkpoints, resume, groups of
/// ranks and the test set work as for the built-in models.
#include <torch/torch.h>

#include "rungs/main.h"
#include "trainer/hyperparameter_spec.h"
#include "trainer/model_registry.h"

/// Registers model NAME (an identifier: the study's objective.model) with FACTORY (a
/// function torch::nn::AnyModule(const rungs::ModelInput&)) and its own hyperparameters,
/// none or more rungs::*_hyperparameter(...). Put it in a source file of the executable
/// itself: an object file in a static library that nothing references is left out by the
/// linker, and its model with it. A mistake in the declaration (a taken name, a default out
/// of its range) ends the program at start with a message naming it.
#define RUNGS_MODEL(NAME, FACTORY, ...)                                   \
  static const ::rungs::ModelRegistration rungs_model_registration_##NAME( \
      #NAME, std::vector<::rungs::HyperparameterSpec>{__VA_ARGS__}, FACTORY);

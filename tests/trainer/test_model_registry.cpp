// The model registry (trainer/model_registry.h) through the public header <rungs/model.h>:
// a RUNGS_MODEL registration is validated like the built-in models, its network is built
// by the trainer's make_network with the trial's values, and mistakes in a declaration are
// refused with a message naming them.
#include <gtest/gtest.h>

#include <rungs/model.h>

#include <stdexcept>
#include <string>

#include "study/config.h"
#include "study/errors.h"
#include "trainer/hyperparams.h"
#include "trainer/models.h"

namespace rungs {
namespace {

struct WideNetImpl : torch::nn::Module {
  explicit WideNetImpl(const ModelInput& in) {
    const std::int64_t width = in.get_int("width2") * (in.get_bool("double") ? 2 : 1);
    hidden = register_module("hidden", torch::nn::Linear(in.shape().features(), width));
    out = register_module("out", torch::nn::Linear(width, in.shape().outputs));
  }
  torch::Tensor forward(torch::Tensor x) { return out(torch::relu(hidden(x.flatten(1)))); }
  torch::nn::Linear hidden{nullptr}, out{nullptr};
};
TORCH_MODULE(WideNet);

torch::nn::AnyModule make_wide(const ModelInput& in) { return torch::nn::AnyModule(WideNet(in)); }

}  // namespace
}  // namespace rungs

RUNGS_MODEL(widenet, rungs::make_wide, rungs::int_hyperparameter("width2", 8, 1, 64),
            rungs::bool_hyperparameter("double", false),
            rungs::float_hyperparameter("scale", 0.5, 0.0, 1.0))

namespace rungs {
namespace {

std::string validation_error(const std::string& text) {
  try {
    validate_hyperparameters(parse_study_config(text, "study.yaml"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kHead = "name: t\nbudget: {max_trials: 2, epochs: 1}\n";
const std::string kStudy = kHead + "objective: {model: widenet}\nsearch_space:\n";

TEST(ModelRegistry, RegisteredModelIsKnownBesideTheBuiltInOnes) {
  EXPECT_EQ(model_names(), (std::vector<std::string>{"cnn", "mlp", "resnet", "widenet"}));
  const auto& specs = hyperparameters_of("widenet");
  std::vector<std::string> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  // Its own and every shared one (the optimizer's among them), by name.
  for (const char* name : {"width2", "double", "scale", "lr", "optimizer", "batch_size"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(ModelRegistry, UserHyperparametersAreValidatedLikeBuiltInOnes) {
  EXPECT_EQ(validation_error(kStudy + "  width2: {type: int, low: 4, high: 32}\n"), "(no error)");
  const std::string typo = validation_error(kStudy + "  widht2: {type: int, low: 4, high: 32}\n");
  EXPECT_NE(typo.find("study.yaml"), std::string::npos) << typo;
  EXPECT_NE(typo.find("search_space.widht2"), std::string::npos) << typo;
  EXPECT_NE(typo.find("unknown hyperparameter for model widenet"), std::string::npos) << typo;
  EXPECT_NE(typo.find("width2"), std::string::npos) << typo;  // in the known names
  const std::string range = validation_error(kStudy + "  width2: {type: int, low: 4, high: 65}\n");
  EXPECT_NE(range.find("search_space.width2.high: 65 is out of range"), std::string::npos) << range;
  const std::string type = validation_error(kStudy + "  width2: {type: int, low: 4, high: 32}\nfixed: {double: 3}\n");
  EXPECT_NE(type.find("fixed.double: 3 is not a boolean"), std::string::npos) << type;
  const std::string unknown = validation_error(kHead + "objective: {model: widenett}\nsearch_space: {lr: {type: float, low: 0.1, high: 0.2}}\n");
  EXPECT_NE(unknown.find("known: cnn, mlp, resnet, widenet"), std::string::npos) << unknown;
}

TEST(ModelRegistry, TrainerBuildsTheNetworkFromTheTrialsValues) {
  const Hyperparameters hp = Hyperparameters::from_params(
      "widenet", {{"width2", std::int64_t{5}}, {"double", true}});
  EXPECT_EQ(std::get<double>(hp.params.at("scale")), 0.5);  // the declared default
  ModelShape shape;
  shape.sample = {3, 4, 4};
  shape.outputs = 7;
  torch::nn::AnyModule net = make_network(hp, shape);
  const auto params = net.ptr()->named_parameters();
  EXPECT_EQ(params["hidden.weight"].sizes(), (std::vector<std::int64_t>{10, 48}));
  const torch::Tensor out = net.forward<torch::Tensor>(torch::zeros({2, 3, 4, 4}));
  EXPECT_EQ(out.sizes(), (std::vector<std::int64_t>{2, 7}));
}

TEST(ModelRegistry, BuiltInNetworksKeepTheirParameterNames) {
  Hyperparameters hp;  // mlp, as the checkpoints of earlier studies name its parameters
  hp.layers = 1;
  hp.width = 16;
  const auto params = make_network(hp, ModelShape{}).ptr()->named_parameters();
  EXPECT_EQ(params.keys(), (std::vector<std::string>{"1.weight", "1.bias", "3.weight", "3.bias"}));
  EXPECT_EQ(params["1.weight"].sizes(), (std::vector<std::int64_t>{16, 784}));
}

TEST(ModelRegistry, MistakesInADeclarationAreRefusedNamingThem) {
  const auto refused = [](const std::string& name, std::vector<HyperparameterSpec> own) {
    try {
      register_model(name, std::move(own), &make_wide);
    } catch (const std::logic_error& e) {
      return std::string(e.what());
    }
    return std::string("(registered)");
  };
  EXPECT_NE(refused("mlp", {}).find("already registered"), std::string::npos);
  EXPECT_NE(refused("widenet", {}).find("already registered"), std::string::npos);
  EXPECT_NE(refused("a", {int_hyperparameter("lr", 1, 0, 2)}).find("lr is one every model has"),
            std::string::npos);
  EXPECT_NE(refused("b", {int_hyperparameter("k", 9, 0, 2)}).find("default of k, 9"),
            std::string::npos);
  EXPECT_NE(refused("c", {bool_hyperparameter("k", true), bool_hyperparameter("k", false)})
                .find("k is declared twice"),
            std::string::npos);
  EXPECT_EQ(find_model("a"), nullptr);
}

TEST(ModelRegistry, ReadingAnUndeclaredHyperparameterNamesIt) {
  const ModelInput in("widenet", {{"width2", std::int64_t{3}}}, ModelShape{});
  EXPECT_EQ(in.get_int("width2"), 3);
  try {
    in.get_float("width2");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("widenet reads hyperparameter width2 as a float"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace rungs

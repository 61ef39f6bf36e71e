#include "trainer/hyperparams.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "study/errors.h"
#include "trainer/resnet.h"

namespace rungs {
namespace {

const std::vector<std::string> kModels = {"cnn", "mlp", "resnet"};
const std::vector<std::string> kMetrics = {"train_loss", "val_accuracy", "val_loss"};
const std::vector<std::string> kRegressionMetrics = {"train_loss", "val_loss", "val_mae",
                                                     "val_mse"};
const std::vector<std::string> kActivations = {"gelu", "leaky_relu", "relu", "silu", "tanh"};
const std::vector<std::string> kOptimizers = {"adam", "adamw", "sgd"};
constexpr double kInf = HUGE_VAL;

}  // namespace

namespace specs {

HyperparameterSpec number(std::string name, HyperType type, ParamValue fallback, double low,
                          bool low_open, double high, bool high_open) {
  HyperparameterSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.fallback = std::move(fallback);
  spec.low = low;
  spec.low_open = low_open;
  spec.high = high;
  spec.high_open = high_open;
  spec.bounded_above = high != kInf;
  return spec;
}

HyperparameterSpec choice(std::string name, std::string fallback,
                          std::vector<std::string> choices) {
  HyperparameterSpec spec;
  spec.name = std::move(name);
  spec.type = HyperType::Choice;
  spec.fallback = std::move(fallback);
  spec.choices = std::move(choices);
  return spec;
}

HyperparameterSpec flag(std::string name, bool fallback) {
  HyperparameterSpec spec;
  spec.name = std::move(name);
  spec.type = HyperType::Bool;
  spec.fallback = fallback;
  return spec;
}

}  // namespace specs

namespace {

using specs::choice;
using specs::flag;
using specs::number;

std::vector<HyperparameterSpec> with_optimizer(std::vector<HyperparameterSpec> list) {
  list.push_back(choice("activation", "relu", kActivations));
  list.push_back(number("dropout", HyperType::Float, 0.0, 0.0, false, 1.0, true));
  list.push_back(choice("optimizer", "adam", kOptimizers));
  list.push_back(number("lr", HyperType::Float, 1e-3, 0.0, true));
  list.push_back(number("momentum", HyperType::Float, 0.9, 0.0, false, 1.0, true));
  list.push_back(flag("nesterov", false));
  list.push_back(number("weight_decay", HyperType::Float, 0.0, 0.0, false));
  list.push_back(number("batch_size", HyperType::Int, std::int64_t{128}, 1.0, false, 65536.0));
  // The training options (trainer/training_options.h) are every model's too.
  for (auto& option : training_option_specs()) list.push_back(std::move(option));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return list;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const HyperparameterSpec* find_spec(const std::string& model, const std::string& name) {
  for (const auto& spec : hyperparameters_of(model))
    if (spec.name == name) return &spec;
  return nullptr;
}

std::string known_names(const std::string& model) {
  std::vector<std::string> names;
  for (const auto& spec : hyperparameters_of(model)) names.push_back(spec.name);
  return joined(names);
}

/// Throws ConfigError "FILE: FIELD: VALUE MESSAGE".
[[noreturn]] void reject(const StudyConfig& config, const std::string& field,
                         const std::string& value, const std::string& message) {
  throw ConfigError(config.where(field) + ": " + value + " " + message);
}

[[noreturn]] void unknown_name(const StudyConfig& config, const std::string& field) {
  const std::string& model = config.objective.model;
  throw ConfigError(config.where(field) + ": unknown hyperparameter for model " + model +
                    " (known: " + known_names(model) + ")");
}

void check_value(const StudyConfig& config, const std::string& field,
                 const HyperparameterSpec& spec, const ParamValue& value) {
  const std::string problem = spec.check(value);
  if (!problem.empty()) reject(config, field, to_string(value), problem);
}

void check_objective(const StudyConfig& config) {
  const ObjectiveConfig& objective = config.objective;
  if (!contains(kModels, objective.model))
    reject(config, "objective.model", objective.model,
           "is not a known model (known: " + joined(kModels) + ")");
  if (objective.dataset != "fashion_mnist")
    reject(config, "objective.dataset", objective.dataset,
           "is not a known dataset (known: fashion_mnist)");
  const std::vector<std::string>& metrics =
      objective.task == Task::Regression ? kRegressionMetrics : kMetrics;
  if (!contains(metrics, objective.metric))
    reject(config, "objective.metric", objective.metric,
           "is not a known metric for " + to_string(objective.task) +
               " (known: " + joined(metrics) + ")");
  const Direction wanted =
      objective.metric == "val_accuracy" ? Direction::Maximize : Direction::Minimize;
  if (objective.direction != wanted)
    reject(config, "objective.direction", to_string(objective.direction),
           std::string("does not fit metric ") + objective.metric + " (use " + to_string(wanted) +
               ")");
  if (objective.train_samples < 1 || objective.train_samples > 50000)
    reject(config, "objective.train_samples", std::to_string(objective.train_samples),
           "is out of range; fashion_mnist has 50000 training images");
  if (objective.val_samples < 1 || objective.val_samples > 10000)
    reject(config, "objective.val_samples", std::to_string(objective.val_samples),
           "is out of range; fashion_mnist has 10000 validation images");
}

void check_search_param(const StudyConfig& config, const ParamSpec& param,
                        const HyperparameterSpec& spec) {
  const std::string field = "search_space." + param.name;
  const bool numeric = spec.type == HyperType::Int || spec.type == HyperType::Float;
  if (param.kind == ParamKind::Categorical) {
    for (const auto& value : param.choices) check_value(config, field + ".choices", spec, value);
  } else if (!numeric || (spec.type == HyperType::Int && param.kind == ParamKind::Float)) {
    reject(config, field + ".type", to_string(param.kind),
           "does not fit " + spec.name + " (" + spec.domain() + "; use " +
               (numeric ? "int or categorical" : "categorical") + ")");
  } else {
    const auto bound = [&param](double x) -> ParamValue {
      if (param.kind == ParamKind::Int) return static_cast<std::int64_t>(std::llround(x));
      return x;
    };
    check_value(config, field + ".low", spec, bound(param.low));
    check_value(config, field + ".high", spec, bound(param.high));
  }
  for (const auto& value : param.grid) check_value(config, field + ".grid", spec, value);
}

}  // namespace

std::string HyperparameterSpec::check(const ParamValue& value) const {
  switch (type) {
    case HyperType::Bool:
      return std::holds_alternative<bool>(value) ? "" : "is not a boolean (true or false)";
    case HyperType::Choice: {
      const auto* text = std::get_if<std::string>(&value);
      if (text && contains(choices, *text)) return "";
      return "is not a known " + name + " (known: " + joined(choices) + ")";
    }
    case HyperType::Int:
      if (!std::holds_alternative<std::int64_t>(value)) return "is not an integer";
      break;
    case HyperType::Float:
      if (!std::holds_alternative<std::int64_t>(value) && !std::holds_alternative<double>(value))
        return "is not a number";
      break;
  }
  const double x = as_double(value);
  const bool below = low_open ? !(x > low) : !(x >= low);
  const bool above = bounded_above && (high_open ? !(x < high) : !(x <= high));
  if (below || above) return "is out of range; " + name + " must be " + domain();
  return "";
}

std::string HyperparameterSpec::domain() const {
  const auto text = [this](double x) {
    return type == HyperType::Int ? std::to_string(std::llround(x)) : to_string(ParamValue(x));
  };
  switch (type) {
    case HyperType::Bool:
      return "true or false";
    case HyperType::Choice:
      return "one of " + joined(choices);
    case HyperType::Int:
    case HyperType::Float:
      break;
  }
  if (!bounded_above) return (low_open ? "> " : ">= ") + text(low);
  return std::string("in ") + (low_open ? "(" : "[") + text(low) + ", " + text(high) +
         (high_open ? ")" : "]");
}

const std::vector<HyperparameterSpec>& hyperparameters_of(const std::string& model) {
  static const std::map<std::string, std::vector<HyperparameterSpec>> known = {
      {"mlp",
       with_optimizer({number("layers", HyperType::Int, std::int64_t{2}, 0.0, false, 64.0),
                       number("width", HyperType::Int, std::int64_t{256}, 1.0, false, 65536.0)})},
      {"cnn",
       with_optimizer({number("channels", HyperType::Int, std::int64_t{32}, 1.0, false, 1024.0)})},
      {"resnet", with_optimizer(resnet_hyperparameters())},
  };
  const auto found = known.find(model);
  if (found == known.end())
    throw ConfigError("model " + model + " is not a known model (known: " + joined(kModels) + ")");
  return found->second;
}

void validate_hyperparameters(const StudyConfig& config) {
  check_objective(config);
  const std::string& model = config.objective.model;
  for (const auto& param : config.space.params()) {
    const HyperparameterSpec* spec = find_spec(model, param.name);
    if (!spec) unknown_name(config, "search_space." + param.name);
    check_search_param(config, param, *spec);
  }
  for (const auto& [name, value] : config.fixed) {
    const HyperparameterSpec* spec = find_spec(model, name);
    if (!spec) unknown_name(config, "fixed." + name);
    check_value(config, "fixed." + name, *spec, value);
  }
}

Params resolve_hyperparameters(const std::string& model, const Params& trial_params) {
  for (const auto& [name, value] : trial_params) {
    const HyperparameterSpec* spec = find_spec(model, name);
    if (!spec)
      throw ConfigError("trial parameter " + name + ": unknown hyperparameter for model " + model +
                        " (known: " + known_names(model) + ")");
    const std::string problem = spec->check(value);
    if (!problem.empty())
      throw ConfigError("trial parameter " + name + ": " + to_string(value) + " " + problem);
  }
  Params resolved;
  for (const auto& spec : hyperparameters_of(model)) {
    const auto given = trial_params.find(spec.name);
    ParamValue value = given == trial_params.end() ? spec.fallback : given->second;
    if (spec.type == HyperType::Float) value = as_double(value);
    resolved.emplace(spec.name, std::move(value));
  }
  return resolved;
}

Hyperparameters Hyperparameters::from_params(const std::string& model, const Params& trial_params) {
  const Params params = resolve_hyperparameters(model, trial_params);
  const auto get_int = [&params](const char* name) {
    return static_cast<int>(std::get<std::int64_t>(params.at(name)));
  };
  const auto get_double = [&params](const char* name) { return std::get<double>(params.at(name)); };
  const auto get_text = [&params](const char* name) {
    return std::get<std::string>(params.at(name));
  };
  Hyperparameters hp;
  hp.model = model;
  if (model == "mlp") {
    hp.layers = get_int("layers");
    hp.width = get_int("width");
  } else if (model == "resnet") {
    hp.stages = get_int("stages");
    hp.blocks = get_int("blocks");
    hp.width = get_int("width");
  } else {
    hp.channels = get_int("channels");
  }
  hp.dropout = get_double("dropout");
  hp.activation = get_text("activation");
  hp.optimizer = get_text("optimizer");
  hp.lr = get_double("lr");
  hp.momentum = get_double("momentum");
  hp.nesterov = std::get<bool>(params.at("nesterov"));
  hp.weight_decay = get_double("weight_decay");
  hp.batch_size = get_int("batch_size");
  TrainingOptions& t = hp.training;
  t.lr_schedule = get_text("lr_schedule");
  t.warmup_epochs = get_double("warmup_epochs");
  t.lr_step_epochs = get_int("lr_step_epochs");
  t.lr_gamma = get_double("lr_gamma");
  t.label_smoothing = get_double("label_smoothing");
  t.grad_clip = get_double("grad_clip");
  t.augment_crop = get_int("augment_crop");
  t.augment_flip = std::get<bool>(params.at("augment_flip"));
  t.precision = get_text("precision");
  return hp;
}

}  // namespace rungs

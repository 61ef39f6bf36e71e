#include "trainer/hyperparams.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "study/errors.h"
#include "trainer/model_registry.h"
#include "trainer/resnet.h"

namespace rungs {
namespace {

// Every epoch also reports the model's cost (trainer/model_cost.h): params, latency_ms.
const std::vector<std::string> kMetrics = {"latency_ms", "params", "train_loss", "val_accuracy",
                                           "val_loss"};
const std::vector<std::string> kRegressionMetrics = {"latency_ms", "params", "train_loss",
                                                     "val_loss", "val_mae", "val_mse"};
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
  if (!find_model(objective.model))
    reject(config, "objective.model", objective.model,
           "is not a known model (known: " + joined(model_names()) + ")");
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
  for (std::size_t i = 1; i < config.multi.objectives.size(); ++i) {
    const Objective& o = config.multi.objectives[i];
    const std::string field = "objectives[" + std::to_string(i) + "]";
    if (!contains(metrics, o.metric))
      reject(config, field + ".metric", o.metric,
             "is not a metric the built-in trainer reports (known: " + joined(metrics) + ")");
    const Direction fits = o.metric == "val_accuracy" ? Direction::Maximize : Direction::Minimize;
    if (o.direction != fits)
      reject(config, field + ".direction", to_string(o.direction),
             "does not fit metric " + o.metric + " (use " + to_string(fits) + ")");
  }
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

std::vector<HyperparameterSpec> with_optimizer(std::vector<HyperparameterSpec> specs) {
  specs.push_back(choice("activation", "relu", kActivations));
  specs.push_back(number("dropout", HyperType::Float, 0.0, 0.0, false, 1.0, true));
  specs.push_back(choice("optimizer", "adam", kOptimizers));
  specs.push_back(number("lr", HyperType::Float, 1e-3, 0.0, true));
  specs.push_back(number("momentum", HyperType::Float, 0.9, 0.0, false, 1.0, true));
  specs.push_back(flag("nesterov", false));
  specs.push_back(number("weight_decay", HyperType::Float, 0.0, 0.0, false));
  specs.push_back(number("batch_size", HyperType::Int, std::int64_t{128}, 1.0, false, 65536.0));
  // The training options (trainer/training_options.h) are every model's too.
  for (auto& option : training_option_specs()) specs.push_back(std::move(option));
  std::sort(specs.begin(), specs.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return specs;
}

HyperparameterSpec int_hyperparameter(std::string name, std::int64_t fallback, std::int64_t low,
                                      std::int64_t high) {
  return number(std::move(name), HyperType::Int, fallback, static_cast<double>(low), false,
                static_cast<double>(high));
}

HyperparameterSpec float_hyperparameter(std::string name, double fallback, double low,
                                        double high) {
  return number(std::move(name), HyperType::Float, fallback, low, false, high);
}

HyperparameterSpec choice_hyperparameter(std::string name, std::string fallback,
                                         std::vector<std::string> choices) {
  return choice(std::move(name), std::move(fallback), std::move(choices));
}

HyperparameterSpec bool_hyperparameter(std::string name, bool fallback) {
  return flag(std::move(name), fallback);
}

const std::vector<HyperparameterSpec>& hyperparameters_of(const std::string& model) {
  const RegisteredModel* found = find_model(model);
  if (!found)
    throw ConfigError("model " + model + " is not a known model (known: " +
                      joined(model_names()) + ")");
  return found->hyperparameters;
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
  Hyperparameters hp;
  hp.model = model;
  hp.params = resolve_hyperparameters(model, trial_params);
  const Params& params = hp.params;
  // Every model has the shared ones (with_optimizer); layers, width, channels: mlp and cnn.
  const auto set_int = [&params](const char* name, int& field) {
    const auto found = params.find(name);
    if (found != params.end()) field = static_cast<int>(std::get<std::int64_t>(found->second));
  };
  const auto get_int = [&params](const char* name) {
    return static_cast<int>(std::get<std::int64_t>(params.at(name)));
  };
  const auto get_double = [&params](const char* name) { return std::get<double>(params.at(name)); };
  const auto get_text = [&params](const char* name) {
    return std::get<std::string>(params.at(name));
  };
  set_int("layers", hp.layers);
  set_int("width", hp.width);
  set_int("channels", hp.channels);
  set_int("stages", hp.stages);
  set_int("blocks", hp.blocks);
  hp.dropout = get_double("dropout");
  hp.activation = get_text("activation");
  hp.optimizer = get_text("optimizer");
  hp.lr = get_double("lr");
  hp.momentum = get_double("momentum");
  hp.nesterov = std::get<bool>(params.at("nesterov"));
  hp.weight_decay = get_double("weight_decay");
  set_int("batch_size", hp.batch_size);
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

Params Hyperparameters::model_params() const {
  if (!params.empty()) return params;
  Params fields{{"dropout", dropout}, {"activation", activation}};
  if (model == "mlp") {
    fields.emplace("layers", std::int64_t{layers});
    fields.emplace("width", std::int64_t{width});
  } else if (model == "cnn") {
    fields.emplace("channels", std::int64_t{channels});
  } else if (model == "resnet") {
    fields.emplace("stages", std::int64_t{stages});
    fields.emplace("blocks", std::int64_t{blocks});
    fields.emplace("width", std::int64_t{width});
  }
  return fields;
}

}  // namespace rungs

#include "trainer/training_options.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "study/errors.h"
#include "trainer/hyperparams.h"

namespace rungs {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// Every value a trial can get for `name`, with the field that gives it: a categorical's
/// choices, a numeric range's bounds, the grid, or the fixed value.
std::vector<std::pair<std::string, ParamValue>> values_of(const StudyConfig& config,
                                                          const std::string& name) {
  std::vector<std::pair<std::string, ParamValue>> values;
  if (const ParamSpec* param = config.space.find(name)) {
    const std::string field = "search_space." + name;
    if (param->kind == ParamKind::Categorical) {
      for (const auto& value : param->choices) values.emplace_back(field + ".choices", value);
    } else {
      values.emplace_back(field + ".low", param->low);
      values.emplace_back(field + ".high", param->high);
    }
    for (const auto& value : param->grid) values.emplace_back(field + ".grid", value);
  }
  const auto fixed = config.fixed.find(name);
  if (fixed != config.fixed.end()) values.emplace_back("fixed." + name, fixed->second);
  return values;
}

[[noreturn]] void reject(const StudyConfig& config, const std::string& field,
                         const ParamValue& value, const std::string& message) {
  throw ConfigError(config.where(field) + ": " + to_string(value) + " " + message);
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace

std::vector<HyperparameterSpec> training_option_specs() {
  using specs::choice;
  using specs::flag;
  using specs::number;
  return {
      choice("lr_schedule", "constant", {"constant", "cosine", "step"}),
      number("warmup_epochs", HyperType::Float, 0.0, 0.0, false),
      number("lr_step_epochs", HyperType::Int, std::int64_t{30}, 1.0, false, 100000.0),
      number("lr_gamma", HyperType::Float, 0.1, 0.0, true, 1.0, false),
      number("label_smoothing", HyperType::Float, 0.0, 0.0, false, 1.0, true),
      number("grad_clip", HyperType::Float, 0.0, 0.0, false),
      number("augment_crop", HyperType::Int, std::int64_t{0}, 0.0, false, 64.0),
      flag("augment_flip", false),
      choice("precision", "fp32", {"bf16", "fp16", "fp32"}),
  };
}

double lr_factor(const TrainingOptions& options, int epoch, std::int64_t step,
                 std::int64_t steps_per_epoch) {
  const double t = static_cast<double>(epoch) +
                   static_cast<double>(step + 1) /
                       static_cast<double>(std::max<std::int64_t>(steps_per_epoch, 1));
  const double warmup = options.warmup_epochs;
  double factor = 1.0;
  if (options.lr_schedule == "cosine" && options.max_epochs > warmup) {
    const double progress = std::clamp((t - warmup) / (options.max_epochs - warmup), 0.0, 1.0);
    factor = 0.5 * (1.0 + std::cos(kPi * progress));
  } else if (options.lr_schedule == "step") {
    factor = std::pow(options.lr_gamma, epoch / std::max(options.lr_step_epochs, 1));
  }
  if (warmup > 0.0 && t < warmup) factor *= t / warmup;
  return factor;
}

void check_training_options(const StudyConfig& config, bool cuda) {
  if (config.objective.task == Task::Regression) {
    for (const auto& [field, value] : values_of(config, "label_smoothing"))
      if (as_double(value) != 0.0)
        reject(config, field, value,
               "applies to classification only (objective.task is regression)");
  }
  if (!cuda) {
    for (const auto& [field, value] : values_of(config, "precision")) {
      const auto* text = std::get_if<std::string>(&value);
      if (text && *text != "fp32")
        reject(config, field, value,
               "needs a CUDA device; this study trains on the CPU (use fp32)");
    }
  }
}

void check_options_fit_data(const StudyConfig& config, const std::vector<std::int64_t>& sample) {
  const bool image = sample.size() >= 2;
  const bool big_image = image && sample[sample.size() - 1] >= 8 && sample[sample.size() - 2] >= 8;
  if (config.objective.model == "resnet" && !big_image)
    throw ConfigError(config.where("objective.model") +
                      ": resnet needs images [N, C, H, W] or [N, H, W] of at least 8x8 pixels; "
                      "the data has samples of shape " +
                      shape_text(sample));
  if (image) return;
  for (const char* name : {"augment_crop", "augment_flip"}) {
    for (const auto& [field, value] : values_of(config, name))
      reject(config, field, value,
             "applies to images only; the data has samples of shape " + shape_text(sample));
  }
}

}  // namespace rungs

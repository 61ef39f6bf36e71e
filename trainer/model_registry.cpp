#include "trainer/model_registry.h"

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

#include "trainer/hyperparams.h"

namespace rungs {
namespace {

class Registry {
 public:
  void add(const std::string& name, std::vector<HyperparameterSpec> own, ModelFactory factory) {
    const auto fail = [&name](const std::string& what) {
      throw std::logic_error("rungs::register_model(" + name + "): " + what);
    };
    if (name.empty() || name == "synthetic") fail("the name must be non-empty and not synthetic");
    if (!factory) fail("the factory is null");
    std::lock_guard<std::mutex> lock(mutex_);
    if (models_.count(name)) fail("a model of this name is already registered");
    std::set<std::string> shared;
    for (const auto& spec : with_optimizer({})) shared.insert(spec.name);
    std::set<std::string> seen;
    for (const auto& spec : own) {
      if (shared.count(spec.name))
        fail("hyperparameter " + spec.name + " is one every model has already");
      if (!seen.insert(spec.name).second) fail("hyperparameter " + spec.name + " is declared twice");
      if (spec.name.empty()) fail("a hyperparameter has no name");
      const std::string problem = spec.check(spec.fallback);
      if (!problem.empty())
        fail("the default of " + spec.name + ", " + to_string(spec.fallback) + ", " + problem);
    }
    models_.emplace(name, RegisteredModel{name, with_optimizer(std::move(own)), factory});
  }

  const RegisteredModel* find(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = models_.find(name);
    return found == models_.end() ? nullptr : &found->second;
  }

  std::vector<std::string> names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& entry : models_) out.push_back(entry.first);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, RegisteredModel> models_;  ///< entries never move or go away
};

/// RUNGS_MODEL's registrations, kept until the registry is first used: they run during
/// static initialization, in any order, when the shared hyperparameters' tables of
/// hyperparams.cpp may not be constructed yet.
std::vector<RegisteredModel>& pending() {
  static std::vector<RegisteredModel> models;
  return models;
}
bool registry_built = false;

/// The one registry: the built-in models, then RUNGS_MODEL's, then register_model's.
Registry& registry() {
  static Registry* const instance = [] {
    auto* r = new Registry;  // never destroyed: it may be used until the program's end
    registry_built = true;
    for (auto& model : builtin_models())
      r->add(model.name, std::move(model.hyperparameters), model.factory);
    for (auto& model : pending()) r->add(model.name, std::move(model.hyperparameters), model.factory);
    pending().clear();
    return r;
  }();
  return *instance;
}

}  // namespace

std::int64_t ModelShape::features() const {
  std::int64_t n = 1;
  for (std::int64_t d : sample) n *= d;
  return n;
}

ModelInput::ModelInput(std::string model, Params params, ModelShape shape)
    : model_(std::move(model)), params_(std::move(params)), shape_(std::move(shape)) {}

template <typename T>
const T& ModelInput::get(const std::string& name, const char* type) const {
  const auto found = params_.find(name);
  const T* value = found == params_.end() ? nullptr : std::get_if<T>(&found->second);
  if (!value)
    throw std::invalid_argument("model " + model_ + " reads hyperparameter " + name + " as " +
                                type + ", and it does not declare it so");
  return *value;
}

std::int64_t ModelInput::get_int(const std::string& name) const {
  return get<std::int64_t>(name, "an int");
}
double ModelInput::get_float(const std::string& name) const { return get<double>(name, "a float"); }
const std::string& ModelInput::get_choice(const std::string& name) const {
  return get<std::string>(name, "a choice");
}
bool ModelInput::get_bool(const std::string& name) const { return get<bool>(name, "a bool"); }

void register_model(const std::string& name, std::vector<HyperparameterSpec> own,
                    ModelFactory factory) {
  registry().add(name, std::move(own), factory);
}

ModelRegistration::ModelRegistration(const char* name, std::vector<HyperparameterSpec> own,
                                     ModelFactory factory) {
  if (registry_built) {
    register_model(name, std::move(own), factory);
  } else {
    pending().push_back(RegisteredModel{name, std::move(own), factory});
  }
}

const RegisteredModel* find_model(const std::string& name) { return registry().find(name); }

std::vector<std::string> model_names() { return registry().names(); }

}  // namespace rungs

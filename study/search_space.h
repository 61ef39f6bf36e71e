#pragma once
/// The search space: an ordered list of parameter specifications. A parameter may depend on
/// another one (`when: {optimizer: [sgd]}`); parents always come before their children, so
/// a sampler that walks the list in order knows every parent's value before it decides
/// whether a child is active.
#include <optional>
#include <string>
#include <vector>

#include "study/param.h"

namespace rungs {

enum class ParamKind { Float, Int, Categorical };
const char* to_string(ParamKind kind);

/// Active only when `parent` took one of `values`.
struct Condition {
  std::string parent;
  std::vector<ParamValue> values;
};

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::Float;
  double low = 0.0;   ///< Float/Int: inclusive bounds.
  double high = 0.0;
  bool log = false;   ///< Float/Int: sample uniformly in log space (low > 0).
  double step = 0.0;  ///< Float: 0 = continuous; Int: >= 1 (default 1). Values are low + k*step.
  std::vector<ParamValue> choices;  ///< Categorical only.
  std::vector<ParamValue> grid;     ///< Optional explicit values for the grid sampler.
  std::optional<Condition> when;

  /// Number of distinct values (Int with step, Categorical, stepped Float); 0 = continuous.
  std::size_t cardinality() const;
  /// The value at u in [0, 1): linear or log for Float, snapped to the step grid for Int
  /// and stepped Float, choice floor(u * n) for Categorical. Monotone in u.
  ParamValue from_unit(double u) const;
  /// Inverse of from_unit for a valid value: the centre of its cell, in [0, 1].
  double to_unit(const ParamValue& value) const;
  /// True when `value` has this parameter's type and lies in its domain.
  bool contains(const ParamValue& value) const;
  /// The domain as a user wrote it: "float in [1e-05, 0.1], log", "int in [1, 8], step 2",
  /// "one of [sgd, adam]".
  std::string describe() const;
};

class SearchSpace {
 public:
  SearchSpace() = default;
  /// Takes specs already validated by the config parser (parents first, names unique).
  explicit SearchSpace(std::vector<ParamSpec> params);

  const std::vector<ParamSpec>& params() const { return params_; }
  std::size_t size() const { return params_.size(); }
  bool empty() const { return params_.empty(); }
  /// nullptr when no parameter has that name.
  const ParamSpec* find(const std::string& name) const;

  /// Whether `spec` is active given the values already chosen for its parent(s).
  /// A parameter whose parent is itself inactive is inactive.
  bool is_active(const ParamSpec& spec, const Params& chosen) const;
  /// True when `params` holds exactly the active parameters, each within its domain.
  bool is_valid(const Params& params) const;

 private:
  std::vector<ParamSpec> params_;
};

}  // namespace rungs

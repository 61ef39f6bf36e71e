#include "samplers/grid_sampler.h"

#include <algorithm>
#include <random>

#include "study/errors.h"
#include "study/seed.h"

namespace rungs {

namespace {
// A stream of derive_seed() no trial uses (trials use ids and kTrialStream + id).
constexpr std::uint64_t kGridOrderStream = 3ULL << 32;
}  // namespace

std::vector<std::vector<ParamValue>> grid_values(const SearchSpace& space,
                                                 const std::string& file) {
  std::vector<std::vector<ParamValue>> out;
  for (const auto& spec : space.params()) {
    std::vector<ParamValue> values;
    if (!spec.grid.empty()) {
      for (const auto& v : spec.grid) {
        if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
      }
    } else if (spec.kind == ParamKind::Categorical) {
      values = spec.choices;
    } else if (spec.high <= spec.low) {
      values.push_back(spec.from_unit(0.5));  // a parameter with one value
    } else if (!spec.log && spec.cardinality() > 0 &&
               spec.cardinality() <= GridSampler::kMaxImplicitValues) {
      const std::size_t n = spec.cardinality();
      for (std::size_t k = 0; k < n; ++k) {
        values.push_back(spec.from_unit((static_cast<double>(k) + 0.5) / static_cast<double>(n)));
      }
    } else {
      std::string what = spec.kind == ParamKind::Int
                             ? "an int with " + std::to_string(spec.cardinality()) + " values"
                         : spec.step > 0
                             ? "a float with " + std::to_string(spec.cardinality()) + " values"
                             : "a continuous float";
      if (spec.log)
        what = std::string("a log-scaled ") + (spec.kind == ParamKind::Int ? "int" : "float");
      throw ConfigError(file + ": search_space." + spec.name + ": has no grid values (" + what +
                        "); list the values to try with grid: [...]");
    }
    out.push_back(std::move(values));
  }
  return out;
}

GridSampler::GridSampler(const SearchSpace& space, std::uint64_t seed, const std::string& where)
    : space_(space), where_(where) {
  values_ = grid_values(space_, where_.substr(0, where_.find(": ")));
  // Without conditional parameters the count is the product; fail before enumerating.
  double product = 1.0;
  bool conditional = false;
  for (std::size_t p = 0; p < space_.size(); ++p) {
    product *= static_cast<double>(values_[p].size());
    conditional = conditional || space_.params()[p].when.has_value();
  }
  if (!conditional && product > static_cast<double>(kMaxCombinations)) too_many();
  Params chosen;
  std::vector<std::int32_t> index(space_.size(), -1);
  enumerate(0, chosen, index);
  const std::size_t n = n_combinations_;
  order_.resize(n);
  for (std::size_t i = 0; i < n; ++i) order_[i] = static_cast<std::uint32_t>(i);
  std::mt19937_64 rng(derive_seed(seed, kGridOrderStream));
  for (std::size_t i = n; i > 1; --i) std::swap(order_[i - 1], order_[rng() % i]);
}

void GridSampler::too_many() const {
  throw ConfigError(where_ + ": the grid has more than " + std::to_string(kMaxCombinations) +
                    " combinations; give the parameters fewer grid values");
}

void GridSampler::enumerate(std::size_t p, Params& chosen, std::vector<std::int32_t>& index) {
  if (p == space_.size()) {
    combinations_.insert(combinations_.end(), index.begin(), index.end());
    if (++n_combinations_ > kMaxCombinations) too_many();
    return;
  }
  const ParamSpec& spec = space_.params()[p];
  if (!space_.is_active(spec, chosen)) {
    index[p] = -1;
    enumerate(p + 1, chosen, index);
    return;
  }
  for (std::size_t k = 0; k < values_[p].size(); ++k) {
    chosen[spec.name] = values_[p][k];
    index[p] = static_cast<std::int32_t>(k);
    enumerate(p + 1, chosen, index);
  }
  chosen.erase(spec.name);
  index[p] = -1;
}

std::optional<Params> GridSampler::suggest(int trial_id, const std::vector<TrialRecord>&) {
  if (trial_id < 0 || static_cast<std::size_t>(trial_id) >= order_.size()) return std::nullopt;
  const std::int32_t* row =
      combinations_.data() + order_[static_cast<std::size_t>(trial_id)] * space_.size();
  Params params;
  for (std::size_t p = 0; p < space_.size(); ++p) {
    if (row[p] >= 0) params[space_.params()[p].name] = values_[p][static_cast<std::size_t>(row[p])];
  }
  return params;
}

}  // namespace rungs

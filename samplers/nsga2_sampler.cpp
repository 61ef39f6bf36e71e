#include "samplers/nsga2_sampler.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "samplers/random_sampler.h"
#include "study/seed.h"

namespace rungs {

NsgaIIOptions NsgaIIOptions::from(const AlgorithmOptions& o) {
  NsgaIIOptions n;
  n.population = static_cast<int>(o.get_int("population", n.population));
  if (n.population < 2) o.fail("population", "must be >= 2");
  const auto probability = [&](const char* key, double fallback) {
    const double p = o.get_double(key, fallback);
    if (!(p >= 0.0 && p <= 1.0)) o.fail(key, "must be in [0, 1]");
    return p;
  };
  n.crossover_prob = probability("crossover_prob", n.crossover_prob);
  n.swapping_prob = probability("swapping_prob", n.swapping_prob);
  if (o.has("mutation_prob")) n.mutation_prob = probability("mutation_prob", 0.0);
  return n;
}

NsgaIISampler::NsgaIISampler(const SearchSpace& space, MultiObjective objectives,
                             std::uint64_t seed, const NsgaIIOptions& options)
    : space_(space), objectives_(std::move(objectives)), seed_(seed), options_(options) {}

std::vector<std::size_t> NsgaIISampler::elite(const std::vector<TrialRecord>& trials, int generation,
                                              std::vector<int>& rank,
                                              std::vector<double>& crowding) const {
  const std::size_t end = std::min(trials.size(), static_cast<std::size_t>(generation) *
                                                      static_cast<std::size_t>(options_.population));
  std::vector<std::size_t> scored;
  std::vector<Point> points;
  std::vector<double> violations;
  for (std::size_t i = 0; i < end; ++i) {
    if (trials[i].status == TrialStatus::Failed) continue;
    auto point = objective_point(trials[i], objectives_.objectives);
    if (!point) continue;
    scored.push_back(i);
    points.push_back(std::move(*point));
    violations.push_back(constraint_violation(trials[i], objectives_.constraints));
  }
  const std::vector<int> ranks =
      pareto_ranks(points, objectives_.constraints.empty() ? std::vector<double>{} : violations);
  std::map<int, std::vector<std::size_t>> fronts;  // rank -> indices into points
  for (std::size_t k = 0; k < points.size(); ++k) fronts[ranks[k]].push_back(k);

  std::vector<std::size_t> chosen;  // indices into points
  std::vector<double> distance(points.size(), 0.0);
  const auto size = static_cast<std::size_t>(options_.population);
  for (auto& [r, front] : fronts) {
    const std::vector<double> d = crowding_distances(points, front);
    for (std::size_t k = 0; k < front.size(); ++k) distance[front[k]] = d[k];
    if (chosen.size() >= size) break;
    if (chosen.size() + front.size() > size) {
      // The last front that fits in part: its least crowded points.
      std::vector<std::size_t> order(front.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d[a] > d[b]; });
      for (std::size_t k = 0; chosen.size() < size; ++k) chosen.push_back(front[order[k]]);
      break;
    }
    chosen.insert(chosen.end(), front.begin(), front.end());
  }
  std::vector<std::size_t> members;
  rank.clear();
  crowding.clear();
  for (const std::size_t k : chosen) {
    members.push_back(scored[k]);
    rank.push_back(ranks[k]);
    crowding.push_back(distance[k]);
  }
  return members;
}

std::optional<Params> NsgaIISampler::suggest(int trial_id, const std::vector<TrialRecord>& trials) {
  std::mt19937_64 rng(derive_seed(seed_, static_cast<std::uint64_t>(trial_id)));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int generation = trial_id / options_.population;
  std::vector<int> rank;
  std::vector<double> crowding;
  const std::vector<std::size_t> parents =
      generation == 0 ? std::vector<std::size_t>{} : elite(trials, generation, rank, crowding);
  if (parents.size() < 2) return sample_space(space_, [&] { return unit(rng); });

  std::uniform_int_distribution<std::size_t> pick(0, parents.size() - 1);
  const auto tournament = [&]() -> const TrialRecord& {
    const std::size_t a = pick(rng);
    std::size_t b = pick(rng);
    while (b == a) b = pick(rng);
    const bool a_wins = rank[a] != rank[b] ? rank[a] < rank[b]
                        : crowding[a] != crowding[b] ? crowding[a] > crowding[b]
                                                     : unit(rng) < 0.5;
    return trials[parents[a_wins ? a : b]];
  };
  const TrialRecord& first = tournament();
  const TrialRecord& second = tournament();
  const bool cross = unit(rng) < options_.crossover_prob;
  const double mutation =
      options_.mutation_prob.value_or(1.0 / static_cast<double>(std::max<std::size_t>(1, space_.size())));

  Params child;
  for (const ParamSpec& spec : space_.params()) {
    // Every draw is made for every parameter, so that one parameter's value does not shift
    // the stream of the next.
    const bool swap = unit(rng) < options_.swapping_prob;
    const bool mutate = unit(rng) < mutation;
    const double redraw = unit(rng);
    if (!space_.is_active(spec, child)) continue;
    const TrialRecord& from = cross && swap ? second : first;
    const TrialRecord& other = &from == &first ? second : first;
    const auto inherited = [&](const TrialRecord& parent) -> std::optional<ParamValue> {
      const auto it = parent.params.find(spec.name);
      if (it == parent.params.end() || !spec.contains(it->second)) return std::nullopt;
      return it->second;
    };
    std::optional<ParamValue> value = mutate ? std::nullopt : inherited(from);
    if (!value && !mutate) value = inherited(other);
    child[spec.name] = value ? *value : spec.from_unit(redraw);
  }
  // A copy of a trial already run or running (identical parents, or no crossover and no
  // mutation) would waste a trial: redraw one parameter at a time until the child is new.
  const auto exists = [&](const Params& p) {
    return std::any_of(trials.begin(), trials.end(), [&](const TrialRecord& t) { return t.params == p; });
  };
  std::uniform_int_distribution<std::size_t> any_param(0, space_.size() - 1);
  for (int attempt = 0; attempt < 16 && !space_.empty() && exists(child); ++attempt) {
    const ParamSpec& redrawn = space_.params()[any_param(rng)];
    const double u = unit(rng);
    if (!child.count(redrawn.name)) continue;
    child[redrawn.name] = redrawn.from_unit(u);
    // A new parent value may switch conditional parameters on or off.
    Params repaired;
    for (const ParamSpec& spec : space_.params()) {
      const double fill = unit(rng);
      if (!space_.is_active(spec, repaired)) continue;
      const auto it = child.find(spec.name);
      repaired[spec.name] = it != child.end() ? it->second : spec.from_unit(fill);
    }
    child = std::move(repaired);
  }
  return child;
}

}  // namespace rungs

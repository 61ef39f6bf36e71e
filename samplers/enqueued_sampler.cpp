#include "samplers/enqueued_sampler.h"

#include <random>
#include <utility>

#include "study/config.h"
#include "samplers/warm_started_sampler.h"
#include "study/seed.h"

namespace rungs {

EnqueuedSampler::EnqueuedSampler(std::unique_ptr<Sampler> inner, std::vector<Params> queue,
                                 const SearchSpace& space, std::uint64_t seed)
    : ForwardingSampler(std::move(inner)), queue_(std::move(queue)), space_(space), seed_(seed) {}

std::optional<Params> EnqueuedSampler::suggest(int trial_id, const std::vector<TrialRecord>& trials) {
  if (trial_id < 0 || static_cast<std::size_t>(trial_id) >= queue_.size()) {
    return inner().suggest(trial_id, trials);
  }
  const Params& queued = queue_[static_cast<std::size_t>(trial_id)];
  if (space_.is_valid(queued)) return queued;

  const std::optional<Params> suggested = inner().suggest(trial_id, trials);
  std::mt19937_64 rng(derive_seed(seed_, kEnqueueStream + static_cast<std::uint64_t>(trial_id)));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Params params;
  for (const ParamSpec& spec : space_.params()) {
    const double u = unit(rng);  // drawn for every parameter, so draws do not shift
    if (!space_.is_active(spec, params)) continue;
    if (const auto q = queued.find(spec.name); q != queued.end()) {
      params[spec.name] = q->second;
    } else if (suggested && suggested->count(spec.name)) {
      params[spec.name] = suggested->at(spec.name);
    } else {
      params[spec.name] = spec.from_unit(u);
    }
  }
  return params;
}

std::unique_ptr<Sampler> make_study_sampler(const StudyConfig& config, std::vector<TrialRecord> prior) {
  MultiObjective multi = config.multi;
  if (multi.objectives.empty()) multi.objectives = {{config.objective.metric, config.objective.direction}};
  std::unique_ptr<Sampler> sampler =
      make_sampler(config.sampler, config.space, config.objective.direction, config.seed, multi);
  if (!prior.empty()) sampler = std::make_unique<WarmStartedSampler>(std::move(sampler), std::move(prior));
  if (config.enqueue.empty()) return sampler;
  return std::make_unique<EnqueuedSampler>(std::move(sampler), config.enqueue, config.space,
                                           config.seed);
}

}  // namespace rungs

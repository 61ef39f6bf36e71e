#pragma once
/// The study's `enqueue:` list in front of its sampler: trial i < queue size tries queued
/// configuration i. A complete configuration is used as it is; a partial one takes the
/// inner sampler's suggestion for the parameters it leaves out, and a parameter that only
/// the queued values make active (a child of a queued parent the sampler did not choose)
/// gets a uniform draw seeded by (study seed, trial id). Past the queue, the inner sampler
/// alone. Stateless apart from the inner sampler, whose state it saves and loads as its own.
#include <cstdint>
#include <memory>
#include <vector>

#include "samplers/forwarding_sampler.h"

namespace rungs {

struct StudyConfig;

class EnqueuedSampler final : public ForwardingSampler {
 public:
  /// `queue` holds configurations already validated against `space` (study/config.h).
  EnqueuedSampler(std::unique_ptr<Sampler> inner, std::vector<Params> queue,
                  const SearchSpace& space, std::uint64_t seed);

  std::optional<Params> suggest(int trial_id, const std::vector<TrialRecord>& trials) override;

 private:
  std::vector<Params> queue_;
  SearchSpace space_;
  std::uint64_t seed_;
};

/// The sampler a study runs: `config.sampler` over `config.space`, seeded by `config.seed`,
/// learning from `prior` first when it is not empty (the warm start, WarmStartedSampler),
/// behind `config.enqueue` when it is not empty.
std::unique_ptr<Sampler> make_study_sampler(const StudyConfig& config,
                                            std::vector<TrialRecord> prior = {});

}  // namespace rungs

#pragma once
/// Population Based Training, asynchronous (Jaderberg et al. 2017; Ray Tune's PBT): a
/// population of trials trains in segments of `interval` epochs. When a trial reaches the
/// end of a segment it is decided then, against the latest result of every other trial (no
/// barrier): in the bottom `quantile` it pauses, and when a worker asks next() it resumes
/// with a new segment that continues from a copy of the checkpoint of a trial drawn from
/// the top `quantile` (exploit), with parameters perturbed or resampled from the donor's
/// (explore, pbt_explore.h); otherwise it goes on with its parameters.
///
/// Options (study file `scheduler: {name: pbt, ...}`): population (>= 2, default 16),
/// interval (>= 1 epochs, default 2), quantile (in (0, 0.5], default 0.25),
/// resample_probability (in [0, 1], default 0.25), perturbation_factors (numbers > 0,
/// default [0.8, 1.2]). The first `population` trials are sampled by the study's sampler
/// and no trial starts after them; every trial runs to budget.epochs unless it fails.
///
/// Its state is the records alone: a Paused trial short of max_epochs waits for its exploit,
/// the decisions taken are the trials' segments, and every random choice is seeded from the
/// study seed, the trial and the epoch; rebuild() has nothing to restore.
#include <cstdint>
#include <memory>

#include "schedulers/pbt_explore.h"
#include "schedulers/scheduler.h"
#include "study/search_space.h"

namespace rungs {

struct PbtOptions {
  int population = 16;
  int interval = 2;
  double quantile = 0.25;
  pbt::ExploreOptions explore;
};

class PbtScheduler final : public Scheduler {
 public:
  PbtScheduler(const PbtOptions& options, int max_epochs, Direction direction, SearchSpace space,
               std::uint64_t seed);
  /// Reads and validates the options above (ConfigError naming the field and value).
  static PbtOptions read_options(const AlgorithmOptions& options);

  NextAction next(const SchedulerView& view) override;
  Verdict on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;
  bool pauses() const override { return true; }

  /// The new segment of paused trial `trial` at its epochs run: a donor drawn from the top
  /// quantile of `trials` with a checkpoint, and parameters explored from the donor's.
  /// nullopt when no trial qualifies as a donor (it then goes on as it was).
  std::optional<Segment> new_segment(const TrialRecord& trial, const std::vector<TrialRecord>& trials) override;

 private:
  pbt::Quantiles split(const std::vector<TrialRecord>& trials) const;

  PbtOptions options_;
  int max_epochs_;
  Direction direction_;
  SearchSpace space_;
  std::uint64_t seed_;
};

}  // namespace rungs

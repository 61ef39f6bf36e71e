#include "schedulers/pbt.h"

#include <algorithm>

#include "schedulers/actions.h"
#include "schedulers/scheduler_options.h"
#include "study/seed.h"

namespace rungs {

namespace {

/// The stream of PBT's choices for `trial` at `epoch` (apart from samplers' and trials').
constexpr std::uint64_t kPbtStream = 3ULL << 32;

std::uint64_t decision_seed(std::uint64_t study_seed, int trial, int epoch) {
  return derive_seed(derive_seed(study_seed, kPbtStream + static_cast<std::uint64_t>(trial)),
                     static_cast<std::uint64_t>(epoch));
}

}  // namespace

PbtScheduler::PbtScheduler(const PbtOptions& options, int max_epochs, Direction direction,
                           SearchSpace space, std::uint64_t seed)
    : options_(options), max_epochs_(max_epochs), direction_(direction), space_(std::move(space)), seed_(seed) {}

PbtOptions PbtScheduler::read_options(const AlgorithmOptions& options) {
  PbtOptions o;
  o.population = read_int_at_least(options, "population", o.population, 2);
  o.interval = read_int_at_least(options, "interval", o.interval, 1);
  o.quantile = options.get_double("quantile", o.quantile);
  if (!(o.quantile > 0.0 && o.quantile <= 0.5)) options.fail("quantile", "must be in (0, 0.5]");
  o.explore.resample_probability = options.get_double("resample_probability", o.explore.resample_probability);
  if (!(o.explore.resample_probability >= 0.0 && o.explore.resample_probability <= 1.0)) {
    options.fail("resample_probability", "must be in [0, 1]");
  }
  o.explore.factors = options.get_double_list("perturbation_factors", o.explore.factors);
  if (o.explore.factors.empty()) options.fail("perturbation_factors", "must list at least one factor");
  for (double f : o.explore.factors) {
    if (!(f > 0.0) || f > 1e6) options.fail("perturbation_factors", "must be numbers > 0");
  }
  return o;
}

pbt::Quantiles PbtScheduler::split(const std::vector<TrialRecord>& trials) const {
  std::vector<pbt::Standing> standings;
  for (const TrialRecord& t : trials) {
    if (t.id < 0 || t.status == TrialStatus::Failed) continue;
    if (auto v = t.last_value()) standings.push_back({t.id, *v});
  }
  return pbt::quantiles(std::move(standings), options_.quantile, direction_);
}

std::optional<Segment> PbtScheduler::new_segment(const TrialRecord& trial,
                                                 const std::vector<TrialRecord>& trials) {
  pbt::Quantiles q = split(trials);
  std::vector<int> donors;
  for (int id : q.top) {
    const TrialRecord& d = trials[static_cast<std::size_t>(id)];
    if (id != trial.id && d.checkpoint_epoch > 0) donors.push_back(id);
  }
  const std::uint64_t seed = decision_seed(seed_, trial.id, trial.epochs_run());
  const int donor = pbt::choose_donor(donors, derive_seed(seed, 0));
  if (donor < 0) return std::nullopt;
  const TrialRecord& d = trials[static_cast<std::size_t>(donor)];
  Segment s;
  s.start_epoch = trial.epochs_run();
  s.params = pbt::explore(space_, d.current_params(), options_.explore, derive_seed(seed, 1));
  s.clone_trial = donor;
  s.clone_epoch = d.checkpoint_epoch;
  return s;
}

NextAction PbtScheduler::next(const SchedulerView& view) {
  for (const TrialRecord& t : view.trials) {
    if (t.id < 0 || t.status != TrialStatus::Paused || t.epochs_run() >= t.max_epochs) continue;
    return resume_trial(t.id, t.max_epochs);
  }
  if (static_cast<int>(view.trials.size()) < options_.population) return start_or_wait(view, max_epochs_);
  return wait_or_finish(view);
}

Verdict PbtScheduler::on_report(const TrialRecord& trial, const std::vector<TrialRecord>& trials) {
  const int epoch = trial.epochs_run();
  if (epoch % options_.interval != 0 || epoch >= trial.max_epochs) return Verdict::Continue;
  const pbt::Quantiles q = split(trials);
  const bool bottom = std::find(q.bottom.begin(), q.bottom.end(), trial.id) != q.bottom.end();
  return bottom ? Verdict::Pause : Verdict::Continue;
}

}  // namespace rungs

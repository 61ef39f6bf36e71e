#include "schedulers/mo_asha.h"

#include "schedulers/actions.h"
#include "schedulers/promotion.h"

namespace rungs {
namespace {

/// The trial's results at a rung of `milestone` epochs: its first epoch at or after it.
const EpochResult* epoch_at(const TrialRecord& trial, int milestone) {
  for (const EpochResult& r : trial.curve) {
    if (r.epoch >= milestone) return &r;
  }
  return nullptr;
}

}  // namespace

MoAshaScheduler::MoAshaScheduler(const LadderSpec& spec, std::vector<Objective> objectives, bool promotion)
    : ladder_(spec), objectives_(std::move(objectives)), promotion_(promotion),
      rungs_(static_cast<std::size_t>(ladder_.size())) {}

int MoAshaScheduler::quota(int n, bool at_least_one) const {
  return promotion_quota(n, ladder_.spec().reduction_factor, at_least_one);
}

std::vector<int> MoAshaScheduler::ranked(int k) const {
  const Rung& rung = rungs_[static_cast<std::size_t>(k)];
  std::vector<int> ids;
  for (const std::size_t i : pareto_order(rung.points)) ids.push_back(rung.ids[i]);
  return ids;
}

bool MoAshaScheduler::record(int trial_id, int k, Point point) {
  auto [it, inserted] = recorded_.try_emplace(trial_id, k);
  if (!inserted) {
    if (it->second >= k) return false;
    it->second = k;
  }
  Rung& rung = rungs_[static_cast<std::size_t>(k)];
  rung.ids.push_back(trial_id);
  rung.points.push_back(std::move(point));
  return true;
}

Verdict MoAshaScheduler::on_report(const TrialRecord& trial, const std::vector<TrialRecord>&) {
  const std::vector<int> passed = ladder_.passed(previous_epoch(trial), last_epoch(trial));
  if (passed.empty()) return Verdict::Continue;  // between rungs
  std::optional<Point> point = objective_point(trial.curve.back(), objectives_);
  if (!point) return Verdict::Stop;
  bool goes_on = true;
  for (const int k : passed) {
    if (!record(trial.id, k, *point) || ladder_.is_top(k)) continue;  // judged at its first result only
    // Ties favour the trial, as in ASHA: it goes on unless q others stand strictly before it.
    const Rung& rung = rungs_[static_cast<std::size_t>(k)];
    const ParetoStanding standing = pareto_standing(rung.points);
    const std::size_t mine = rung.points.size() - 1;  // just recorded
    int before = 0;
    for (std::size_t i = 0; i < mine; ++i) before += standing.before(i, mine) ? 1 : 0;
    if (before >= quota(static_cast<int>(rung.points.size()), !promotion_)) goes_on = false;
  }
  if (ladder_.is_top(passed.back())) return Verdict::Stop;  // trained to R: its work is done
  if (promotion_) return Verdict::Pause;
  return goes_on ? Verdict::Continue : Verdict::Stop;
}

NextAction MoAshaScheduler::next(const SchedulerView& view) {
  if (promotion_) {
    for (int k = ladder_.size() - 2; k >= 0; --k) {
      const std::vector<int> order = ranked(k);
      const int q = quota(static_cast<int>(order.size()), false);
      for (int i = 0; i < q; ++i) {
        const int id = order[static_cast<std::size_t>(i)];
        if (id < 0) continue;  // a warm start's trial
        const TrialRecord& t = view.trials.at(static_cast<std::size_t>(id));
        // Waiting at this rung: paused there, not yet promoted past it.
        if (t.status == TrialStatus::Paused && ladder_.reached(last_epoch(t)) == k) {
          return resume_trial(id, ladder_.milestone(k + 1));
        }
      }
    }
  }
  return start_or_wait(view, ladder_.spec().max_resource);
}

void MoAshaScheduler::add(const TrialRecord& trial) {
  for (const int k : ladder_.passed(0, last_epoch(trial))) {
    const EpochResult* epoch = epoch_at(trial, ladder_.milestone(k));
    if (!epoch) continue;
    if (auto point = objective_point(*epoch, objectives_)) record(trial.id, k, std::move(*point));
  }
}

void MoAshaScheduler::rebuild(const std::vector<TrialRecord>& trials) {
  rungs_.assign(static_cast<std::size_t>(ladder_.size()), Rung{});
  recorded_.clear();
  for (const auto& t : prior_) add(t);
  for (const auto& t : trials) add(t);
}

bool MoAshaScheduler::add_prior(const std::vector<TrialRecord>& prior) {
  prior_ = prior;
  rebuild({});
  return true;
}

int MoAshaScheduler::rung_of(const TrialRecord& trial) const {
  const LadderSpec& s = ladder_.spec();
  return absolute_rung(last_epoch(trial), s.min_resource, s.max_resource, s.reduction_factor);
}

}  // namespace rungs

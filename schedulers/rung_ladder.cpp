#include "schedulers/rung_ladder.h"

#include "study/errors.h"

namespace rungs {

namespace {
/// r*eta^j, saturated at `cap` so that large exponents cannot overflow.
long long power_capped(int r, int eta, int j, long long cap) {
  long long m = r;
  for (int i = 0; i < j && m < cap; ++i) m *= eta;
  return m;
}
}  // namespace

std::optional<OptionProblem> check_ladder(const LadderSpec& s, int max_epochs) {
  const std::string R = std::to_string(s.max_resource);
  if (s.reduction_factor < 2) return OptionProblem{"reduction_factor", "must be >= 2"};
  if (s.min_resource < 1) return OptionProblem{"min_resource", "must be >= 1"};
  if (s.max_resource < 1) return OptionProblem{"max_resource", "must be >= 1"};
  if (s.max_resource > max_epochs) {
    return OptionProblem{"max_resource",
                         "must be <= the study's budget.epochs (" + std::to_string(max_epochs) + ")"};
  }
  if (s.min_resource > s.max_resource) {
    return OptionProblem{"min_resource", "must be <= max_resource (" + R + ")"};
  }
  if (s.bracket < 0) return OptionProblem{"bracket", "must be >= 0"};
  const long long bottom = power_capped(s.min_resource, s.reduction_factor, s.bracket,
                                        static_cast<long long>(s.max_resource) + 1);
  if (bottom > s.max_resource) {
    return OptionProblem{"bracket", "leaves no rung at or below max_resource (" + R +
                                        "): min_resource * reduction_factor^bracket > " + R +
                                        "; the largest bracket is " +
                                        std::to_string(max_bracket(s.min_resource, s.max_resource,
                                                                   s.reduction_factor))};
  }
  return std::nullopt;
}

int max_bracket(int min_resource, int max_resource, int reduction_factor) {
  int s = 0;
  long long m = min_resource;
  while (m * reduction_factor <= max_resource) {
    m *= reduction_factor;
    ++s;
  }
  return s;
}

int absolute_rung(int epochs, int min_resource, int max_resource, int reduction_factor) {
  int j = 0;
  long long m = min_resource;
  while (m < max_resource) {
    const long long next = std::min<long long>(m * reduction_factor, max_resource);
    if (next > epochs) break;
    m = next;
    ++j;
  }
  return j;
}

RungLadder::RungLadder(const LadderSpec& spec) : spec_(spec) {
  if (auto problem = check_ladder(spec, spec.max_resource)) {
    const int value = problem->key == "reduction_factor" ? spec.reduction_factor
                      : problem->key == "min_resource"   ? spec.min_resource
                      : problem->key == "max_resource"   ? spec.max_resource
                                                         : spec.bracket;
    throw Error(problem->key + " is " + std::to_string(value) + "; it " + problem->message);
  }
  long long m = power_capped(spec.min_resource, spec.reduction_factor, spec.bracket,
                             spec.max_resource);
  for (; m < spec.max_resource; m *= spec.reduction_factor) milestones_.push_back(static_cast<int>(m));
  milestones_.push_back(spec.max_resource);
}

int RungLadder::reached(int epochs) const {
  int k = -1;
  while (k + 1 < size() && milestone(k + 1) <= epochs) ++k;
  return k;
}

std::vector<int> RungLadder::passed(int from_epochs, int to_epochs) const {
  std::vector<int> out;
  for (int k = 0; k < size(); ++k) {
    if (milestone(k) > from_epochs && milestone(k) <= to_epochs) out.push_back(k);
  }
  return out;
}

int last_epoch(const TrialRecord& trial) {
  return trial.curve.empty() ? 0 : trial.curve.back().epoch;
}

int previous_epoch(const TrialRecord& trial) {
  return trial.curve.size() < 2 ? 0 : trial.curve[trial.curve.size() - 2].epoch;
}

std::optional<double> value_at(const TrialRecord& trial, int milestone) {
  for (const auto& e : trial.curve) {
    if (e.epoch >= milestone) return e.value;
  }
  return std::nullopt;
}

}  // namespace rungs

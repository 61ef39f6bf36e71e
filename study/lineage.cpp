#include "study/lineage.h"

#include <set>

namespace rungs {

namespace {

const TrialRecord* find(const std::vector<TrialRecord>& trials, int id) {
  for (const TrialRecord& t : trials) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

}  // namespace

std::vector<LineageStep> lineage(const std::vector<TrialRecord>& trials, int id) {
  std::vector<LineageStep> steps;
  std::set<std::pair<int, int>> seen;
  const TrialRecord* t = find(trials, id);
  int epoch = t ? t->epochs_run() : 0;
  while (t && seen.insert({t->id, epoch}).second) {
    // The last segment that began before `epoch` (or at 0), i.e. the one that trained it.
    const Segment* covering = nullptr;
    for (const Segment& s : t->segments) {
      if (s.start_epoch < epoch || (s.start_epoch == 0 && epoch == 0)) covering = &s;
    }
    // Walk back over the segments that continued its own weights.
    const Segment* cloned = nullptr;
    for (const Segment& s : t->segments) {
      if (&s > covering) break;
      if (s.clone_trial >= 0) cloned = &s;
    }
    if (!cloned) break;
    steps.push_back({t->id, cloned->start_epoch, cloned->clone_trial, cloned->clone_epoch});
    epoch = cloned->clone_epoch;
    t = find(trials, cloned->clone_trial);
  }
  return steps;
}

std::string describe_lineage(int id, const std::vector<LineageStep>& steps) {
  std::string out = "trial " + std::to_string(id);
  for (const LineageStep& s : steps) {
    out += " <- trial " + std::to_string(s.from_trial) + " at epoch " + std::to_string(s.from_epoch);
  }
  return out;
}

}  // namespace rungs

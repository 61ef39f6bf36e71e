#pragma once
/// /trials/segments of study.h5 (docs/results.md): one row per segment of every trial, in
/// trial id then start order. A trial whose parameters never changed has one row (from
/// epoch 0, its params, cloned from -1). Columns: trial_id, end_epoch (where the next
/// segment began, or the trial's epochs run for its last) and one per member of Segment
/// (kSegmentFieldNames), its parameters in params and params_active as /trials has them.
#include <vector>

#include "io/h5.h"
#include "study/search_space.h"
#include "study/trial.h"

namespace rungs {

void write_segments(const h5::Group& trials_group, const SearchSpace& space,
                    const std::vector<const TrialRecord*>& trials);

/// Reads them back into trials[].segments (a single uncloned segment stays implicit: empty).
/// A file without the group (written before segments existed) leaves them all empty.
void read_segments(const h5::Group& trials_group, std::vector<TrialRecord>& trials);

}  // namespace rungs

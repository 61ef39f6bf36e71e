#pragma once
/// The /trials/params and /trials/params_active columns of study.h5 (see docs/results.md):
/// one typed column per parameter name, plus a bool "present" column for a parameter that
/// some trial lacks (an inactive conditional parameter).
#include <vector>

#include "io/h5.h"
#include "study/search_space.h"
#include "study/trial.h"

namespace rungs {

/// Writes groups "params" and "params_active" into `trials_group`, rows in the order of
/// `trials`. Column names: `space` order first, then other names found in trials.
void write_param_columns(const h5::Group& trials_group, const SearchSpace& space,
                         const std::vector<const TrialRecord*>& trials);

/// Reads them back into trials[i].params (rows in the order of `trials`), leaving out the
/// parameters whose params_active entry is false.
void read_param_columns(const h5::Group& trials_group, std::vector<TrialRecord>& trials);

/// The same columns for any rows of parameters (the segments of /trials/segments).
void write_param_columns(const h5::Group& group, const SearchSpace& space,
                         const std::vector<const Params*>& rows);
void read_param_columns(const h5::Group& group, const std::vector<Params*>& rows);

}  // namespace rungs

#pragma once
/// The Pareto front of a multi-objective study (objectives: in its study file), as
/// `rungs best` prints it: the feasible trials no other feasible trial beats on every
/// objective.
#include <string>
#include <vector>

#include "report/study_view.h"

namespace rungs::report {

/// Ids of the front's trials, by the first objective (best first): trials that are not
/// failed, have every objective in their last epoch and meet every constraint, and that
/// no other such trial dominates. Empty for a single-objective study.
std::vector<int> pareto_front(const StudyView& view);

/// The front as a table: a heading line, then one line per trial with its id, each
/// objective and its parameters. Empty for a single-objective study.
std::string format_front(const StudyView& view);

}  // namespace rungs::report

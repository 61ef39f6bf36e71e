#pragma once
/// `rungs status STUDY.h5`: a study at a glance, for a shell on a login node while the
/// job runs. Reads only; see study_view.h.
#include <string>

#include "report/study_view.h"

namespace rungs::report {

/// "1h02m03s", "2m05s" or "12s".
std::string format_duration(double seconds);

/// The status text: study name and state, Slurm job id and the process holding the study's
/// lock (or that none does), elapsed time and age of the last save (relative to `now`, unix
/// seconds), trials by status, the best trial with its parameters and test accuracy, the
/// rungs' occupancy, running trials and failure reasons.
std::string format_status(const StudyView& view, double now);

}  // namespace rungs::report

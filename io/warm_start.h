#pragma once
/// `warm_start: {from: OLD/study.h5}`: the trials of an earlier study, carried over into this
/// study's search space for its sampler and scheduler to learn from.
///
/// What is carried over: the old study's completed and stopped trials that reported at least
/// one epoch (failed, running and paused ones are not). Each keeps the values of the
/// parameters this study searches, where a value lies in the new domain; parameters the study
/// no longer searches are dropped, parameters it newly searches are missing (the sampler learns
/// them from this study's own trials), values outside the new bounds are not used. Its curve
/// is cut at this study's budget.epochs, and its values are those of this study's
/// objective.metric (which the old study may have recorded as a secondary metric). The
/// carried trials have ids -1 - old id, so they never clash with this study's.
///
/// The old file is opened read-only and never changed. It is read when the study starts and
/// again whenever it resumes.
#include <string>
#include <vector>

#include "io/study_file.h"
#include "study/config.h"
#include "study/trial.h"

namespace rungs {

struct WarmStart {
  std::string from;                 ///< the old study file ("" when the study has none)
  std::vector<TrialRecord> trials;  ///< for the sampler: every carried trial
  /// For the scheduler's rung statistics: the carried trials whose configuration is complete
  /// in this study's space (every active parameter carried), the space matching there.
  std::vector<TrialRecord> complete;
  /// One line for the log: how many trials were and were not carried, which parameters
  /// were kept, dropped or new, how many values were out of bounds.
  std::string summary;

  bool empty() const { return trials.empty(); }
};

/// Carries `old` (read from config.warm_start) over into `config`'s space. Throws
/// ConfigError naming warm_start.from when nothing can be carried: the old trials never
/// reported this study's metric, or share no parameter with its search space.
WarmStart carry_over(const StoredStudy& old, const StudyConfig& config);

/// Reads config.warm_start (nothing when it is empty) and carries it over. Throws ConfigError
/// with one line naming warm_start.from when the file is missing, unreadable, not a rungs study,
/// this study's own file, or mismatched (carry_over()).
WarmStart load_warm_start(const StudyConfig& config);

}  // namespace rungs

#pragma once
/// Deterministic studies for the io tests and their helper programs: a hand-built config
/// (every parameter kind, a conditional parameter, a categorical of mixed types) and
/// trials whose every field follows from their id, so a reader can check what it got.
#include <string>
#include <vector>

#include "study/config.h"
#include "study/snapshot.h"
#include "study/trial.h"

namespace rungs::testing {

/// The study file text stored in /study_yaml (the config is built by hand to match it).
extern const char* const kStudyYaml;

/// Space: lr (float, log), layers (int), optimizer (sgd|adam), momentum (float, only when
/// optimizer is sgd), nesterov (categorical true|false), width (categorical 64|auto).
StudyConfig sample_config();

/// Trial `id`: status cycles completed, stopped, failed, running, paused; even ids use adam
/// (no momentum), odd ids sgd; the curve has (7 * id) % 11 epochs; a trial of 8 epochs or
/// more has three PBT segments (from epochs 0, 4 and 7; the last on adam, no momentum).
TrialRecord sample_trial(int id, int max_epochs = 100);
/// Trials 0 .. count-1.
std::vector<TrialRecord> sample_trials(int count);

/// Trial `id` with `epochs` curve entries and no conditional gaps, for timing writes.
TrialRecord timing_trial(int id, int epochs);

/// The record as read_study_file returns it: `width`, a categorical of mixed types, is
/// stored as strings and comes back as one.
TrialRecord stored_form(TrialRecord trial);

/// "" when `a` and `b` hold the same record, else the first difference, e.g.
/// "trial 3: params differ: {lr: 0.001} vs {lr: 0.002}".
std::string difference(const TrialRecord& a, const TrialRecord& b);

}  // namespace rungs::testing

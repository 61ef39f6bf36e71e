// `rungs status` as a user reads it on a login node.
#include <gtest/gtest.h>

#include "report/status.h"
#include "synthetic_study.h"

namespace rungs::report {
namespace {

StudyView running_study(int trials = 20) {
  testing::SyntheticOptions options;
  options.trials = trials;
  options.running = true;
  const testing::SyntheticStudy s = testing::synthetic_study(options);
  StudyView view = make_study_view(s.stored(), "runs/synthetic/study.h5");
  view.file_mtime = s.start_time + s.elapsed;
  return view;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(Status, DurationsReadAsHoursMinutesSeconds) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(59.4), "59s");
  EXPECT_EQ(format_duration(125), "2m05s");
  EXPECT_EQ(format_duration(3723), "1h02m03s");
}

TEST(Status, ShowsCountsBestTrialAndItsParameters) {
  const StudyView view = running_study();
  const std::string text = format_status(view, view.file_mtime + 7);
  const TrialRecord* best = best_trial(view.stored.trials, view.stored.direction);
  ASSERT_NE(best, nullptr);
  int completed = 0, stopped = 0, failed = 0;
  for (const auto& t : view.stored.trials) {
    completed += t.status == TrialStatus::Completed;
    stopped += t.status == TrialStatus::Stopped;
    failed += t.status == TrialStatus::Failed;
  }
  ASSERT_GT(completed * stopped * failed, 0);
  EXPECT_TRUE(has_line(text, "trials: 20 of 20 started; " + std::to_string(completed) + " completed, " +
                                 std::to_string(stopped) + " stopped, " + std::to_string(failed) +
                                 " failed, 2 running, 0 paused"))
      << text;
  EXPECT_NE(text.find("best: trial " + std::to_string(best->id) + ", val_accuracy "), std::string::npos) << text;
  char lr[32];  // floats to 6 significant digits
  std::snprintf(lr, sizeof lr, "%.6g", std::get<double>(best->params.at("lr")));
  EXPECT_TRUE(has_line(text, std::string("  lr: ") + lr)) << text;
  EXPECT_TRUE(has_line(text, "  optimizer: " + to_string(best->params.at("optimizer")))) << text;
  EXPECT_NE(text.find("at the last save, 7s ago"), std::string::npos) << text;
}

TEST(Status, ShowsTheRungsOccupancy) {
  const StudyView view = running_study();
  const std::string text = format_status(view, 0);
  int per_rung[3] = {0, 0, 0};
  for (const auto& t : view.stored.trials) ++per_rung[t.rung];
  ASSERT_GT(per_rung[0], per_rung[1]);  // ASHA: most trials stop at the first rung
  for (int rung = 0; rung < 3; ++rung) {
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "\n  %4d %7d ", rung, per_rung[rung]);
    EXPECT_NE(text.find(prefix), std::string::npos) << "rung " << rung << "\n" << text;
  }
}

TEST(Status, ListsRunningTrialsAndFailureReasons) {
  const StudyView view = running_study();
  const std::string text = format_status(view, 0);
  EXPECT_NE(text.find("running: trial 19 on rank "), std::string::npos) << text;
  for (const auto& t : view.stored.trials) {
    if (t.status == TrialStatus::Failed) {
      EXPECT_TRUE(has_line(text, "failed: trial " + std::to_string(t.id) + ": " + t.reason)) << text;
    }
  }
}

TEST(Status, AFailureReasonStaysOnOneLine) {
  StudyView view = running_study();
  for (auto& t : view.stored.trials) {
    if (t.status == TrialStatus::Failed) {
      t.reason = "first\nsecond";
      EXPECT_TRUE(has_line(format_status(view, 0), "failed: trial " + std::to_string(t.id) + ": first second"));
    }
  }
}

TEST(Status, ShowsTheSlurmJobOnlyWhenThereIsOne) {
  StudyView view = running_study();
  EXPECT_EQ(format_status(view, 0).find("Slurm"), std::string::npos);
  view.slurm_job_id = "4242";
  EXPECT_EQ(format_status(view, 0).rfind("study synthetic (runs/synthetic/study.h5): running, Slurm job 4242", 0), 0u);
}

TEST(Status, ShowsTheTimeLeftInTheJob) {
  StudyView view = running_study();
  view.lock = LockOwner{"node17", 31337, "4242", "1780000000"};
  view.slurm_job_id = "4242";
  view.job_seconds_left = 3599;
  EXPECT_TRUE(has_line(format_status(view, 0),
                       "study synthetic (runs/synthetic/study.h5): running, Slurm job 4242, "
                       "59m59s before its time limit (rank 0: pid 31337 on node17)"));
}

TEST(Status, ShowsWhatIsLeftOfTheBudget) {
  testing::SyntheticOptions options;
  options.trials = 20;
  options.running = true;
  StoredStudy stored = testing::synthetic_study(options).stored();
  EXPECT_EQ(format_status(make_study_view(stored), 0).find("budget:"), std::string::npos)
      << "no line without budget.seconds or budget.epochs_total";
  const std::string epochs = "epochs: 9}";
  ASSERT_NE(stored.config_text.find(epochs), std::string::npos);
  stored.config_text.replace(stored.config_text.find(epochs), epochs.size(),
                             "epochs: 9, seconds: 7200, epochs_total: 500}");
  stored.elapsed = 1805;
  long recorded = 0;
  for (const auto& t : stored.trials) recorded += t.epochs_run();
  ASSERT_LT(recorded, 500);
  EXPECT_TRUE(has_line(format_status(make_study_view(stored), 0),
                       "budget: 30m05s of 2h00m00s used (1h29m55s left); " + std::to_string(recorded) +
                           " of 500 epochs (" + std::to_string(500 - recorded) + " left)"))
      << format_status(make_study_view(stored), 0);
}

TEST(Status, NamesTheProcessHoldingTheStudy) {
  StudyView view = running_study();
  view.lock = LockOwner{"node17", 31337, "4242", "1780000000"};
  view.slurm_job_id = "4242";
  EXPECT_TRUE(has_line(format_status(view, 0),
                       "study synthetic (runs/synthetic/study.h5): running, Slurm job 4242 "
                       "(rank 0: pid 31337 on node17)"));
}

TEST(Status, SaysWhenARunningStudyHasNoJob) {
  // Preempted, crashed or waiting in the queue for its requeue: study.h5 still says running.
  StudyView view = running_study();
  const std::string first = format_status(view, 0).substr(0, format_status(view, 0).find('\n'));
  EXPECT_EQ(first, "study synthetic (runs/synthetic/study.h5): running; no job holds it now (stopped, "
                   "crashed or waiting for a requeue; rungs run on its study file resumes it)");
  view.stored.state = "finished";
  EXPECT_EQ(format_status(view, 0).find("no job holds it"), std::string::npos);
}

TEST(Status, ShowsTheBestTrialsTestAccuracyOnceThereIsOne) {
  StudyView view = running_study();
  const TrialRecord* best = best_trial(view.stored.trials, view.stored.direction);
  view.stored.test = TestResult{best->id, 0.8421, 0.45};
  EXPECT_TRUE(has_line(format_status(view, 0), "  test accuracy (held out, not used for tuning): 0.8421"));
  view.stored.test->trial_id = best->id + 1;  // an older best: not this one's
  EXPECT_EQ(format_status(view, 0).find("test accuracy"), std::string::npos);
}

TEST(Status, SaysWhenNoTrialHasAResult) {
  StudyView view = running_study(1);
  view.stored.trials[0].curve.clear();
  EXPECT_NE(format_status(view, 0).find("best: no trial has a result yet"), std::string::npos);
}

}  // namespace
}  // namespace rungs::report

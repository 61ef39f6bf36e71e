#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "io/checkpoint_file.h"
#include "study/checkpoint_path.h"
#include "study/errors.h"
#include "tests/temp_dir.h"
#include "trainer/torch_runner.h"

namespace rungs {
namespace {

struct TrialRun {
  TrialOutcome outcome;
  std::vector<EpochResult> curve;
};

/// Runs `trial`, answering every epoch with `answer(epoch)` (Continue by default) and
/// polling `should_stop` between batches (never by default).
TrialRun run_trial(
    TrialRunner& runner, const TrialAssignment& trial,
    const std::function<Verdict(int)>& answer = [](int) { return Verdict::Continue; },
    const InterruptCheck& should_stop = [] { return false; }) {
  TrialRun run;
  run.outcome = runner.run(
      trial,
      [&](const EpochResult& result) {
        run.curve.push_back(result);
        return answer(result.epoch);
      },
      should_stop);
  return run;
}

TrialAssignment assignment(Params params, std::uint64_t seed, int end_epoch,
                           std::string checkpoint = "") {
  TrialAssignment trial;
  trial.trial_id = 3;
  trial.params = std::move(params);
  trial.seed = seed;
  trial.end_epoch = end_epoch;
  trial.checkpoint = std::move(checkpoint);
  return trial;
}

/// Everything but the wall time.
void expect_same_results(const EpochResult& a, const EpochResult& b) {
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.value, b.value);
  for (const char* name : {"val_accuracy", "val_loss", "train_loss"}) {
    EXPECT_EQ(a.metric(name), b.metric(name)) << name;
  }
}

const Params kSmallMlp = {{"layers", std::int64_t{1}},
                          {"width", std::int64_t{64}},
                          {"dropout", 0.2},
                          {"weight_decay", 1e-4}};

Params with(Params params, const std::string& name, ParamValue value) {
  params[name] = std::move(value);
  return params;
}

/// One runner per objective for the whole suite: loading the data takes a second or two.
class TorchRunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TrainerSettings small;
    small.objective.metric = "val_loss";
    small.objective.direction = Direction::Minimize;
    small.objective.train_samples = 2000;
    small.objective.val_samples = 500;
    small_ = make_torch_runner(small).release();
  }
  static void TearDownTestSuite() {
    delete small_;
    small_ = nullptr;
  }
  static TrialRunner& small() { return *small_; }

  testing::TempDir dir_;

 private:
  static TrialRunner* small_;
};

TrialRunner* TorchRunnerTest::small_ = nullptr;

TEST_F(TorchRunnerTest, SameSeedGivesTheSameCurveAndAnotherSeedAnother) {
  const TrialRun a = run_trial(small(), assignment(kSmallMlp, 11, 2));
  const TrialRun b = run_trial(small(), assignment(kSmallMlp, 11, 2));
  const TrialRun c = run_trial(small(), assignment(kSmallMlp, 12, 2));
  ASSERT_EQ(a.outcome.kind, TrialOutcome::Kind::Finished) << a.outcome.reason;
  ASSERT_EQ(a.curve.size(), 2u);
  ASSERT_EQ(b.curve.size(), 2u);
  ASSERT_EQ(c.curve.size(), 2u);
  for (int i = 0; i < 2; ++i) expect_same_results(a.curve[i], b.curve[i]);
  EXPECT_NE(a.curve[1].metric("val_loss").value(), c.curve[1].metric("val_loss").value());
  EXPECT_NE(a.curve[0].metric("train_loss").value(), c.curve[0].metric("train_loss").value());
}

TEST_F(TorchRunnerTest, ReportsEveryEpochWithTheObjectiveMetricAsValue) {
  const TrialRun run = run_trial(small(), assignment(kSmallMlp, 5, 3));
  ASSERT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
  ASSERT_EQ(run.curve.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const EpochResult& r = run.curve[i];
    EXPECT_EQ(r.epoch, i + 1);
    EXPECT_EQ(r.value, r.metric("val_loss").value());  // this runner's metric
    EXPECT_GT(r.metric("val_accuracy").value(), 0.1);
    EXPECT_LE(r.metric("val_accuracy").value(), 1.0);
    EXPECT_GT(r.seconds, 0.0);
  }
  EXPECT_LT(run.curve[2].metric("train_loss").value(), run.curve[0].metric("train_loss").value());
}

TEST_F(TorchRunnerTest, ReportsTheModelsSizeAndLatencyForSeveralObjectives) {
  // A 784-W-10 MLP has 784*W + W + W*10 + 10 parameters: wider is bigger and slower.
  const auto cost = [&](std::int64_t width) {
    Params p = kSmallMlp;
    p["width"] = width;
    const TrialRun run = run_trial(small(), assignment(p, 5, 1));
    EXPECT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
    const EpochResult& r = run.curve.at(0);
    EXPECT_GT(r.metric("latency_ms").value(), 0.0);
    return std::pair{r.metric("params").value(), r.metric("latency_ms").value()};
  };
  const auto [narrow_params, narrow_ms] = cost(16);
  const auto [wide_params, wide_ms] = cost(1024);
  EXPECT_EQ(narrow_params, 784 * 16 + 16 + 16 * 10 + 10);
  EXPECT_EQ(wide_params, 784 * 1024 + 1024 + 1024 * 10 + 10);
  EXPECT_GT(wide_ms, narrow_ms) << "64 times the work per sample";
}

TEST_F(TorchRunnerTest, ResumingFromAPauseReproducesTheUninterruptedRun) {
  for (const Params& params :
       {kSmallMlp, with(with(kSmallMlp, "optimizer", std::string("sgd")), "nesterov", true)}) {
    const TrialRun whole = run_trial(small(), assignment(params, 21, 3, dir_.file("whole")));
    TrialAssignment trial = assignment(params, 21, 3, dir_.file("parts/paused"));
    const TrialRun first = run_trial(small(), trial, [](int) { return Verdict::Pause; });
    ASSERT_EQ(first.outcome.kind, TrialOutcome::Kind::Paused) << first.outcome.reason;
    ASSERT_EQ(first.curve.size(), 1u);
    ASSERT_TRUE(std::filesystem::exists(checkpoint_file(trial.checkpoint, 1)));

    trial.start_epoch = 1;
    const TrialRun rest = run_trial(small(), trial);
    ASSERT_EQ(rest.outcome.kind, TrialOutcome::Kind::Finished) << rest.outcome.reason;
    ASSERT_EQ(whole.curve.size(), 3u);
    ASSERT_EQ(rest.curve.size(), 2u);
    expect_same_results(first.curve[0], whole.curve[0]);
    expect_same_results(rest.curve[0], whole.curve[1]);
    expect_same_results(rest.curve[1], whole.curve[2]);
  }
}

TEST_F(TorchRunnerTest, AnInterruptEndsTheTrialAtABatchAndItResumesFromTheCheckpoint) {
  const TrialRun whole = run_trial(small(), assignment(kSmallMlp, 8, 3));
  TrialAssignment trial = assignment(kSmallMlp, 8, 3, dir_.file("interrupted"));
  int polls = 0;
  // 2,000 images in batches of 128: 16 batches an epoch; stop in the middle of the second.
  const TrialRun first = run_trial(
      small(), trial, [](int) { return Verdict::Continue; }, [&polls] { return ++polls > 24; });
  EXPECT_EQ(first.outcome.kind, TrialOutcome::Kind::Interrupted);
  EXPECT_EQ(polls, 25);
  ASSERT_EQ(first.curve.size(), 1u);
  EXPECT_TRUE(first.curve[0].checkpointed);

  trial.start_epoch = 1;
  const TrialRun rest = run_trial(small(), trial);
  ASSERT_EQ(rest.outcome.kind, TrialOutcome::Kind::Finished) << rest.outcome.reason;
  ASSERT_EQ(rest.curve.size(), 2u);
  expect_same_results(rest.curve[0], whole.curve.at(1));
  expect_same_results(rest.curve[1], whole.curve.at(2));
}

TEST_F(TorchRunnerTest, CheckpointsEveryNthEpochAndAtTheEnd) {
  TrialAssignment trial = assignment(kSmallMlp, 8, 3, dir_.file("every2"));
  trial.checkpoint_every = 2;
  const TrialRun run = run_trial(small(), trial);
  ASSERT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
  ASSERT_EQ(run.curve.size(), 3u);
  EXPECT_FALSE(run.curve[0].checkpointed);
  EXPECT_TRUE(run.curve[1].checkpointed);
  EXPECT_FALSE(run.curve[2].checkpointed);
  // The final weights are written when the trial ends: it resumes after epoch 3.
  trial.start_epoch = 3;
  trial.end_epoch = 4;
  EXPECT_EQ(run_trial(small(), trial).outcome.kind, TrialOutcome::Kind::Finished);

  TrialAssignment without = assignment(kSmallMlp, 8, 1);
  EXPECT_FALSE(run_trial(small(), without).curve.at(0).checkpointed);
}

TEST_F(TorchRunnerTest, StopEndsTheTrialAfterThatEpochWithACheckpoint) {
  const TrialAssignment trial = assignment(kSmallMlp, 1, 4, dir_.file("stopped"));
  const TrialRun run = run_trial(
      small(), trial, [](int epoch) { return epoch == 2 ? Verdict::Stop : Verdict::Continue; });
  EXPECT_EQ(run.outcome.kind, TrialOutcome::Kind::Stopped);
  EXPECT_EQ(run.curve.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(checkpoint_file(trial.checkpoint, 2)));
}

TEST_F(TorchRunnerTest, ALossThatBecomesNanFailsTheTrialWithTheReason) {
  const Params diverging = {
      {"optimizer", std::string("sgd")}, {"lr", 1e6}, {"width", std::int64_t{32}}};
  const TrialRun run = run_trial(small(), assignment(diverging, 1, 2, dir_.file("nan")));
  EXPECT_EQ(run.outcome.kind, TrialOutcome::Kind::Failed);
  EXPECT_NE(run.outcome.reason.find("loss became nan at epoch 1, step "), std::string::npos)
      << run.outcome.reason;
  EXPECT_TRUE(run.curve.empty());
}

TEST_F(TorchRunnerTest, BadParametersOrAMissingCheckpointFailTheTrialWithoutThrowing) {
  const TrialRun unknown = run_trial(small(), assignment({{"lrr", 0.1}}, 1, 1));
  EXPECT_EQ(unknown.outcome.kind, TrialOutcome::Kind::Failed);
  EXPECT_NE(unknown.outcome.reason.find("lrr: unknown hyperparameter"), std::string::npos)
      << unknown.outcome.reason;

  TrialAssignment resumed = assignment(kSmallMlp, 1, 2, dir_.file("never-written"));
  resumed.start_epoch = 1;
  const TrialRun missing = run_trial(small(), resumed);
  EXPECT_EQ(missing.outcome.kind, TrialOutcome::Kind::Failed);
  EXPECT_NE(missing.outcome.reason.find("never-written.e1.h5"), std::string::npos)
      << missing.outcome.reason;
}

TEST_F(TorchRunnerTest, EveryActivationAndOptimizerTrains) {
  for (const char* activation : {"relu", "gelu", "tanh", "leaky_relu", "silu"}) {
    for (const char* optimizer : {"sgd", "adam", "adamw"}) {
      Params params = {{"activation", std::string(activation)},
                       {"optimizer", std::string(optimizer)},
                       {"width", std::int64_t{32}},
                       {"layers", std::int64_t{1}},
                       {"batch_size", std::int64_t{32}},
                       {"lr", std::string(optimizer) == "sgd" ? 0.05 : 3e-3}};
      const TrialRun run = run_trial(small(), assignment(params, 2, 1));
      ASSERT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
      EXPECT_GT(run.curve.at(0).metric("val_accuracy").value(), 0.5) << activation << " " << optimizer;
    }
  }
}

TEST_F(TorchRunnerTest, EvaluatesTheCheckpointOnTheTestSet) {
  TrialAssignment trial = assignment(kSmallMlp, 4, 2, dir_.file("tested"));
  const TrialRun run = run_trial(small(), trial);
  ASSERT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
  // As the coordinator asks for it: start_epoch = end_epoch = the epochs trained.
  trial.start_epoch = 2;
  const TestResult test = small().evaluate_test(trial);
  EXPECT_EQ(test.trial_id, 3);
  EXPECT_GT(test.accuracy, 0.6);
  EXPECT_LE(test.accuracy, 1.0);
  EXPECT_TRUE(std::isfinite(test.loss));
  EXPECT_GT(test.loss, 0.0);
  // A fresh, untrained model would be near chance: the weights did come from the file.
  EXPECT_NEAR(test.accuracy, run.curve.back().metric("val_accuracy").value(), 0.1);

  TrialAssignment none = assignment(kSmallMlp, 4, 2, dir_.file("none"));
  none.start_epoch = 2;
  EXPECT_THROW(small().evaluate_test(none), IoError);
}

/// The checkpoint files of `stem` in its folder, by name.
std::vector<std::string> files_of(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(TorchRunnerTest, KeepsTheLastTwoCheckpointsAndResumesFromEither) {
  const TrialRun whole = run_trial(small(), assignment(kSmallMlp, 9, 6));
  TrialAssignment trial = assignment(kSmallMlp, 9, 5, dir_.file("kept/trial_3"));
  const TrialRun run = run_trial(small(), trial);
  ASSERT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
  for (const EpochResult& epoch : run.curve) EXPECT_TRUE(epoch.checkpointed);
  EXPECT_EQ(files_of(dir_.file("kept")),
            (std::vector<std::string>{"trial_3.e4.h5", "trial_3.e5.h5"}));

  // Rank 0 may have recorded either one (the newest not yet, when it was killed).
  for (const int start : {4, 5}) {
    TrialAssignment resumed = trial;
    resumed.start_epoch = start;
    resumed.end_epoch = 6;
    const TrialRun rest = run_trial(small(), resumed);
    ASSERT_EQ(rest.outcome.kind, TrialOutcome::Kind::Finished) << rest.outcome.reason;
    ASSERT_EQ(rest.curve.size(), static_cast<std::size_t>(6 - start));
    expect_same_results(rest.curve.back(), whole.curve.at(5));
  }
  // Resuming from 5 kept 5 and wrote 6; older files, 4 included, are gone.
  EXPECT_EQ(files_of(dir_.file("kept")),
            (std::vector<std::string>{"trial_3.e5.h5", "trial_3.e6.h5"}));
}

TEST_F(TorchRunnerTest, ADamagedCheckpointFailsTheResumedTrialNamingTheFile) {
  TrialAssignment trial = assignment(kSmallMlp, 6, 1, dir_.file("damaged"));
  ASSERT_EQ(run_trial(small(), trial).outcome.kind, TrialOutcome::Kind::Finished);
  const std::string file = checkpoint_file(trial.checkpoint, 1);

  // Flip one bit inside the stored weights of the last layer (found by their bytes).
  const h5::FloatArray bias = read_checkpoint(file).arrays.at("model/1.bias");
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string pattern(reinterpret_cast<const char*>(bias.values.data()),
                            bias.values.size() * sizeof(float));
  const std::size_t at = bytes.find(pattern);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 5] = static_cast<char>(bytes[at + 5] ^ 0x10);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;

  trial.start_epoch = 1;
  trial.end_epoch = 2;
  const TrialRun resumed = run_trial(small(), trial);
  EXPECT_EQ(resumed.outcome.kind, TrialOutcome::Kind::Failed);
  EXPECT_NE(resumed.outcome.reason.find(file + ": checksum mismatch"), std::string::npos)
      << resumed.outcome.reason;
  EXPECT_TRUE(resumed.curve.empty());
}

/// A small resnet with every training option on (augmentation, cosine with warm-up, label
/// smoothing, clipping): its batch norm statistics, the schedule's step and the per-epoch
/// augmentation must all come back from the checkpoint.
const Params kOptionsResnet = {{"stages", std::int64_t{2}},
                               {"width", std::int64_t{4}},
                               {"batch_size", std::int64_t{64}},
                               {"lr_schedule", std::string("cosine")},
                               {"warmup_epochs", 0.5},
                               {"augment_crop", std::int64_t{2}},
                               {"augment_flip", true},
                               {"label_smoothing", 0.1},
                               {"grad_clip", 1.0}};

TEST(TorchRunner, ResumingWithAugmentationAndACosineScheduleReproducesTheUninterruptedRun) {
  testing::TempDir dir;
  TrainerSettings settings;
  settings.objective.model = "resnet";
  settings.objective.train_samples = 512;
  settings.objective.val_samples = 256;
  settings.max_epochs = 3;
  const auto runner = make_torch_runner(settings);
  const TrialRun whole = run_trial(*runner, assignment(kOptionsResnet, 5, 3, dir.file("whole")));
  TrialAssignment trial = assignment(kOptionsResnet, 5, 3, dir.file("parts/paused"));
  const TrialRun first =
      run_trial(*runner, trial, [](int e) { return e == 2 ? Verdict::Pause : Verdict::Continue; });
  ASSERT_EQ(first.outcome.kind, TrialOutcome::Kind::Paused) << first.outcome.reason;
  ASSERT_EQ(first.curve.size(), 2u);
  trial.start_epoch = 2;
  const TrialRun rest = run_trial(*runner, trial);
  ASSERT_EQ(rest.outcome.kind, TrialOutcome::Kind::Finished) << rest.outcome.reason;
  ASSERT_EQ(whole.curve.size(), 3u);
  ASSERT_EQ(rest.curve.size(), 1u);
  expect_same_results(first.curve[1], whole.curve[1]);
  expect_same_results(rest.curve[0], whole.curve[2]);
  EXPECT_EQ(rest.curve[0].metric("train_loss"), whole.curve[2].metric("train_loss"));

  // The options do something: without augmentation, or without the schedule, the curve differs.
  for (const char* name : {"augment_flip", "lr_schedule"}) {
    Params changed = kOptionsResnet;
    if (std::string(name) == "augment_flip") {
      changed["augment_flip"] = false;
      changed["augment_crop"] = std::int64_t{0};
    } else {
      changed["lr_schedule"] = std::string("constant");
    }
    const TrialRun other = run_trial(*runner, assignment(changed, 5, 3));
    ASSERT_EQ(other.outcome.kind, TrialOutcome::Kind::Finished) << other.outcome.reason;
    EXPECT_NE(other.curve[2].metric("train_loss"), whole.curve[2].metric("train_loss")) << name;
  }
}

TEST_F(TorchRunnerTest, MixedPrecisionOnTheCpuFailsTheTrialNamingIt) {
  const TrialRun run =
      run_trial(small(), assignment(with(kSmallMlp, "precision", std::string("bf16")), 1, 1));
  EXPECT_EQ(run.outcome.kind, TrialOutcome::Kind::Failed);
  EXPECT_NE(run.outcome.reason.find("precision bf16 needs a CUDA device"), std::string::npos)
      << run.outcome.reason;
}

TEST(TorchRunner, AnMlpLearnsFashionMnistInTwoEpochs) {
  TrainerSettings settings;
  settings.objective.train_samples = 5000;
  settings.objective.val_samples = 2000;
  const auto runner = make_torch_runner(settings);
  const TrialRun run = run_trial(*runner, assignment({{"layers", std::int64_t{1}}}, 1, 2));
  ASSERT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
  ASSERT_EQ(run.curve.size(), 2u);
  EXPECT_EQ(run.curve[1].value, run.curve[1].metric("val_accuracy").value());
  EXPECT_GT(run.curve[1].metric("val_accuracy").value(), 0.75);
}

TEST(TorchRunner, ACnnLearnsFashionMnist) {
  TrainerSettings settings;
  settings.objective.model = "cnn";
  settings.objective.train_samples = 2000;
  settings.objective.val_samples = 500;
  const auto runner = make_torch_runner(settings);
  const TrialRun run = run_trial(*runner, assignment({{"channels", std::int64_t{8}},
                                                      {"dropout", 0.1},
                                                      {"batch_size", std::int64_t{32}}},
                                                     1, 2));
  ASSERT_EQ(run.outcome.kind, TrialOutcome::Kind::Finished) << run.outcome.reason;
  EXPECT_GT(run.curve.at(1).metric("val_accuracy").value(), 0.65);
}

}  // namespace
}  // namespace rungs

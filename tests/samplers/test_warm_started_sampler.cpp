// A warm-started sampler: the earlier study's trials come first in what the inner sampler
// sees, so TPE starts where the earlier study was good; samplers that ignore the history
// suggest exactly what they would without it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "samplers/enqueued_sampler.h"
#include "samplers/warm_started_sampler.h"
#include "sampler_test_util.h"

namespace rungs {
namespace {

using testing::make_trial;

StudyConfig config(const std::string& sampler) {
  return parse_study_config(R"(
name: t
objective: {model: mlp, metric: val_accuracy}
search_space:
  x: {type: float, low: 0.0, high: 1.0}
sampler: )" + sampler + R"(
budget: {max_trials: 100, epochs: 1}
)",
                            "t.yaml");
}

double objective(double x) { return -(x - 0.8) * (x - 0.8); }

/// 30 trials of an earlier study spread over [0, 1]: the best near x = 0.8.
std::vector<TrialRecord> prior() {
  std::vector<TrialRecord> out;
  for (int i = 0; i < 30; ++i) {
    const double x = (i + 0.5) / 30.0;
    out.push_back(make_trial(-1 - i, {{"x", x}}, TrialStatus::Completed, {objective(x)}));
  }
  return out;
}

/// The first `n` suggestions of a study run one trial after another.
std::vector<double> first_suggestions(const StudyConfig& c, std::vector<TrialRecord> warm, int n) {
  auto sampler = make_study_sampler(c, std::move(warm));
  std::vector<TrialRecord> trials;
  testing::run_study(*sampler, [](const Params& p) { return objective(std::get<double>(p.at("x"))); },
                     n, trials);
  std::vector<double> xs;
  for (const auto& t : trials) xs.push_back(std::get<double>(t.params.at("x")));
  return xs;
}

double median_distance(std::vector<double> xs) {
  for (double& x : xs) x = std::abs(x - 0.8);
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

TEST(WarmStartedSampler, ModelBasedSamplersStartWhereTheEarlierStudyWasGood) {
  for (const char* name : {"tpe", "gp"}) {
    const StudyConfig c = config(name);
    const double warm = median_distance(first_suggestions(c, prior(), 8));
    const double cold = median_distance(first_suggestions(c, {}, 8));
    // Cold, their first 8 trials are start-up trials (random for tpe, Sobol for gp).
    EXPECT_LT(warm, 0.08) << name << ", cold: " << cold;
    EXPECT_GT(cold, warm) << name;
  }
}

TEST(WarmStartedSampler, RandomSearchIsUnchanged) {
  const StudyConfig c = config("random");
  EXPECT_EQ(first_suggestions(c, prior(), 20), first_suggestions(c, {}, 20));
}

/// Remembers what it was given.
class Recording final : public Sampler {
 public:
  std::optional<Params> suggest(int, const std::vector<TrialRecord>& trials) override {
    seen = trials;
    return Params{};
  }
  std::vector<TrialRecord> seen;
};

TEST(WarmStartedSampler, TheInnerSamplerSeesThePriorThenTheStudyAsItIsNow) {
  auto recording = std::make_unique<Recording>();
  Recording& inner = *recording;
  WarmStartedSampler sampler(std::move(recording), prior());
  std::vector<TrialRecord> trials;
  trials.push_back(make_trial(0, {{"x", 0.5}}, TrialStatus::Running, {-0.09}));
  trials.push_back(make_trial(1, {{"x", 0.7}}, TrialStatus::Completed, {-0.01}));
  sampler.suggest(2, trials);
  ASSERT_EQ(inner.seen.size(), 32u);
  EXPECT_EQ(inner.seen[0].id, -1);
  EXPECT_EQ(inner.seen[30].id, 0);
  EXPECT_EQ(inner.seen[30].curve.size(), 1u);

  // Trial 0 reports again and ends; trial 2 starts.
  trials[0] = make_trial(0, {{"x", 0.5}}, TrialStatus::Stopped, {-0.09, -0.08});
  trials.push_back(make_trial(2, {{"x", 0.9}}, TrialStatus::Running));
  sampler.suggest(3, trials);
  ASSERT_EQ(inner.seen.size(), 33u);
  EXPECT_EQ(inner.seen[30].status, TrialStatus::Stopped);
  EXPECT_EQ(inner.seen[30].curve.size(), 2u);
  EXPECT_EQ(inner.seen[32].id, 2);

  // Another study's trials (fewer than it saw): it starts over from the prior.
  sampler.suggest(1, {make_trial(0, {{"x", 0.1}}, TrialStatus::Completed, {-0.49})});
  ASSERT_EQ(inner.seen.size(), 31u);
  EXPECT_EQ(std::get<double>(inner.seen[30].params.at("x")), 0.1);
}

}  // namespace
}  // namespace rungs

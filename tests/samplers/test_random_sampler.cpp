#include <gtest/gtest.h>

#include <set>

#include "samplers/sampler.h"
#include "study/config.h"
#include "study/errors.h"

namespace rungs {
namespace {

const StudyConfig& config() {
  static const StudyConfig c = parse_study_config(R"(
name: t
objective: {model: mlp}
search_space:
  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
  width: {type: int, low: 32, high: 512, step: 32}
  optimizer: {type: categorical, choices: [sgd, adam, adamw]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
budget: {max_trials: 1, epochs: 1}
)", "t.yaml");
  return c;
}

std::vector<Params> draw(std::uint64_t seed, int n) {
  auto sampler = make_sampler(config().sampler, config().space, Direction::Maximize, seed);
  std::vector<Params> out;
  std::vector<TrialRecord> trials;
  for (int i = 0; i < n; ++i) out.push_back(*sampler->suggest(i, trials));
  return out;
}

TEST(RandomSampler, SameSeedSameSuggestionsOtherSeedOthers) {
  EXPECT_EQ(draw(3, 50), draw(3, 50));
  EXPECT_NE(draw(3, 50), draw(4, 50));
}

TEST(RandomSampler, EverySuggestionIsValidAndCoversTheSpace) {
  const auto params = draw(11, 2000);
  int below_1e3 = 0, sgd = 0;
  std::set<std::int64_t> widths;
  for (const auto& p : params) {
    ASSERT_TRUE(config().space.is_valid(p)) << to_string(p);
    if (std::get<double>(p.at("lr")) < 1e-3) ++below_1e3;
    widths.insert(std::get<std::int64_t>(p.at("width")));
    if (p.at("optimizer") == ParamValue(std::string("sgd"))) {
      ++sgd;
      EXPECT_TRUE(p.count("momentum"));
    } else {
      EXPECT_FALSE(p.count("momentum")) << "inactive parameters are absent";
    }
  }
  // log-uniform over 5 decades: 2 of them lie below 1e-3
  EXPECT_NEAR(below_1e3 / 2000.0, 0.4, 0.05);
  EXPECT_EQ(widths.size(), 16u);
  EXPECT_NEAR(sgd / 2000.0, 1.0 / 3, 0.05);
}

TEST(RandomSampler, UnknownSamplerIsAConfigError) {
  AlgorithmOptions options("rnadom", {}, "t.yaml: sampler");
  EXPECT_THROW(make_sampler(options, config().space, Direction::Maximize, 1), ConfigError);
  AlgorithmOptions extra("random", {{"n_startup", std::int64_t{3}}}, "t.yaml: sampler");
  try {
    make_sampler(extra, config().space, Direction::Maximize, 1);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "t.yaml: sampler.n_startup: 3 is not an option of random");
  }
}

}  // namespace
}  // namespace rungs

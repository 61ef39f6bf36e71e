#include "schedulers/hyperband.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "scheduler_fixture.h"

namespace rungs {
namespace {

using testing::Driver;
using testing::option_error;

TEST(HyperbandWeights, TheConfigurationCountsOfThePaper) {
  // Hyperband's brackets for R/r = 9 and 81, eta = 3: n = 9, 5, 3 and 81, 34, 15, 8, 5.
  EXPECT_EQ(hyperband_weights(3, 2, 3), (std::vector<int>{9, 5, 3}));
  EXPECT_EQ(hyperband_weights(5, 4, 3), (std::vector<int>{81, 34, 15, 8, 5}));
  EXPECT_EQ(hyperband_weights(2, 2, 3), (std::vector<int>{9, 5})) << "fewer brackets: the aggressive ones";
}

TEST(BracketSequence, EveryPrefixIsCloseToTheProportions) {
  const std::vector<int> weights{9, 5, 3};
  const std::vector<int> seq = bracket_sequence(weights);
  ASSERT_EQ(seq.size(), 17u);
  std::vector<int> seen(3, 0);
  for (std::size_t i = 0; i < seq.size(); ++i) {
    ++seen[static_cast<std::size_t>(seq[i])];
    for (int b = 0; b < 3; ++b) {
      const double expected = (i + 1) * weights[static_cast<std::size_t>(b)] / 17.0;
      EXPECT_LT(std::abs(seen[static_cast<std::size_t>(b)] - expected), 1.0) << "prefix " << i + 1;
    }
  }
  EXPECT_EQ(seen, weights);
  EXPECT_EQ(bracket_sequence({1, 1, 1}), (std::vector<int>{0, 1, 2}));
}

TEST(Hyperband, TrialsGoToBracketsByIdAndStopOnlyAtTheirBracketsRungs) {
  auto scheduler = testing::scheduler_for(testing::study("{name: hyperband}"));
  auto& hb = dynamic_cast<HyperbandScheduler&>(*scheduler);
  ASSERT_EQ(hb.brackets(), 3);
  const std::vector<int> seq = bracket_sequence({9, 5, 3});
  for (int id = 0; id < 40; ++id) EXPECT_EQ(hb.bracket_of(id), seq[static_cast<std::size_t>(id) % 17]);
  EXPECT_EQ(hb.bracket(0).ladder().milestone(0), 1);
  EXPECT_EQ(hb.bracket(1).ladder().milestone(0), 3);
  EXPECT_EQ(hb.bracket(2).ladder().size(), 1) << "bracket 2 trains everything to R";

  // Trial values fall with the id: in every bracket later arrivals are worse and stop at
  // their bracket's first rung, except in bracket 2, which has no rung below R.
  Driver d(hb);
  for (int id = 0; id < 34; ++id) {
    d.start(9);
    const int bracket = hb.bracket_of(id);
    Verdict v = Verdict::Continue;
    int epoch = 0;
    while (v == Verdict::Continue && epoch < 9) {
      v = d.report(id, 1.0 - 0.01 * id);
      ++epoch;
    }
    const bool first_in_bracket = id == static_cast<int>(std::find(seq.begin(), seq.end(), bracket) - seq.begin());
    if (first_in_bracket || bracket == 2) {
      EXPECT_EQ(epoch, 9) << "trial " << id << " in bracket " << bracket;
    } else {
      EXPECT_EQ(epoch, bracket == 0 ? 1 : 3) << "trial " << id << " in bracket " << bracket;
    }
    d.end(id, epoch == 9 ? TrialStatus::Completed : TrialStatus::Stopped);
  }
}

TEST(Hyperband, RotationGivesEqualShares) {
  auto scheduler = testing::scheduler_for(testing::study("{name: hyperband, assignment: rotation, brackets: 2}"));
  auto& hb = dynamic_cast<HyperbandScheduler&>(*scheduler);
  for (int id = 0; id < 10; ++id) EXPECT_EQ(hb.bracket_of(id), id % 2);
}

TEST(HyperbandOptions, Validated) {
  EXPECT_EQ(option_error("{name: hyperband, brackets: 1, mode: promotion, min_resource: 3}"), "");
  EXPECT_EQ(option_error("{name: hyperband, brackets: 4}"),
            "study.yaml: scheduler.brackets: 4 must be <= 3, the brackets that fit between "
            "min_resource (1) and max_resource (9) with reduction_factor 3");
  EXPECT_EQ(option_error("{name: hyperband, brackets: 0}"),
            "study.yaml: scheduler.brackets: 0 must be >= 1");
  EXPECT_EQ(option_error("{name: hyperband, assignment: random}"),
            "study.yaml: scheduler.assignment: random must be 'paper' or 'rotation'");
  EXPECT_EQ(option_error("{name: hyperband, bracket: 1}"),
            "study.yaml: scheduler.bracket: 1 is not an option of hyperband");
}

}  // namespace
}  // namespace rungs

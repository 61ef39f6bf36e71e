#include "schedulers/rung_ladder.h"

#include <gtest/gtest.h>

#include "study/errors.h"

namespace rungs {
namespace {

std::vector<int> milestones(int r, int R, int eta, int s) {
  RungLadder ladder({r, R, eta, s});
  std::vector<int> out;
  for (int k = 0; k < ladder.size(); ++k) out.push_back(ladder.milestone(k));
  return out;
}

TEST(RungLadder, RungsAreGeometricAndCappedByMaxResource) {
  EXPECT_EQ(milestones(1, 9, 3, 0), (std::vector<int>{1, 3, 9}));
  EXPECT_EQ(milestones(1, 10, 3, 0), (std::vector<int>{1, 3, 9, 10}));
  EXPECT_EQ(milestones(1, 8, 3, 0), (std::vector<int>{1, 3, 8}));
  EXPECT_EQ(milestones(2, 20, 3, 1), (std::vector<int>{6, 18, 20}));
  EXPECT_EQ(milestones(1, 9, 3, 2), (std::vector<int>{9})) << "the last bracket has no early stopping";
  EXPECT_EQ(milestones(1, 16, 2, 0), (std::vector<int>{1, 2, 4, 8, 16}));
  EXPECT_EQ(milestones(5, 5, 3, 0), (std::vector<int>{5}));
  // A huge factor cannot overflow.
  EXPECT_EQ(milestones(1, 1000000, 2000000000, 0), (std::vector<int>{1, 1000000}));
}

TEST(RungLadder, ReachedAndPassed) {
  RungLadder ladder({1, 10, 3, 0});  // 1 3 9 10
  EXPECT_EQ(ladder.reached(0), -1);
  EXPECT_EQ(ladder.reached(1), 0);
  EXPECT_EQ(ladder.reached(8), 1);
  EXPECT_EQ(ladder.reached(10), 3);
  EXPECT_TRUE(ladder.is_top(3));
  EXPECT_EQ(ladder.passed(0, 1), (std::vector<int>{0}));
  EXPECT_EQ(ladder.passed(1, 2), (std::vector<int>{}));
  EXPECT_EQ(ladder.passed(2, 9), (std::vector<int>{1, 2})) << "a report that skips a rung passes both";
  RungLadder bracket({1, 10, 3, 1});  // 3 9 10: rungs 1 2 3
  EXPECT_EQ(bracket.absolute(0), 1);
  EXPECT_EQ(bracket.absolute(bracket.size() - 1), 3);
}

TEST(RungLadder, AbsoluteRungDependsOnEpochsAlone) {
  // r=1, R=10, eta=3: rungs 0..3 at 1, 3, 9, 10 epochs.
  const int expected[] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 3};
  for (int e = 0; e <= 10; ++e) EXPECT_EQ(absolute_rung(e, 1, 10, 3), expected[e]) << e;
  EXPECT_EQ(absolute_rung(9, 1, 9, 3), 2);
  EXPECT_EQ(absolute_rung(5, 2, 20, 3), 0);
  EXPECT_EQ(absolute_rung(6, 2, 20, 3), 1);
}

TEST(RungLadder, MaxBracket) {
  EXPECT_EQ(max_bracket(1, 9, 3), 2);
  EXPECT_EQ(max_bracket(1, 8, 3), 1);
  EXPECT_EQ(max_bracket(1, 81, 3), 4);
  EXPECT_EQ(max_bracket(4, 4, 2), 0);
}

TEST(RungLadder, InvalidSpecsNameTheValue) {
  auto problem = [](LadderSpec s, int epochs) {
    auto p = check_ladder(s, epochs);
    return p ? p->key + ": " + p->message : std::string();
  };
  EXPECT_EQ(problem({1, 9, 3, 0}, 9), "");
  EXPECT_EQ(problem({1, 9, 1, 0}, 9), "reduction_factor: must be >= 2");
  EXPECT_EQ(problem({0, 9, 3, 0}, 9), "min_resource: must be >= 1");
  EXPECT_EQ(problem({1, 12, 3, 0}, 9), "max_resource: must be <= the study's budget.epochs (9)");
  EXPECT_EQ(problem({10, 9, 3, 0}, 9), "min_resource: must be <= max_resource (9)");
  EXPECT_EQ(problem({1, 9, 3, -1}, 9), "bracket: must be >= 0");
  EXPECT_EQ(problem({1, 9, 3, 3}, 9),
            "bracket: leaves no rung at or below max_resource (9): min_resource * "
            "reduction_factor^bracket > 9; the largest bracket is 2");
  try {
    RungLadder({1, 9, 1, 0});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "reduction_factor is 1; it must be >= 2");
  }
}

TEST(RungLadder, ValueAtARungIsTheFirstResultAtOrAfterIt) {
  TrialRecord t;
  for (int e : {1, 2, 5, 6}) {
    EpochResult r;
    r.epoch = e;
    r.value = e * 0.1;
    t.curve.push_back(r);
  }
  EXPECT_DOUBLE_EQ(*value_at(t, 1), 0.1);
  EXPECT_DOUBLE_EQ(*value_at(t, 3), 0.5) << "the report that skipped epoch 3 stands for it";
  EXPECT_FALSE(value_at(t, 9).has_value());
  EXPECT_EQ(last_epoch(t), 6);
  EXPECT_EQ(previous_epoch(t), 5);
}

}  // namespace
}  // namespace rungs

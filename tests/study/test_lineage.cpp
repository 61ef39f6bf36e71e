// Where a trial's weights came from, through PBT's clones.
#include "study/lineage.h"

#include <gtest/gtest.h>

namespace rungs {
namespace {

TrialRecord trial(int id, int epochs, std::vector<Segment> segments = {}) {
  TrialRecord t;
  t.id = id;
  t.curve.resize(static_cast<std::size_t>(epochs));
  t.segments = std::move(segments);
  return t;
}

Segment from(int start, int donor, int epoch) { return Segment{start, {}, donor, epoch}; }

TEST(Lineage, FollowsTheClonesBackThroughEachDonorsCoveringSegment) {
  // 2 cloned 1 at epoch 6 (from its epoch 6); 1 had cloned 0 at epoch 2 (from its epoch 4),
  // and again 3 at epoch 8, after the epoch 2 cloned. 0 trained from scratch.
  const std::vector<TrialRecord> trials{
      trial(0, 10),
      trial(1, 10, {Segment{}, from(4, 0, 2), from(8, 3, 8)}),
      trial(2, 10, {Segment{}, from(6, 1, 6)}),
      trial(3, 10),
  };
  const std::vector<LineageStep> steps = lineage(trials, 2);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].trial_id, 2);
  EXPECT_EQ(steps[0].from_trial, 1);
  EXPECT_EQ(steps[0].from_epoch, 6);
  EXPECT_EQ(steps[1].trial_id, 1);
  EXPECT_EQ(steps[1].start_epoch, 4) << "trial 1's epoch 6 was trained in its segment from epoch 4";
  EXPECT_EQ(steps[1].from_trial, 0);
  EXPECT_EQ(describe_lineage(2, steps), "trial 2 <- trial 1 at epoch 6 <- trial 0 at epoch 2");
  EXPECT_EQ(describe_lineage(1, lineage(trials, 1)), "trial 1 <- trial 3 at epoch 8");
  EXPECT_TRUE(lineage(trials, 0).empty());
  EXPECT_TRUE(lineage(trials, 9).empty()) << "no such trial";
}

TEST(Lineage, AnOwnSegmentAfterACloneKeepsTheClonesWeights) {
  const std::vector<TrialRecord> trials{
      trial(0, 6),
      trial(1, 9, {Segment{}, from(3, 0, 3), Segment{6, {}, -1, -1}}),
  };
  EXPECT_EQ(describe_lineage(1, lineage(trials, 1)), "trial 1 <- trial 0 at epoch 3");
}

TEST(Lineage, ALoopEndsTheChain) {
  const std::vector<TrialRecord> trials{
      trial(0, 4, {Segment{}, from(2, 1, 2)}),
      trial(1, 4, {Segment{}, from(2, 0, 2)}),
  };
  EXPECT_LE(lineage(trials, 0).size(), 3u);
}

}  // namespace
}  // namespace rungs

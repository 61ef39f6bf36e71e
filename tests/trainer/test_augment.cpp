#include <gtest/gtest.h>
#include <torch/torch.h>

#include "trainer/augment.h"

namespace rungs {
namespace {

torch::Tensor batch(std::int64_t n) {
  return torch::arange(n * 2 * 8 * 8, torch::kFloat).reshape({n, 2, 8, 8}).add_(1.0f);
}

torch::Tensor augmented(const TrainingOptions& o, std::uint64_t seed, std::int64_t first,
                        torch::Tensor images, std::int64_t samples = 64) {
  EpochAugmentation a(o, seed, samples);
  a.apply(images, first);
  return images;
}

TrainingOptions options(int crop, bool flip) {
  TrainingOptions o;
  o.augment_crop = crop;
  o.augment_flip = flip;
  return o;
}

TEST(Augment, TheSameSeedAugmentsTheSameAndAnotherSeedOtherwise) {
  const TrainingOptions o = options(2, true);
  const torch::Tensor a = augmented(o, 7, 0, batch(64));
  EXPECT_EQ(a.sizes(), batch(64).sizes());
  EXPECT_TRUE(a.equal(augmented(o, 7, 0, batch(64))));
  EXPECT_FALSE(a.equal(augmented(o, 8, 0, batch(64))));
  EXPECT_FALSE(a.equal(batch(64)));
}

TEST(Augment, APositionIsAugmentedTheSameInAnyBatchThatHoldsIt) {
  // A rank of a group, or a smaller batch, takes rows [first, first + B) of the epoch.
  const TrainingOptions o = options(3, true);
  const torch::Tensor whole = augmented(o, 9, 0, batch(64));
  const torch::Tensor tail = augmented(o, 9, 40, batch(64).narrow(0, 40, 24).clone());
  EXPECT_TRUE(tail.equal(whole.narrow(0, 40, 24)));
}

TEST(Augment, FlipsSomeRowsHorizontallyAndLeavesTheOthers) {
  const torch::Tensor original = batch(64);
  const torch::Tensor a = augmented(options(0, true), 3, 0, original.clone());
  int flipped = 0, same = 0;
  for (std::int64_t i = 0; i < 64; ++i) {
    if (a[i].equal(original[i].flip({2}))) {
      ++flipped;
    } else {
      EXPECT_TRUE(a[i].equal(original[i])) << i;
      ++same;
    }
  }
  EXPECT_GT(flipped, 10);
  EXPECT_GT(same, 10);
}

TEST(Augment, CropsAWindowOfTheZeroPaddedImage) {
  const int p = 2;
  const torch::Tensor original = batch(64);
  const torch::Tensor a = augmented(options(p, false), 5, 0, original.clone());
  const torch::Tensor padded = torch::constant_pad_nd(original, {p, p, p, p}, 0.0);
  int shifted = 0;
  for (std::int64_t i = 0; i < 64; ++i) {
    bool found = false;
    for (int dy = 0; dy <= 2 * p && !found; ++dy)
      for (int dx = 0; dx <= 2 * p && !found; ++dx)
        found = a[i].equal(padded[i].narrow(1, dy, 8).narrow(2, dx, 8));
    EXPECT_TRUE(found) << i;
    shifted += !a[i].equal(original[i]);
  }
  EXPECT_GT(shifted, 32);  // 24 of 25 offsets move the image
}

}  // namespace
}  // namespace rungs

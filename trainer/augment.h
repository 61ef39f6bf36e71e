#pragma once
/// Image augmentation for one training epoch: a random crop after zero padding by
/// augment_crop pixels (the normalized inputs' zero, the training mean) and a random
/// horizontal flip, drawn for every position of the epoch's order from (seed, epoch) alone,
/// so that a resumed trial, and every rank of a trial group, augments the same sample the
/// same way as an uninterrupted one-rank training. Forward declarations keep LibTorch out
/// of this header.
#include <cstdint>
#include <memory>

#include "trainer/training_options.h"

namespace at {
class Tensor;
}  // namespace at

namespace rungs {

class EpochAugmentation {
 public:
  /// The draws for `samples` positions of an epoch whose random seed is `epoch_seed`.
  EpochAugmentation(const TrainingOptions& options, std::uint64_t epoch_seed, std::int64_t samples);
  ~EpochAugmentation();
  EpochAugmentation(const EpochAugmentation&) = delete;
  EpochAugmentation& operator=(const EpochAugmentation&) = delete;

  /// Augments `images` [B, C, H, W] in place, row i being position first + i of the epoch.
  void apply(at::Tensor& images, std::int64_t first) const;

 private:
  struct Draws;
  std::unique_ptr<Draws> draws_;
};

}  // namespace rungs

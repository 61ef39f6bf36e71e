#include "trainer/augment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <vector>

namespace rungs {

struct EpochAugmentation::Draws {
  int crop = 0;
  bool flip = false;
  std::vector<std::int64_t> dx, dy;  ///< crop offsets in [0, 2 crop] per position
  std::vector<bool> flipped;         ///< per position
};

EpochAugmentation::EpochAugmentation(const TrainingOptions& options, std::uint64_t epoch_seed,
                                     std::int64_t samples)
    : draws_(std::make_unique<Draws>()) {
  Draws& d = *draws_;
  d.crop = options.augment_crop;
  d.flip = options.augment_flip;
  // Its own generator: the global one (dropout) draws the same with augmentation on or off.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(epoch_seed ^ 0x61756775ULL);
  if (d.crop > 0) {
    const auto offsets = torch::randint(0, 2 * d.crop + 1, {2, samples}, generator, torch::kLong);
    const std::int64_t* o = offsets.data_ptr<std::int64_t>();
    d.dx.assign(o, o + samples);
    d.dy.assign(o + samples, o + 2 * samples);
  }
  if (d.flip) {
    const auto coins = torch::randint(0, 2, {samples}, generator, torch::kLong);
    const std::int64_t* c = coins.data_ptr<std::int64_t>();
    d.flipped.assign(c, c + samples);
  }
}

EpochAugmentation::~EpochAugmentation() = default;

void EpochAugmentation::apply(at::Tensor& images, std::int64_t first) const {
  const Draws& d = *draws_;
  torch::NoGradGuard no_grad;
  const std::int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  if (d.crop > 0) {
    const std::int64_t p = d.crop;
    const torch::Tensor padded = torch::constant_pad_nd(images, {p, p, p, p}, 0.0);
    for (std::int64_t i = 0; i < n; ++i)
      images[i].copy_(padded[i].narrow(1, d.dy[first + i], h).narrow(2, d.dx[first + i], w));
  }
  if (d.flip) {
    std::vector<std::int64_t> rows;
    for (std::int64_t i = 0; i < n; ++i)
      if (d.flipped[first + i]) rows.push_back(i);
    if (rows.empty()) return;
    const torch::Tensor index = torch::tensor(rows, torch::kLong).to(images.device());
    images.index_copy_(0, index, images.index_select(0, index).flip({3}));
  }
}

}  // namespace rungs

#include "samplers/random_sampler.h"
#include "samplers/sampler.h"

namespace rungs {

std::unique_ptr<Sampler> make_sampler(const AlgorithmOptions& options, const SearchSpace& space,
                                      Direction /*direction*/, std::uint64_t seed) {
  const std::string& name = options.name();
  std::unique_ptr<Sampler> sampler;
  if (name == "random") {
    sampler = std::make_unique<RandomSampler>(space, seed);
  } else {
    options.fail("name", "'" + name + "' is not a sampler (expected: random)");
  }
  options.finish();
  return sampler;
}

}  // namespace rungs

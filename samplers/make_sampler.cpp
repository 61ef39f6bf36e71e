#include "samplers/gp_sampler.h"
#include "samplers/grid_sampler.h"
#include "samplers/nsga2_sampler.h"
#include "samplers/random_sampler.h"
#include "samplers/sampler.h"
#include "samplers/sobol_sampler.h"
#include "samplers/tpe_sampler.h"

namespace rungs {

std::unique_ptr<Sampler> make_sampler(const AlgorithmOptions& options, const SearchSpace& space,
                                      Direction direction, std::uint64_t seed,
                                      const MultiObjective& multi) {
  const std::string& name = options.name();
  std::unique_ptr<Sampler> sampler;
  if (name == "random") {
    sampler = std::make_unique<RandomSampler>(space, seed);
  } else if (name == "grid") {
    sampler = std::make_unique<GridSampler>(space, seed, options.where());
  } else if (name == "sobol") {
    sampler = std::make_unique<SobolSampler>(space, seed, options.get_bool("scramble", true));
  } else if (name == "tpe") {
    sampler = std::make_unique<TpeSampler>(space, direction, seed, TpeOptions::from(options));
  } else if (name == "gp") {
    sampler = std::make_unique<GpSampler>(space, direction, seed, GpOptions::from(options));
  } else if (name == "nsga2") {
    if (multi.objectives.empty()) options.fail("name", "nsga2 needs the study's objectives");
    sampler = std::make_unique<NsgaIISampler>(space, multi, seed, NsgaIIOptions::from(options));
  } else {
    options.fail("name", "'" + name + "' is not a sampler (expected: random, grid, sobol, tpe, gp or nsga2)");
  }
  options.finish();
  return sampler;
}

}  // namespace rungs

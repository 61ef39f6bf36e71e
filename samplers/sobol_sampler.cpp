#include "samplers/sobol_sampler.h"

#include <boost/random/sobol.hpp>
#include <random>

#include "samplers/random_sampler.h"
#include "study/errors.h"
#include "study/seed.h"

namespace rungs {

namespace {
constexpr std::uint64_t kScrambleStream = 5ULL << 32;  // unused by trials

int parity(std::uint64_t x) { return __builtin_parityll(x); }
}  // namespace

SobolSampler::SobolSampler(const SearchSpace& space, std::uint64_t seed, bool scramble)
    : space_(space), scramble_(scramble) {
  const std::size_t d = space_.size();
  if (d > boost::random::default_sobol_table::max_dimension) {
    throw ConfigError("the sobol sampler supports at most " +
                      std::to_string(boost::random::default_sobol_table::max_dimension) +
                      " parameters, not " + std::to_string(d));
  }
  rows_.resize(d);
  shifts_.assign(d, 0);
  std::mt19937_64 rng(derive_seed(seed, kScrambleStream));
  for (std::size_t j = 0; j < d; ++j) {
    // Output digit b (bit 63 the most significant) is its input digit XOR a random subset
    // of the more significant input digits: lower-triangular in digit order, unit diagonal.
    for (int b = 0; b < 64; ++b) {
      const std::uint64_t above = b == 63 ? 0 : ~((std::uint64_t{2} << b) - 1);
      rows_[j][static_cast<std::size_t>(b)] =
          scramble ? (rng() & above) | (std::uint64_t{1} << b) : (std::uint64_t{1} << b);
    }
    shifts_[j] = scramble ? rng() : 0;
  }
}

std::vector<double> SobolSampler::point(std::uint64_t index) const {
  const std::size_t d = space_.size();
  std::vector<double> u(d, 0.0);
  if (d == 0) return u;
  std::vector<std::uint64_t> x(d, 0);
  if (index > 0) {
    // Boost's engine starts at the sequence's second point: seed(i) is point i + 1.
    boost::random::sobol_engine<std::uint64_t, 64> engine(d);
    engine.seed(index - 1);
    for (auto& v : x) v = engine();
  }
  for (std::size_t j = 0; j < d; ++j) {
    std::uint64_t y = 0;
    for (int b = 0; b < 64; ++b) {
      y |= static_cast<std::uint64_t>(parity(x[j] & rows_[j][static_cast<std::size_t>(b)])) << b;
    }
    y ^= shifts_[j];
    u[j] = static_cast<double>(y >> 11) * 0x1.0p-53;
  }
  return u;
}

std::optional<Params> SobolSampler::suggest(int trial_id, const std::vector<TrialRecord>&) {
  const std::vector<double> u = point(static_cast<std::uint64_t>(std::max(trial_id, 0)));
  std::size_t next = 0;
  return sample_space(space_, [&] { return u[next++]; });
}

}  // namespace rungs

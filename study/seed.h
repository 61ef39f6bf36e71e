#pragma once
/// Seeds derived from the study seed, so that everything random in a study is reproducible
/// from one number and independent streams never share a sequence.
#include <cstdint>

namespace rungs {

/// A well-mixed 64-bit seed for stream `stream` of a study seeded with `seed` (splitmix64).
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Streams in use: samplers take the trial id itself; trials take kTrialStream + id; the
/// values that fill a partial enqueued configuration take kEnqueueStream + id.
inline constexpr std::uint64_t kTrialStream = 1ULL << 32;
inline constexpr std::uint64_t kEnqueueStream = 2ULL << 32;

/// The seed of trial `id` (its weights, order and dropout), the same in the coordinator and
/// in the simulator.
inline std::uint64_t trial_seed(std::uint64_t study_seed, int id) {
  return derive_seed(study_seed, kTrialStream + static_cast<std::uint64_t>(id));
}

}  // namespace rungs

// rng.hpp — the project's own random number generator.
//
// std::mt19937 is portable, but std::uniform_real_distribution and
// std::normal_distribution are not: each standard library may produce other
// numbers from the same seed. Weights must be identical on every compiler, so
// we use xoshiro256** (Blackman & Vigna) seeded through splitmix64, and derive
// every distribution here with exactly specified arithmetic.
#pragma once

#include <cstdint>

namespace gcam {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  // Next raw 64-bit output of xoshiro256**.
  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits (exact, platform independent).
  double uniform();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi);
  // Uniform integer in [0, n) (n > 0), without modulo bias.
  std::uint64_t below(std::uint64_t n);
  // Standard normal (Marsaglia polar method). Uses std::log and std::sqrt, so
  // the last bit may differ between C libraries; weight init does not use it.
  double normal();

 private:
  std::uint64_t state_[4];
};

}  // namespace gcam

// fast/lane_sum.hpp — a long sum without one long chain of dependent additions.
#pragma once

#include <cstddef>

#include "gcam/core/tensor.hpp"

namespace gcam {
namespace fast {

// Σ v[0..n): lane l (of 16) adds the elements l, l + 16, l + 32, ...; then the
// lanes and the last n mod 16 elements are added in order. One chain of n
// dependent additions costs n times the adder's latency; 16 independent
// chains fill a vector register and run ~16× faster. The grouping depends on
// n only, so the result is the same for any thread count (it differs from a
// left-to-right sum in the last bits).
inline Scalar lane_sum(const Scalar* v, std::size_t n) {
  constexpr std::size_t kLanes = 16;
  Scalar lanes[kLanes] = {};
  std::size_t e = 0;
  for (; e + kLanes <= n; e += kLanes)
    for (std::size_t l = 0; l < kLanes; ++l) lanes[l] += v[e + l];
  Scalar sum = 0;
  for (const Scalar lane : lanes) sum += lane;
  for (; e < n; ++e) sum += v[e];
  return sum;
}

}  // namespace fast
}  // namespace gcam

// complexity.hpp — how concentrated is a map? The Quantus "complexity" family:
// a map that puts its relevance on few pixels is easier to read. None of these
// asks the model; they read one map of any method, raw and possibly signed
// (the conventions of faithfulness.hpp), through its magnitude |m|.
// Each takes one image's map: (H, W) or any shape, all its elements counted.
// Definitions and tests: docs/metrics.md, "Quantus families".
#pragma once

#include <cstddef>

#include "gcam/core/tensor.hpp"

namespace gcam {

// Sparseness (Chalasani et al. 2020): the Gini index of |m|. With the n
// magnitudes sorted ascending, v_1 ≤ … ≤ v_n,
//   G = Σ_{i=1..n} (2i − n − 1) · v_i / (n · Σ_i v_i).
// 0 for a constant map (Σ_i (2i − n − 1) = 0), 1 − 1/n for a one-hot map
// (only v_n ≠ 0: G = (n − 1)/n; not rescaled to reach 1). In [0, 1 − 1/n];
// higher = sparser. An all-zero map has no distribution: 0.
double sparseness(const Tensor& map);

// Complexity (Bhatt et al. 2020): the Shannon entropy of the magnitudes as a
// distribution, p_i = |m_i| / Σ_j |m_j|,
//   H = −Σ_i p_i · ln p_i        (natural log, 0 · ln 0 = 0).
// ln n for a constant map, 0 for a one-hot map; lower = simpler. 0 for an
// all-zero map.
double entropy_complexity(const Tensor& map);

// Effective complexity (Nguyen & Martínez 2020): the number of elements whose
// magnitude exceeds a threshold relative to the largest one,
//   #{ i : |m_i| > fraction · max_j |m_j| }.
// Relative, so that maps of any scale compare (Quantus first divides a map by
// max |m| and then counts |m| > ε; this is that count with ε = fraction).
// 0 for an all-zero map; lower = simpler. fraction must lie in [0, 1).
std::size_t effective_complexity(const Tensor& map, double fraction = 0.1);

}  // namespace gcam

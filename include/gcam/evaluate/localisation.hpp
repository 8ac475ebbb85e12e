// localisation.hpp — are the most relevant pixels on the object? The Quantus
// "localisation" family, measured against a ground-truth mask (H·W bytes,
// non-zero = object). Maps as in faithfulness.hpp: one image's map, (H, W) or
// any shape with H·W elements, raw, possibly signed; "most relevant" = largest
// value, ranked by relevance_order() (ties in row-major order).
//
// Two metrics of the family are already here under other names:
//  - relevance mass accuracy (Arras et al. 2022), Σ_{mask} m⁺ / Σ m⁺ on the
//    positive part m⁺ = max(m, 0), is positive_energy_inside() (faithfulness.hpp);
//  - attribution localisation (Kohlbrenner et al. 2020), the share of the
//    positive relevance inside the object (unweighted), is the same ratio.
// The pointing game is in mask_metrics.hpp. Tests: docs/metrics.md.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gcam/core/tensor.hpp"

namespace gcam {

// Top-k intersection (Theiner et al. 2021): the share of the k most relevant
// pixels that lie on the object,
//   TK = |top_k(m) ∩ mask| / k.
// 1 when the k highest values all lie in the mask. k must lie in 1..H·W.
double top_k_intersection(const Tensor& map, const std::uint8_t* mask, std::size_t k);

// Relevance rank accuracy (Arras et al. 2022): with K = |mask| pixels on the
// object, the share of the K most relevant pixels that lie on it,
//   RRA = |top_K(m) ∩ mask| / K      = top_k_intersection(m, mask, K).
// 1 when the object's pixels are exactly the K highest. 0 for an empty mask.
double relevance_rank_accuracy(const Tensor& map, const std::uint8_t* mask);

}  // namespace gcam

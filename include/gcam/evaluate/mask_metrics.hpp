// metrics.hpp — does a map point at the right pixels? Measured against a
// ground-truth mask (the synthetic shapes know exactly where each object is).
#pragma once

#include <cstdint>

#include "gcam/core/tensor.hpp"

namespace gcam {

// Pointing game (Zhang et al., "Top-down neural attention by excitation
// backprop", 2016): a hit if the map's maximum lies on the object, or within
// `tolerance` pixels of it (Chebyshev distance). The paper allows 15 pixels on
// 224-pixel images; the same fraction of a 32-pixel image is 2 pixels.
// `map` is (H, W) or any shape ending in H, W with H·W elements; `mask` holds
// H·W bytes (non-zero = object). Ties: the first maximum in row-major order.
bool pointing_game_hit(const Tensor& map, const std::uint8_t* mask, int tolerance = 0);

// The tolerance of the original pointing game (15 px at 224 px) scaled to an
// image of `size` pixels, rounded: 2 for 32-pixel images.
int pointing_game_tolerance(int size);

// Energy inside the mask: Σ_{mask} map / Σ map, for a non-negative map.
// Returns 0 for an all-zero map.
double energy_inside(const Tensor& map, const std::uint8_t* mask);

}  // namespace gcam

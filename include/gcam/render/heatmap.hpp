// heatmap.hpp — turning a map into colours and laying it over the image.
//
// Two kinds of maps, two kinds of colour maps:
//  - a map in [0, 1] (Grad-CAM's heatmap after normalize_to_unit) on a
//    sequential colour map: jet or viridis;
//  - a signed map (Σ_k α^c_k A^k before the ReLU, gradients, Integrated
//    Gradients, LRP) on the diverging map, where 0 is white, positive values
//    red and negative values blue, so "no evidence" never looks like evidence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gcam/core/image.hpp"
#include "gcam/core/tensor.hpp"

namespace gcam {

enum class Colormap {
  Jet,        // blue → cyan → yellow → red, as in the Grad-CAM paper
  Viridis,    // perceptually uniform, readable in grayscale and by colour-blind readers
  Diverging,  // blue (t = 0) → white (t = ½) → red (t = 1), for signed maps
};

// "jet", "viridis" or "diverging"; throws UnknownName listing them.
Colormap colormap_by_name(const std::string& name);

struct Rgb {
  std::uint8_t r, g, b;
};

// The colour of value t ∈ [0, 1] (clamped; NaN counts as 0).
Rgb colormap_color(Colormap map, double t);

// A (H, W), (1, H, W) or (1, 1, H, W) map with values in [0, 1] as an RGB image.
Image colorize(const Tensor& heat, Colormap map);

// The bound a signed map is drawn against: max |v| over the map (1 for an
// all-zero map, so that it draws white rather than dividing by zero).
double symmetric_bound(const Tensor& map);

// A signed (H, W)-like map on the diverging colour map: value v is drawn at
// t = ½ + ½·v/bound, so 0 → white, +bound → red, −bound → blue (clamped beyond).
Image colorize_signed(const Tensor& map, double bound);

// A signed map rescaled into [0, 1] the way colorize_signed reads it
// (½ + ½·v/bound), for overlay() with Colormap::Diverging.
Tensor signed_to_unit(const Tensor& map, double bound);

// out = (1 − opacity)·image + opacity·colour(heat), per pixel; `image` is gray
// or RGB (alpha channel ignored) of the map's size. Throws ShapeError otherwise.
Image overlay(const Image& image, const Tensor& heat, Colormap map, double opacity = 0.5);

// Each pixel repeated factor × factor times (to show 28×28 inputs legibly).
Image upscale_nearest(const Image& image, int factor);

}  // namespace gcam

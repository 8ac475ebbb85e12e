// heatmap.hpp — turning a map in [0, 1] into colours and laying it over the image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gcam/core/image.hpp"
#include "gcam/core/tensor.hpp"

namespace gcam {

enum class Colormap {
  Jet,      // blue → cyan → yellow → red, as in the Grad-CAM paper
  Viridis,  // perceptually uniform, readable in grayscale and by colour-blind readers
};

// "jet" or "viridis"; throws UnknownName listing both.
Colormap colormap_by_name(const std::string& name);

struct Rgb {
  std::uint8_t r, g, b;
};

// The colour of value t ∈ [0, 1] (clamped; NaN counts as 0).
Rgb colormap_color(Colormap map, double t);

// A (H, W), (1, H, W) or (1, 1, H, W) map with values in [0, 1] as an RGB image.
Image colorize(const Tensor& heat, Colormap map);

// out = (1 − opacity)·image + opacity·colour(heat), per pixel; `image` is gray
// or RGB (alpha channel ignored) of the map's size. Throws ShapeError otherwise.
Image overlay(const Image& image, const Tensor& heat, Colormap map, double opacity = 0.5);

// Each pixel repeated factor × factor times (to show 28×28 inputs legibly).
Image upscale_nearest(const Image& image, int factor);

// RGB tiles (all the same size) in a grid of `columns`, separated by `gap`
// white pixels.
Image montage(const std::vector<Image>& tiles, int columns, int gap = 2);

}  // namespace gcam

// pictures.hpp — the report's raster pictures: maps as tiles, zoomed so that
// small maps stay legible, with their cell grid, and PNG data URIs to inline
// them in the page.
#pragma once

#include <string>

#include "gcam/core/image.hpp"
#include "gcam/core/tensor.hpp"
#include "gcam/render/figure.hpp"

namespace gcam::report {

// Plane (n, k) of an (N, K, h, w) tensor as an (h, w) tensor.
Tensor plane(const Tensor& maps, int n, int k);

// Smallest and largest value of a tensor.
struct Range {
  double low = 0, high = 0;
};
Range value_range(const Tensor& t);

// An (h, w) map drawn on `scale`: values outside [low, high] are clamped.
Image draw_map(const Tensor& map, const ColourScale& scale);

// The colour scale for a map that may be signed: diverging around 0 with
// bound max |v| if it has negative values, else `sequential` from 0 to its
// maximum (1 for an all-zero map).
ColourScale scale_for(const Range& range, Colormap sequential);

// Nearest-neighbour zoom so that the longer side is about `target` pixels
// (at least 1×).
Image zoom_to(const Image& image, int target);

// The picture with a grey line between its cells, `cell` pixels apart (the
// h × w grid of a map drawn before upsampling).
Image with_grid(Image image, int cell);

// An <img> element holding `image` as an inline PNG (data URI).
std::string img_tag(const Image& image, const std::string& alt);

}  // namespace gcam::report

// The report's raster pictures (pictures.hpp).
#include "pictures.hpp"

#include <algorithm>
#include <cmath>

#include "gcam/io/image_codec.hpp"
#include "gcam/io/web_text.hpp"

namespace gcam::report {

Tensor plane(const Tensor& maps, int n, int k) {
  const int h = maps.dim(2), w = maps.dim(3);
  Tensor out({h, w});
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j) out.at(i, j) = maps.at(n, k, i, j);
  return out;
}

Range value_range(const Tensor& t) {
  Range r{double(t[0]), double(t[0])};
  for (std::size_t e = 0; e < t.size(); ++e)
    r.low = std::min(r.low, double(t[e])), r.high = std::max(r.high, double(t[e]));
  return r;
}

ColourScale scale_for(const Range& range, Colormap sequential) {
  if (range.low < 0) {
    const double bound = std::max(-range.low, range.high);
    return {Colormap::Diverging, -bound, bound};
  }
  return {sequential, 0.0, range.high > 0 ? range.high : 1.0};
}

Image draw_map(const Tensor& map, const ColourScale& scale) {
  Tensor unit = map;
  for (std::size_t e = 0; e < unit.size(); ++e)
    unit[e] = Scalar((double(map[e]) - scale.low) / (scale.high - scale.low));
  return colorize(unit, scale.map);
}

Image zoom_to(const Image& image, int target) {
  return upscale_nearest(image, std::max(1, target / std::max(image.width, image.height)));
}

Image with_grid(Image image, int cell) {
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      if ((x % cell == 0 && x > 0) || (y % cell == 0 && y > 0))
        for (int c = 0; c < 3; ++c) image.at(y, x, c) = 160;
  return image;
}

std::string img_tag(const Image& image, const std::string& alt) {
  // Shown at twice its size when that still fits the page, so that the 5 × 7
  // font stays legible; the page's CSS keeps the pixels sharp.
  const int shown = image.width <= 540 ? 2 : 1;
  return "<img alt=\"" + escape_html(alt) + "\" width=\"" + std::to_string(shown * image.width) + "\" height=\"" +
         std::to_string(shown * image.height) + "\" src=\"" + png_data_uri(encode_png(image)) + "\">";
}

}  // namespace gcam::report

#include "gcam/render/heatmap.hpp"

#include <algorithm>
#include <cmath>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"

namespace gcam {

namespace {

double clamp01(double t) { return std::isnan(t) ? 0.0 : std::min(1.0, std::max(0.0, t)); }

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::lround(255.0 * clamp01(v))); }

// Jet: each channel is a tent of height 1.5 clipped to [0, 1], centred at
// t = 3/4 (red), 1/2 (green) and 1/4 (blue).
Rgb jet(double t) {
  return {to_byte(1.5 - std::fabs(4 * t - 3)), to_byte(1.5 - std::fabs(4 * t - 2)),
          to_byte(1.5 - std::fabs(4 * t - 1))};
}

// Viridis, linearly interpolated between nine of its colours (t = 0, 1/8, …, 1).
Rgb viridis(double t) {
  static constexpr std::uint8_t anchors[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},
                                                 {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
                                                 {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
  const double x = t * 8;
  const int i = std::min(7, static_cast<int>(x));
  const double f = x - i;
  auto mix = [&](int c) {
    return static_cast<std::uint8_t>(std::lround((1 - f) * anchors[i][c] + f * anchors[i + 1][c]));
  };
  return {mix(0), mix(1), mix(2)};
}

// Diverging: linear from a blue end through white to a red end.
Rgb diverging(double t) {
  static constexpr double blue[3] = {33, 102, 172}, white[3] = {255, 255, 255}, red[3] = {178, 24, 43};
  const bool upper = t > 0.5;
  const double f = upper ? 2 * t - 1 : 2 * t;  // 0 at the near end of the half, 1 at the far end
  const double* from = upper ? white : blue;
  const double* to = upper ? red : white;
  auto mix = [&](int c) { return static_cast<std::uint8_t>(std::lround((1 - f) * from[c] + f * to[c])); };
  return {mix(0), mix(1), mix(2)};
}

// Height and width of a map given as (H, W), (1, H, W) or (1, 1, H, W).
std::pair<int, int> map_size(const Tensor& heat) {
  const Shape& s = heat.shape();
  const bool ok = s.size() >= 2 && s.size() <= 4 && numel(s) == std::size_t(s[s.size() - 2]) * std::size_t(s.back());
  if (!ok) throw ShapeError("heatmap: expected a single (H, W) map, got " + shape_string(s));
  return {heat.dim(-2), heat.dim(-1)};
}

}  // namespace

Colormap colormap_by_name(const std::string& name) {
  if (name == "jet") return Colormap::Jet;
  if (name == "viridis") return Colormap::Viridis;
  if (name == "diverging") return Colormap::Diverging;
  throw UnknownName(unknown_name_message("colormap", name, {"jet", "viridis", "diverging"}));
}

Rgb colormap_color(Colormap map, double t) {
  t = clamp01(t);
  if (map == Colormap::Diverging) return diverging(t);
  return map == Colormap::Jet ? jet(t) : viridis(t);
}

double symmetric_bound(const Tensor& map) {
  double bound = 0;
  for (std::size_t e = 0; e < map.size(); ++e) bound = std::max(bound, std::fabs(double(map[e])));
  return bound > 0 ? bound : 1.0;
}

Tensor signed_to_unit(const Tensor& map, double bound) {
  if (!(bound > 0)) throw std::invalid_argument("signed_to_unit: the bound must be positive");
  Tensor unit = map;
  for (std::size_t e = 0; e < unit.size(); ++e) unit[e] = Scalar(0.5 + 0.5 * double(map[e]) / bound);
  return unit;
}

Image colorize_signed(const Tensor& map, double bound) {
  return colorize(signed_to_unit(map, bound), Colormap::Diverging);
}

Image colorize(const Tensor& heat, Colormap map) {
  const auto [h, w] = map_size(heat);
  Image out{w, h, 3, std::vector<std::uint8_t>(std::size_t(w) * std::size_t(h) * 3)};
  for (std::size_t e = 0; e < heat.size(); ++e) {
    const Rgb c = colormap_color(map, heat[e]);
    out.pixels[3 * e] = c.r, out.pixels[3 * e + 1] = c.g, out.pixels[3 * e + 2] = c.b;
  }
  return out;
}

Image overlay(const Image& image, const Tensor& heat, Colormap map, double opacity) {
  const auto [h, w] = map_size(heat);
  if (image.width != w || image.height != h)
    throw ShapeError("overlay: image is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                     " but the map is " + std::to_string(w) + "x" + std::to_string(h));
  const Image colour = colorize(heat, map);
  const bool gray = image.channels < 3;
  Image out{w, h, 3, std::vector<std::uint8_t>(colour.pixels.size())};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        const double base = image.at(y, x, gray ? 0 : c);
        out.at(y, x, c) = static_cast<std::uint8_t>(std::lround((1 - opacity) * base + opacity * colour.at(y, x, c)));
      }
  return out;
}

Image upscale_nearest(const Image& image, int factor) {
  if (factor < 1) throw std::invalid_argument("upscale_nearest: factor must be >= 1");
  Image out{image.width * factor, image.height * factor, image.channels, {}};
  out.pixels.resize(std::size_t(out.width) * std::size_t(out.height) * std::size_t(out.channels));
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < image.channels; ++c) out.at(y, x, c) = image.at(y / factor, x / factor, c);
  return out;
}

}  // namespace gcam

#include "gcam/render/heatmap.hpp"

#include <algorithm>
#include <cmath>

#include "gcam/core/error.hpp"

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
  throw UnknownName("unknown colormap '" + name + "'; colormaps are: jet, viridis");
}

Rgb colormap_color(Colormap map, double t) {
  t = clamp01(t);
  return map == Colormap::Jet ? jet(t) : viridis(t);
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

Image montage(const std::vector<Image>& tiles, int columns, int gap) {
  if (tiles.empty() || columns < 1) throw std::invalid_argument("montage: needs at least one tile and one column");
  const int tw = tiles[0].width, th = tiles[0].height;
  const int rows = (static_cast<int>(tiles.size()) + columns - 1) / columns;
  Image out{columns * tw + (columns + 1) * gap, rows * th + (rows + 1) * gap, 3, {}};
  out.pixels.assign(std::size_t(out.width) * std::size_t(out.height) * 3, 255);
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    const Image& tile = tiles[t];
    if (tile.width != tw || tile.height != th || tile.channels != 3)
      throw ShapeError("montage: every tile must be an RGB image of " + std::to_string(tw) + "x" + std::to_string(th));
    const int x0 = gap + int(t % std::size_t(columns)) * (tw + gap),
              y0 = gap + int(t / std::size_t(columns)) * (th + gap);
    for (int y = 0; y < th; ++y)
      for (int x = 0; x < tw; ++x)
        for (int c = 0; c < 3; ++c) out.at(y0 + y, x0 + x, c) = tile.at(y, x, c);
  }
  return out;
}

}  // namespace gcam

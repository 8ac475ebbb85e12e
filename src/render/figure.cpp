// Labelled pictures (include/gcam/render/figure.hpp).
#include "gcam/render/figure.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/render/font.hpp"

namespace gcam {

namespace {

constexpr Rgb kInk{0, 0, 0};
constexpr int kBarThickness = 10;

Image white_canvas(int width, int height) {
  return Image{width, height, 3, std::vector<std::uint8_t>(std::size_t(width) * std::size_t(height) * 3, 255)};
}

void paste(Image& canvas, const Image& picture, int x0, int y0) {
  for (int y = 0; y < picture.height; ++y)
    for (int x = 0; x < picture.width; ++x)
      for (int c = 0; c < 3; ++c) canvas.at(y0 + y, x0 + x, c) = picture.at(y, x, c);
}

// Text centred on x = centre, clipped at the left edge.
void draw_centred(Image& image, int centre, int y, const std::string& text) {
  draw_text(image, std::max(0, centre - text_width(text) / 2), y, text, kInk);
}

}  // namespace

std::string short_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

Image titled_montage(const std::vector<Image>& tiles, const std::vector<std::string>& titles, int columns, int gap) {
  if (tiles.empty() || columns < 1)
    throw std::invalid_argument("titled_montage: needs at least one tile and one column");
  if (!titles.empty() && titles.size() != tiles.size())
    throw std::invalid_argument("titled_montage: " + std::to_string(titles.size()) + " titles for " +
                                std::to_string(tiles.size()) + " tiles");
  const int tw = tiles[0].width, th = tiles[0].height;
  const int band = titles.empty() ? 0 : kTitleBand;
  const int rows = (int(tiles.size()) + columns - 1) / columns;
  Image out = white_canvas(columns * tw + (columns + 1) * gap, rows * (band + th) + (rows + 1) * gap);
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    if (tiles[t].width != tw || tiles[t].height != th || tiles[t].channels != 3)
      throw ShapeError("titled_montage: every tile must be an RGB image of " + std::to_string(tw) + "x" +
                       std::to_string(th));
    const int x0 = gap + int(t % std::size_t(columns)) * (tw + gap);
    const int y0 = gap + int(t / std::size_t(columns)) * (band + th + gap);
    if (band) draw_centred(out, x0 + tw / 2, y0, fit_text(titles[t], tw));
    paste(out, tiles[t], x0, y0 + band);
  }
  return out;
}

Image montage(const std::vector<Image>& tiles, int columns, int gap) { return titled_montage(tiles, {}, columns, gap); }

MapColours map_colours(const Tensor& map, bool signed_map, Colormap colours) {
  if (signed_map) {
    const double bound = symmetric_bound(map);
    return {signed_to_unit(map, bound), {colours, -bound, bound}};
  }
  const double low = *std::min_element(map.data(), map.data() + map.size());
  const double high = std::max(low + 1e-12, double(*std::max_element(map.data(), map.data() + map.size())));
  Tensor heat(map.shape());
  for (std::size_t e = 0; e < map.size(); ++e) heat[e] = Scalar((double(map[e]) - low) / (high - low));
  return {heat, {colours, low, high}};
}

Image colour_bar(const ColourScale& scale, int length, const std::string& caption) {
  if (length < 2) throw std::invalid_argument("colour_bar: length must be at least 2 pixels");
  if (!(scale.high > scale.low)) throw std::invalid_argument("colour_bar: high must exceed low");
  const std::string low = short_number(scale.low), high = short_number(scale.high);
  const int margin = std::max(text_width(low), text_width(high)) / 2 + 1;  // room for the end labels
  Image out = white_canvas(std::max(length + 2 * margin, text_width(caption)), 2 * kLineHeight + kBarThickness + 2);
  draw_text(out, 0, 0, caption, kInk);
  const int bar_top = kLineHeight;
  for (int x = 0; x < length; ++x) {
    const Rgb c = colormap_color(scale.map, double(x) / double(length - 1));
    for (int y = 0; y < kBarThickness; ++y)
      out.at(bar_top + y, margin + x, 0) = c.r, out.at(bar_top + y, margin + x, 1) = c.g,
                                      out.at(bar_top + y, margin + x, 2) = c.b;
  }
  const int labels = bar_top + kBarThickness + 2;
  draw_centred(out, margin, labels, low);
  draw_centred(out, margin + length - 1, labels, high);
  if (scale.map == Colormap::Diverging && scale.low < 0 && scale.high > 0)
    draw_centred(out, margin + int((length - 1) * -scale.low / (scale.high - scale.low)), labels, "0");
  return out;
}

Image stack_vertically(const Image& top, const Image& bottom, int gap) {
  if (top.channels != 3 || bottom.channels != 3) throw std::invalid_argument("stack_vertically: needs RGB images");
  Image out = white_canvas(std::max(top.width, bottom.width), top.height + gap + bottom.height);
  paste(out, top, 0, 0);
  paste(out, bottom, 0, top.height + gap);
  return out;
}

}  // namespace gcam

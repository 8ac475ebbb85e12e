// figure.hpp — labelled pictures: montages with column titles and colour bars
// that state what a colour means, drawn with the project's bitmap font
// (font.hpp).
//
// Layout of titled_montage (all in pixels; g = gap, tw × th = tile size,
// T = kTitleBand):
//
//   g | title 0 | g | title 1 | g ...    title: centred over its tile, in black,
//   g |  tile 0 | g |  tile 1 | g ...    its top at the top of the cell
//   g (then the next row of cells)       cell (r, c) starts at x = g + c·(tw + g),
//                                        y = g + r·(T + th + g); its tile at y + T
#pragma once

#include <string>
#include <vector>

#include "gcam/core/image.hpp"
#include "gcam/render/font.hpp"
#include "gcam/render/heatmap.hpp"

namespace gcam {

// Height of the band above each tile that holds its title: one line of text
// plus a blank row.
constexpr int kTitleBand = kLineHeight + 1;

// What a colour stands for: `map` spans the values [low, high] (for the
// diverging map, low = −bound and high = +bound so that 0 is white).
struct ColourScale {
  Colormap map = Colormap::Jet;
  double low = 0;
  double high = 1;
};

// How an explanation map (H, W) is coloured, so that every picture of the
// project draws it the same way: a signed map around 0 (heat = ½ + ½·v/b with
// b = max|v|: 0 in the middle of the colour map, the diverging convention),
// any other from its minimum to its maximum. `heat` lies in [0, 1] for
// overlay(); `scale` says what the ends of `colours` stand for (colour_bar).
struct MapColours {
  Tensor heat;
  ColourScale scale;
};
MapColours map_colours(const Tensor& map, bool signed_map, Colormap colours);

// Tiles (RGB, all the same size) in a grid of `columns`, each with its title
// above it (shortened with ".." to the tile's width). `titles` is empty or
// has one entry per tile. Background white, text black.
Image titled_montage(const std::vector<Image>& tiles, const std::vector<std::string>& titles, int columns, int gap = 2);

// The same grid without titles.
Image montage(const std::vector<Image>& tiles, int columns, int gap = 2);

// A horizontal colour bar `length` pixels long: the caption above it, the
// bar (the colour map from low at the left to high at the right), and below
// it the values at both ends — and 0 in the middle of a diverging scale —
// printed with 3 significant digits.
Image colour_bar(const ColourScale& scale, int length, const std::string& caption);

// `top` above `bottom`, left-aligned, `gap` white rows between, on a white
// canvas as wide as the wider one. Both RGB.
Image stack_vertically(const Image& top, const Image& bottom, int gap = 4);

// A number as the pictures print it: 3 significant digits ("0.473", "-1.2e-05").
std::string short_number(double value);

}  // namespace gcam

// font.hpp — a small bitmap font, so that pictures can carry their own titles,
// class names and colour-bar labels (stb has no text rendering, and no other
// dependency is allowed).
//
// Every glyph is 5 × 7 pixels drawn in a 6 × 9 cell (one blank column to the
// right, two blank rows below). It covers printable ASCII (32–126) and three
// symbols of the theory: α (U+03B1), Σ (U+03A3) and ∂ (U+2202). Text is
// UTF-8; any other character is drawn as '?'.
#pragma once

#include <string>
#include <vector>

#include "gcam/core/image.hpp"
#include "gcam/render/heatmap.hpp"

namespace gcam {

constexpr int kGlyphWidth = 5;   // pixels of ink per glyph, across
constexpr int kGlyphHeight = 7;  // and down
constexpr int kCellWidth = 6;    // horizontal advance per character
constexpr int kLineHeight = 9;   // vertical advance per line

// Whether the glyph of code point `code` has ink at (row, col), row 0 at the
// top, col 0 at the left; false outside the 5 × 7 box.
bool glyph_pixel(char32_t code, int row, int col);

// `text` decoded from UTF-8 into code points (an invalid byte becomes '?').
std::vector<char32_t> decode_utf8(const std::string& text);

// Width in pixels of `text` drawn at `scale` (each font pixel a scale × scale
// square): characters × kCellWidth × scale.
int text_width(const std::string& text, int scale = 1);

// Draws `text` with its top-left corner at (x, y) in `colour` onto an RGB
// image; ink outside the image is clipped. Only ink pixels are written.
void draw_text(Image& image, int x, int y, const std::string& text, Rgb colour, int scale = 1);

// `text` shortened with ".." so that it is at most `max_width` pixels wide at `scale`.
std::string fit_text(const std::string& text, int max_width, int scale = 1);

}  // namespace gcam

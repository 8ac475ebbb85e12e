// Colour maps, overlay and montage, pixel by pixel against values worked out
// by hand from their definitions (src/render/), with no trained model.
#include <catch2/catch.hpp>

#include <cmath>

#include "gcam/core/image.hpp"
#include "gcam/render/figure.hpp"
#include "gcam/render/heatmap.hpp"

using namespace gcam;

namespace {

void check_rgb(const Rgb& c, int r, int g, int b) {
  CHECK(int(c.r) == r);
  CHECK(int(c.g) == g);
  CHECK(int(c.b) == b);
}

Image gray_image(int w, int h, std::uint8_t value) {
  return Image{w, h, 1, std::vector<std::uint8_t>(std::size_t(w) * std::size_t(h), value)};
}

}  // namespace

TEST_CASE("jet: tents of height 1.5 centred at 1/4 (blue), 1/2 (green), 3/4 (red)", "[render]") {
  // t = 0: blue = 1.5 − |0 − 1| = 0.5 → round(127.5) = 128; red and green clip to 0.
  check_rgb(colormap_color(Colormap::Jet, 0), 0, 0, 128);
  // t = 1: red = 1.5 − |4 − 3| = 0.5 → 128.
  check_rgb(colormap_color(Colormap::Jet, 1), 128, 0, 0);
  // t = 1/2: green = 1.5 clipped to 1 → 255; red = blue = 0.5 → 128.
  check_rgb(colormap_color(Colormap::Jet, 0.5), 128, 255, 128);
  // Outside [0, 1] and NaN are clamped (NaN counts as 0).
  check_rgb(colormap_color(Colormap::Jet, -3), 0, 0, 128);
  check_rgb(colormap_color(Colormap::Jet, 7), 128, 0, 0);
  check_rgb(colormap_color(Colormap::Jet, std::nan("")), 0, 0, 128);
}

TEST_CASE("viridis: its first and last anchor colours at 0 and 1", "[render]") {
  check_rgb(colormap_color(Colormap::Viridis, 0), 68, 1, 84);
  check_rgb(colormap_color(Colormap::Viridis, 1), 253, 231, 37);
  // Half-way between the anchors at 4/8 (33, 144, 141) and 5/8 (39, 173, 129).
  check_rgb(colormap_color(Colormap::Viridis, 9.0 / 16), 36, 159, 135);
}

TEST_CASE("overlay: (1 − opacity)·image + opacity·colour, per channel", "[render]") {
  const Image image = gray_image(2, 1, 100);
  const Tensor heat({1, 2}, {1, 0});  // jet(1) = (128, 0, 0), jet(0) = (0, 0, 128)
  const Image out = overlay(image, heat, Colormap::Jet, 0.25);
  REQUIRE(out.channels == 3);
  // Pixel 0: 0.75·100 + 0.25·(128, 0, 0) = (107, 75, 75).
  CHECK(int(out.at(0, 0, 0)) == 107);
  CHECK(int(out.at(0, 0, 1)) == 75);
  CHECK(int(out.at(0, 0, 2)) == 75);
  // Pixel 1: 0.75·100 + 0.25·(0, 0, 128) = (75, 75, 107).
  CHECK(int(out.at(0, 1, 0)) == 75);
  CHECK(int(out.at(0, 1, 2)) == 107);
  // Opacity 0 keeps the image, opacity 1 shows the colour alone.
  CHECK(int(overlay(image, heat, Colormap::Jet, 0).at(0, 0, 0)) == 100);
  CHECK(int(overlay(image, heat, Colormap::Jet, 1).at(0, 0, 0)) == 128);
  CHECK_THROWS(overlay(gray_image(3, 1, 0), heat, Colormap::Jet, 0.5));  // sizes differ
}

TEST_CASE("montage: tiles in a grid with white gaps", "[render]") {
  const Image red{1, 1, 3, {255, 0, 0}}, blue{1, 1, 3, {0, 0, 255}}, green{1, 1, 3, {0, 255, 0}};
  const Image m = montage({red, blue, green}, 2, 1);
  // 2 columns and 2 rows of 1×1 tiles with 1-pixel gaps around: 5 × 5.
  REQUIRE(m.width == 5);
  REQUIRE(m.height == 5);
  CHECK(int(m.at(1, 1, 0)) == 255);  // red at row 0, column 0
  CHECK(int(m.at(1, 3, 2)) == 255);  // blue at row 0, column 1
  CHECK(int(m.at(3, 1, 1)) == 255);  // green at row 1, column 0
  CHECK(int(m.at(3, 3, 1)) == 255);  // the empty cell stays white
  CHECK(int(m.at(0, 0, 0)) == 255);
  CHECK(int(m.at(1, 2, 1)) == 255);  // the gap between red and blue is white
  CHECK(int(m.at(1, 1, 1)) == 0);
}

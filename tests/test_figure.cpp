// The diverging colour map, the bitmap font, labelled montages and colour
// bars, pixel by pixel against the layouts their headers state
// (include/gcam/render/font.hpp, figure.hpp), and "did you mean" suggestions.
#include <catch2/catch.hpp>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/core/tensor.hpp"
#include "gcam/render/figure.hpp"
#include "gcam/render/font.hpp"
#include "gcam/render/heatmap.hpp"

using namespace gcam;

namespace {

bool is_colour(const Image& image, int y, int x, int r, int g, int b) {
  return image.at(y, x, 0) == r && image.at(y, x, 1) == g && image.at(y, x, 2) == b;
}

Image solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  Image image{w, h, 3, std::vector<std::uint8_t>(std::size_t(w) * std::size_t(h) * 3)};
  for (std::size_t p = 0; p < image.pixels.size(); p += 3)
    image.pixels[p] = r, image.pixels[p + 1] = g, image.pixels[p + 2] = b;
  return image;
}

}  // namespace

TEST_CASE("diverging map: 0 is white, +bound its red end, -bound its blue end, halfway halfway", "[render]") {
  const Tensor map({1, 5}, {0.0, 2.0, -2.0, 1.0, -4.0});
  const double bound = symmetric_bound(map);
  CHECK(bound == 4.0);
  const Image image = colorize_signed(map, bound);
  CHECK(is_colour(image, 0, 0, 255, 255, 255));  // v = 0 → t = ½ → white
  CHECK(is_colour(image, 0, 4, 33, 102, 172));   // v = −bound → t = 0 → the blue end
  // v = 2 = bound/2 → t = ¾: halfway from white to red (178, 24, 43).
  CHECK(is_colour(image, 0, 1, 217, 140, 149));
  // v = −2 → t = ¼: halfway from blue to white.
  CHECK(is_colour(image, 0, 2, 144, 179, 214));
  const Image ends = colorize_signed(Tensor({1, 2}, {4.0, 9.0}), 4.0);
  CHECK(is_colour(ends, 0, 0, 178, 24, 43));      // +bound → the red end
  CHECK(is_colour(ends, 0, 1, 178, 24, 43));      // beyond the bound: clamped
  CHECK(symmetric_bound(Tensor({2, 2})) == 1.0);  // an all-zero map draws white, no division by zero
  CHECK(colormap_by_name("diverging") == Colormap::Diverging);
}

TEST_CASE("map colours: a signed map around 0 on ±max|v|, any other from its minimum to its maximum", "[render]") {
  const Tensor map({1, 3}, {-2, 1, 0});
  const MapColours around_zero = map_colours(map, /*signed_map=*/true, Colormap::Diverging);
  CHECK(around_zero.scale.low == Approx(-2));
  CHECK(around_zero.scale.high == Approx(2));
  CHECK(around_zero.heat[0] == Approx(0));     // −bound: the blue end
  CHECK(around_zero.heat[1] == Approx(0.75));  // ½ + ½·1/2
  CHECK(around_zero.heat[2] == Approx(0.5));   // 0: the middle (white)
  const MapColours min_max = map_colours(Tensor({1, 3}, {1, 3, 2}), /*signed_map=*/false, Colormap::Jet);
  CHECK(min_max.scale.low == Approx(1));
  CHECK(min_max.scale.high == Approx(3));
  CHECK(min_max.heat[0] == Approx(0));
  CHECK(min_max.heat[1] == Approx(1));
  CHECK(min_max.heat[2] == Approx(0.5));
  CHECK(min_max.scale.map == Colormap::Jet);
}

TEST_CASE("font: the glyph 'A' and 'α' draw their known pixels and nothing else", "[render]") {
  // 'A' is .###. / #...# / #...# / ##### / #...# / #...# / #...#
  const char* rows_A[7] = {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"};
  Image image = solid(8, 9, 255, 255, 255);
  draw_text(image, 1, 1, "A", Rgb{10, 20, 30});
  for (int y = 0; y < 9; ++y)
    for (int x = 0; x < 8; ++x) {
      const bool ink = y >= 1 && y < 8 && x >= 1 && x < 6 && rows_A[y - 1][x - 1] == '#';
      INFO("pixel (" << y << ", " << x << ")");
      CHECK(is_colour(image, y, x, ink ? 10 : 255, ink ? 20 : 255, ink ? 30 : 255));
    }
  const char* rows_alpha[7] = {".....", ".....", ".##.#", "#..#.", "#..#.", "#..#.", ".##.#"};
  for (int row = 0; row < 7; ++row)
    for (int col = 0; col < 5; ++col) CHECK(glyph_pixel(U'α', row, col) == (rows_alpha[row][col] == '#'));
  CHECK(decode_utf8("aα∂") == std::vector<char32_t>{U'a', U'α', U'∂'});
  CHECK(text_width("αk = 1") == 6 * kCellWidth);
  CHECK(fit_text("T-shirt/top", 7 * kCellWidth) == "T-shi..");  // 5 characters and ".." fill the 7 cells
  CHECK(fit_text("ααααα", 4 * kCellWidth) == "αα..");
}

TEST_CASE("titled montage: each title centred in the band above its tile, tiles where the layout says", "[render]") {
  const Image red = solid(20, 10, 255, 0, 0), blue = solid(20, 10, 0, 0, 255);
  const int gap = 3;
  const Image m = titled_montage({red, blue}, {"A", "I"}, 2, gap);
  CHECK(m.width == 2 * 20 + 3 * gap);
  CHECK(m.height == kTitleBand + 10 + 2 * gap);
  // Tile 1 starts at x = gap + 20 + gap = 26, its title band at y = gap, the tile at y = gap + kTitleBand.
  CHECK(is_colour(m, gap + kTitleBand, 26, 0, 0, 255));
  CHECK(is_colour(m, gap + kTitleBand - 1, 26, 255, 255, 255));
  CHECK(is_colour(m, gap + kTitleBand, gap, 255, 0, 0));
  // "A" (6 px wide) is centred over tile 0: x = gap + 10 − 3 = 10; its top row .###. inks x = 11..13 at y = gap.
  CHECK(is_colour(m, gap, 10, 255, 255, 255));
  for (int x = 11; x <= 13; ++x) CHECK(is_colour(m, gap, x, 0, 0, 0));
  // "I" over tile 1: x = 26 + 10 − 3 = 33; .###. → x = 34..36.
  for (int x = 34; x <= 36; ++x) CHECK(is_colour(m, gap, x, 0, 0, 0));
  CHECK_THROWS_WITH(titled_montage({red, blue}, {"one"}, 2), Catch::Contains("1 titles for 2 tiles"));
}

TEST_CASE("colour bar: the colour map from low to high, with its end values printed", "[render]") {
  const Image bar = colour_bar({Colormap::Diverging, -2.0, 2.0}, 101, "signed");
  // The bar row starts below one line of caption; its middle column is white (value 0).
  const int margin = text_width("-2") / 2 + 1, row = kLineHeight + 5;
  CHECK(is_colour(bar, row, margin, 33, 102, 172));
  CHECK(is_colour(bar, row, margin + 50, 255, 255, 255));
  CHECK(is_colour(bar, row, margin + 100, 178, 24, 43));
  // The caption's 's' has ink in the first line.
  bool caption_ink = false;
  for (int y = 0; y < kLineHeight; ++y)
    for (int x = 0; x < kCellWidth; ++x) caption_ink |= is_colour(bar, y, x, 0, 0, 0);
  CHECK(caption_ink);
  CHECK(short_number(0.47312) == "0.473");
  CHECK_THROWS(colour_bar({Colormap::Jet, 1.0, 1.0}, 10, ""));
}

TEST_CASE("unknown names: the closest valid name is suggested", "[errors]") {
  CHECK(edit_distance("gradcam", "gradcam++") == 2);
  CHECK(edit_distance("Sneaker", "sneaker") == 0);
  CHECK(closest_name("gradcan", {"cam", "gradcam", "gradcam++"}) == "gradcam");
  CHECK(closest_name("zzzz", {"cam", "gradcam"}).empty());
  CHECK(unknown_name_message("method", "scorcam", {"scorecam", "eigencam"}) ==
        "unknown method 'scorcam'; did you mean 'scorecam'? methods are: scorecam, eigencam");
  CHECK_THROWS_WITH(colormap_by_name("viridius"), Catch::Contains("did you mean 'viridis'?"));
}

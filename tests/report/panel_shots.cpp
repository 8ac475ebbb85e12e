// panel_shots — checks a screenshot of a Grad-CAM report (make report-check)
// and cuts it into one picture per panel.
//
//   panel_shots <screenshot.png> <panels expected> [<prefix>]
//
// Every panel of the page starts with a full-width grey rule (the CSS of
// src/report/report_page.cpp: border-top 2px #ccc). A blank page has none;
// a page cut short has fewer than expected, or content in its last rows (the
// page went on below the screenshot). Each panel must also hold something
// beyond its rule. With <prefix>, panel n is written to <prefix>-<n>.png
// (its rows, trimmed of the white margins on the right and below). Exit 1 on a failure,
// with the reason.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gcam/io/image_codec.hpp"

using gcam::Image;

namespace {

bool grey_rule_pixel(const Image& s, int y, int x) {
  return s.at(y, x, 0) == 204 && s.at(y, x, 1) == 204 && s.at(y, x, 2) == 204;
}

bool white(const Image& s, int y, int x) { return s.at(y, x, 0) > 250 && s.at(y, x, 1) > 250 && s.at(y, x, 2) > 250; }

// Rows where a grey rule spans at least half the width (the first row of each 2-px rule).
std::vector<int> panel_starts(const Image& s) {
  std::vector<int> starts;
  for (int y = 0; y < s.height; ++y) {
    int run = 0, longest = 0;
    for (int x = 0; x < s.width; ++x) run = grey_rule_pixel(s, y, x) ? run + 1 : 0, longest = std::max(longest, run);
    if (longest >= s.width / 2 && (starts.empty() || y > starts.back() + 2)) starts.push_back(y);
  }
  return starts;
}

int ink_pixels(const Image& s, int top, int bottom) {
  int ink = 0;
  for (int y = top; y < bottom; ++y)
    for (int x = 0; x < s.width; ++x) ink += !white(s, y, x) && !grey_rule_pixel(s, y, x);
  return ink;
}

Image crop(const Image& s, int top, int bottom) {
  int right = 1, last = top + 1;
  for (int y = top; y < bottom; ++y)
    for (int x = 0; x < s.width; ++x)
      if (!white(s, y, x)) right = std::max(right, x + 1), last = y + 1;
  Image out{std::min(s.width, right + 8), std::min(bottom, last + 8) - top, 3, {}};
  out.pixels.resize(std::size_t(out.width) * std::size_t(out.height) * 3);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < 3; ++c) out.at(y, x, c) = s.at(top + y, x, c);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: panel_shots <screenshot.png> <panels expected> [<prefix>]\n"), 2;
  const Image shot = gcam::load_image(argv[1]);
  if (shot.channels < 3) return std::fprintf(stderr, "panel_shots: %s is not an RGB screenshot\n", argv[1]), 1;
  const int expected = std::atoi(argv[2]);
  const std::vector<int> starts = panel_starts(shot);
  if (int(starts.size()) != expected)
    return std::fprintf(stderr, "report-check: %zu panels rendered, %d expected: the page is blank or cut short\n",
                        starts.size(), expected),
           1;
  if (ink_pixels(shot, shot.height - 40, shot.height) > 0)
    return std::fprintf(stderr, "report-check: the page goes on below the %d-pixel screenshot\n", shot.height), 1;
  for (std::size_t p = 0; p < starts.size(); ++p) {
    const int bottom = p + 1 < starts.size() ? starts[p + 1] : shot.height - 40;
    const int ink = ink_pixels(shot, starts[p] + 2, bottom);
    if (ink < 2000)
      return std::fprintf(stderr, "report-check: panel %zu (rows %d-%d) is empty (%d ink pixels)\n", p + 1, starts[p],
                          bottom, ink),
             1;
    std::printf("panel %zu: rows %d-%d, %d ink pixels\n", p + 1, starts[p], bottom, ink);
    if (argc > 3)
      gcam::save_png(std::string(argv[3]) + "-" + std::to_string(p + 1) + ".png", crop(shot, starts[p], bottom));
  }
  return 0;
}

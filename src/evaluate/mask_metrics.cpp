#include "gcam/evaluate/mask_metrics.hpp"

#include <algorithm>
#include <cmath>

#include "gcam/core/error.hpp"

namespace gcam {

bool pointing_game_hit(const Tensor& map, const std::uint8_t* mask, int tolerance) {
  if (map.empty()) return false;
  if (map.rank() < 2) throw ShapeError("pointing_game_hit: map must end in (H, W), got " + shape_string(map.shape()));
  const int H = map.dim(-2), W = map.dim(-1);
  const auto peak = std::max_element(map.data(), map.data() + map.size()) - map.data();
  const int py = int(peak / W), px = int(peak % W);
  for (int y = std::max(0, py - tolerance); y <= std::min(H - 1, py + tolerance); ++y)
    for (int x = std::max(0, px - tolerance); x <= std::min(W - 1, px + tolerance); ++x)
      if (mask[y * W + x]) return true;
  return false;
}

int pointing_game_tolerance(int size) { return static_cast<int>(std::lround(15.0 * size / 224.0)); }

double energy_inside(const Tensor& map, const std::uint8_t* mask) {
  double inside = 0, total = 0;
  for (std::size_t e = 0; e < map.size(); ++e) {
    total += map[e];
    if (mask[e]) inside += map[e];
  }
  return total > 0 ? inside / total : 0.0;
}

}  // namespace gcam

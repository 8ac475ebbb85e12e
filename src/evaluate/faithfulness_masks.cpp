// Metrics against a ground-truth mask: energy of the positive part and the IoU
// of the thresholded map (the pointing game is in src/evaluate/mask_metrics.cpp).
#include <algorithm>

#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

// E = Σ_{p∈mask} m⁺_p / Σ_p m⁺_p, m⁺ = max(m, 0).
double positive_energy_inside(const Tensor& map, const std::uint8_t* mask) {
  double inside = 0, total = 0;
  for (std::size_t p = 0; p < map.size(); ++p) {
    const double v = std::max(0.0, double(map[p]));
    total += v;
    if (mask[p]) inside += v;
  }
  return total > 0 ? inside / total : 0.0;
}

// B = {p : m_p ≥ fraction·max m} (empty if max m ≤ 0); IoU = |B ∩ mask| / |B ∪ mask|.
double threshold_iou(const Tensor& map, const std::uint8_t* mask, double fraction) {
  if (map.empty()) return 0;
  const double top = *std::max_element(map.data(), map.data() + map.size());
  const double cut = fraction * top;
  std::size_t both = 0, either = 0;
  for (std::size_t p = 0; p < map.size(); ++p) {
    const bool in_b = top > 0 && double(map[p]) >= cut;
    const bool in_m = mask[p] != 0;
    both += in_b && in_m;
    either += in_b || in_m;
  }
  return either == 0 ? 1.0 : double(both) / double(either);
}

}  // namespace gcam

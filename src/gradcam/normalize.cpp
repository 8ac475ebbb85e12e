// Grad-CAM step 4, after upsampling: each map scaled to [0, 1] for colouring.
#include <algorithm>

#include "gcam/core/error.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

Tensor normalize_to_unit(const Tensor& maps, std::vector<bool>* constant) {
  const int N = maps.dim(0);
  const std::size_t per_image = maps.size() / static_cast<std::size_t>(std::max(N, 1));
  Tensor out(maps.shape());
  if (constant) constant->assign(static_cast<std::size_t>(N), false);
  for (int n = 0; n < N; ++n) {
    const Scalar* m = maps.data() + static_cast<std::size_t>(n) * per_image;
    Scalar* o = out.data() + static_cast<std::size_t>(n) * per_image;
    const auto [lo, hi] = std::minmax_element(m, m + per_image);
    const Scalar range = *hi - *lo;
    if (!(range > 0)) {  // constant map: nothing stands out; leave zeros
      if (constant) (*constant)[static_cast<std::size_t>(n)] = true;
      continue;
    }
    for (std::size_t e = 0; e < per_image; ++e) o[e] = (m[e] - *lo) / range;
  }
  return out;
}

Tensor image_map(const Tensor& maps, int n) {
  const int H = maps.dim(2), W = maps.dim(3);
  if (maps.dim(1) != 1 || n < 0 || n >= maps.dim(0))
    throw ShapeError("image_map: no single-channel map " + std::to_string(n) + " in " + shape_string(maps.shape()));
  const Scalar* first = maps.data() + static_cast<std::size_t>(n) * static_cast<std::size_t>(H * W);
  return Tensor({H, W}, std::vector<Scalar>(first, first + H * W));
}

}  // namespace gcam

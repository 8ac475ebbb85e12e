// Grad-CAM step 4: bilinear upsampling with half-pixel centres (align_corners=False).
#include <algorithm>

#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

namespace {

// Where output index `i` (of `out` cells) samples an axis of `in` cells: the
// two neighbouring input cells and the weight of the second.
struct Sample {
  int lo, hi;
  Scalar t;
};

Sample sample_axis(int i, int in, int out) {
  // Centre of output cell i, in input coordinates; input cell k has centre k.
  Scalar src = (Scalar(i) + Scalar(0.5)) * Scalar(in) / Scalar(out) - Scalar(0.5);
  src = std::max(src, Scalar(0));  // clamp at the first centre (as PyTorch does)
  const int lo = std::min(static_cast<int>(src), in - 1);
  const int hi = std::min(lo + 1, in - 1);
  return {lo, hi, src - Scalar(lo)};
}

}  // namespace

Tensor upsample_bilinear(const Tensor& maps, int height, int width) {
  const int N = maps.dim(0), C = maps.dim(1), h = maps.dim(2), w = maps.dim(3);
  Tensor out({N, C, height, width});
  for (int i = 0; i < height; ++i) {
    const Sample r = sample_axis(i, h, height);
    for (int j = 0; j < width; ++j) {
      const Sample c = sample_axis(j, w, width);
      for (int n = 0; n < N; ++n)
        for (int k = 0; k < C; ++k) {
          const Scalar top = (1 - c.t) * maps.at(n, k, r.lo, c.lo) + c.t * maps.at(n, k, r.lo, c.hi);
          const Scalar bottom = (1 - c.t) * maps.at(n, k, r.hi, c.lo) + c.t * maps.at(n, k, r.hi, c.hi);
          out.at(n, k, i, j) = (1 - r.t) * top + r.t * bottom;
        }
    }
  }
  return out;
}

}  // namespace gcam

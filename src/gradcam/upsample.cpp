// Grad-CAM step 4: bilinear upsampling with half-pixel centres (align_corners=False).
#include "gcam/core/bilinear.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

// Course exercise ex12: with EXERCISES=ex12, src/exercises/ex12_upsample.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX12
Tensor upsample_bilinear(const Tensor& maps, int height, int width) {
  const int N = maps.dim(0), C = maps.dim(1), h = maps.dim(2), w = maps.dim(3);
  Tensor out({N, C, height, width});
  for (int i = 0; i < height; ++i) {
    const AxisSample<Scalar> r = bilinear_axis_sample<Scalar>(i, h, height);
    for (int j = 0; j < width; ++j) {
      const AxisSample<Scalar> c = bilinear_axis_sample<Scalar>(j, w, width);
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
#endif  // GCAM_EXERCISE_EX12

}  // namespace gcam

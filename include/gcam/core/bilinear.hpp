// bilinear.hpp — where bilinear resampling reads: shared by Grad-CAM's step 4
// (upsample_bilinear) and image resizing (resize_bilinear), so that a map and
// the image it is laid over are resampled by the same rule.
#pragma once

#include <algorithm>

namespace gcam {

// Output index `i` of an axis of `out` cells samples an axis of `in` cells at
// (i + ½)·in/out − ½ (half-pixel centres: PyTorch's align_corners=False),
// clamped at the first and last centre: between cells `lo` and `hi`, with
// weight `t` on `hi`. `Real` is the precision the caller computes in.
template <typename Real>
struct AxisSample {
  int lo, hi;
  Real t;
};

template <typename Real>
AxisSample<Real> bilinear_axis_sample(int i, int in, int out) {
  Real src = (Real(i) + Real(0.5)) * Real(in) / Real(out) - Real(0.5);
  src = std::max(src, Real(0));  // the border cell's outer half: clamp, as PyTorch does
  const int lo = std::min(static_cast<int>(src), in - 1);
  const int hi = std::min(lo + 1, in - 1);
  return {lo, hi, src - Real(lo)};
}

}  // namespace gcam

// Exercise ex12 — Grad-CAM step 4: bilinear upsampling with half-pixel centres
// (align_corners=False), include/gcam/gradcam/gradcam.hpp and docs/gradcam.md.
// See docs/exercises/ex12-upsample.md.
//
// Stub: stands in for the reference in src/gradcam/upsample.cpp (the block marked GCAM_EXERCISE_EX12 there)
// when the exercise is selected (make exercise N=12 does that). Write the body, then run that command.
#include <algorithm>

#include "gcam/gradcam/gradcam.hpp"
#include "not_implemented.hpp"

namespace gcam {

// Bilinear upsampling of (N, C, h, w) to (N, C, H, W) with half-pixel centres:
// output pixel (i, j) samples the input at ((i + ½)·h/H − ½, (j + ½)·w/W − ½),
// clamped at the border — PyTorch's interpolate(mode="bilinear", align_corners=False).
Tensor upsample_bilinear(const Tensor& maps, int height, int width) {
  // TODO(ex12): per output row, the two input rows around its sample point and the weight of
  // the second; the same per column; then interpolate along the columns and along the rows.
  not_implemented("ex12", "upsample_bilinear", "ex12-upsample.md", maps, height, width);
}

}  // namespace gcam

// Exercise ex05 — conv2d forward: equation (C1) of include/gcam/ops/conv2d.hpp.
// See docs/exercises/ex05-conv2d-forward.md.
//
// Stub: stands in for the reference in src/ops/conv2d.cpp (the block marked GCAM_EXERCISE_EX05 there)
// when the exercise is selected (make exercise N=5 does that). Write the body, then run that command.
#include "gcam/ops/conv2d.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (C1) y[n,o,i,j] = b[o] + Σ_c Σ_p Σ_q w[o,c,p,q] · x[n,c, i·s+p−pad, j·s+q−pad]
//      (terms whose x index falls outside the image are zero: zero padding)
// x (N, C, H, W), w (O, C, kH, kW), b (O)  →  y (N, O, OH, OW)
Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding) {
  // TODO(ex05): OH and OW from conv_output_size; then one output element at a time,
  // starting from the bias and skipping the x indices that fall into the padding.
  not_implemented("ex05", "conv2d_forward", "ex05-conv2d-forward.md", x, w, b, stride, padding);
}

}  // namespace gcam

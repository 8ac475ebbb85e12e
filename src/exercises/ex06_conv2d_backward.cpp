// Exercise ex06 — conv2d backward: equations (C2)–(C4) of include/gcam/ops/conv2d.hpp.
// See docs/exercises/ex06-conv2d-backward.md.
//
// Stub: stands in for the reference in src/ops/conv2d.cpp (the block marked GCAM_EXERCISE_EX06 there)
// when the exercise is selected (make exercise N=6 does that). Write the body, then run that command.
#include "gcam/ops/conv2d.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (C2) dx[n,c,i·s+p−pad, j·s+q−pad] += Σ_o w[o,c,p,q] · dy[n,o,i,j]
// (C3) dw[o,c,p,q] += Σ_n Σ_i Σ_j dy[n,o,i,j] · x[n,c, i·s+p−pad, j·s+q−pad]
// (C4) db[o]       += Σ_n Σ_i Σ_j dy[n,o,i,j]
// x (N, C, H, W), w (O, C, kH, kW), dy (N, O, OH, OW); ADD into dx, dw and db.
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db) {
  // TODO(ex06): the forward multiplied w[o,c,p,q] by x[n,c,row,col] into y[n,o,i,j];
  // send dy[n,o,i,j] back along each such product (skip the padding, as the forward does).
  not_implemented("ex06", "conv2d_backward", "ex06-conv2d-backward.md", x, w, dy, stride, padding, dx, dw, db);
}

}  // namespace gcam

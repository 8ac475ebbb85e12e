// Exercise ex07 — max pooling forward and backward: equations (P1) and (P2) of
// include/gcam/ops/max_pool2d.hpp. See docs/exercises/ex07-max-pool.md.
//
// Stub: stands in for the reference in src/ops/max_pool2d.cpp (the block marked GCAM_EXERCISE_EX07 there)
// when the exercise is selected (make exercise N=7 does that). Write the bodies, then run that command.
#include "gcam/ops/max_pool2d.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (P1) y[n,c,i,j] = max over the k×k window at (i·s, j·s) of x[n,c,·,·]  (no padding).
// `winners[e]` receives the flat index into x of the maximum for output e
// (e is y's own flat, row-major index). Ties: the first maximum in row-major
// order wins (as in PyTorch) and is the only cell that receives gradient.
// x (N, C, H, W)  →  y (N, C, OH, OW), OH = conv_output_size(H, kernel, stride, 0).
Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners) {
  // TODO(ex07): size `winners` like y; scan each window, remember the best value and where it was.
  not_implemented("ex07", "max_pool2d_forward", "ex07-max-pool.md", x, kernel, stride, winners);
}

// (P2) dx[winners[e]] += dy[e]: the gradient goes to the winning cell only.
void max_pool2d_backward(const Tensor& dy, const std::vector<int>& winners, Tensor& dx) {
  // TODO(ex07)
  not_implemented("ex07", "max_pool2d_backward", "ex07-max-pool.md", dy, winners, dx);
}

}  // namespace gcam

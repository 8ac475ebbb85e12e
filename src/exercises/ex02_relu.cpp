// Exercise ex02 — ReLU forward and backward: equations (R1) and (R2) of
// include/gcam/ops/relu.hpp. See docs/exercises/ex02-relu.md.
//
// Stub: stands in for the reference in src/ops/relu.cpp (the block marked GCAM_EXERCISE_EX02 there)
// when the exercise is selected (make exercise N=2 does that). Write the bodies, then run that command.
#include "gcam/ops/relu.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (R1) y = max(0, x), elementwise; y has x's shape.
Tensor relu_forward(const Tensor& x) {
  // TODO(ex02): a new tensor of x's shape, each element max(0, x[e]).
  not_implemented("ex02", "relu_forward", "ex02-relu.md", x);
}

// (R2) dx += dy · [x > 0]   (at x = 0 exactly we choose the subgradient 0)
// ADD into dx, do not overwrite it.
void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  // TODO(ex02): let dy through where x > 0.
  not_implemented("ex02", "relu_backward", "ex02-relu.md", x, dy, dx);
}

}  // namespace gcam

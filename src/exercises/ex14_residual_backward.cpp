// Exercise ex14 — the residual block's backward: equations (RB1)–(RB2) of
// include/gcam/nn/blocks.hpp, the gradient of a value used twice.
// See docs/exercises/ex14-residual-backward.md.
//
// Stub: stands in for the reference in src/nn/blocks.cpp (the block marked GCAM_EXERCISE_EX14 there)
// when the exercise is selected (make exercise N=14 does that). Write the body, then run that command.
#include "gcam/nn/blocks.hpp"
#include "not_implemented.hpp"

namespace gcam {

// y = relu(sum), sum = body(x) + shortcut(x). `body` and `shortcut` are the two
// branches' own backwards: given the gradient at their output, they return x's.
// (RB1) d_sum = dy ⊙ [sum > 0]                 (the last ReLU, as (R2))
// (RB2) dx = body(d_sum) + shortcut(d_sum)      (x was used twice: the gradients of both uses add)
// dx has x's shape, which is not sum's when the shortcut downsamples.
Tensor residual_block_input_gradient(const Tensor& sum, const Tensor& dy, const BranchBackward& body,
                                     const BranchBackward& shortcut) {
  // TODO(ex14): mask dy by the last ReLU into d_sum, then send d_sum back through both
  // branches and add the two gradients element by element.
  not_implemented("ex14", "residual_block_input_gradient", "ex14-residual-backward.md", sum, dy, body, shortcut);
}

}  // namespace gcam

// Exercise ex09 — one SGD step with momentum and weight decay: equation (O1) of
// include/gcam/train/optim.hpp. See docs/exercises/ex09-sgd.md.
//
// Stub: stands in for the reference in src/train/sgd.cpp (the block marked GCAM_EXERCISE_EX09 there)
// when the exercise is selected (make exercise N=9 does that). Write the body, then run that command.
#include "gcam/train/optim.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (O1) SGD with momentum and weight decay, as PyTorch's torch.optim.SGD:
//      g ← g + λ·θ;  v ← μ·v + g;  θ ← θ − η·v     (v starts at 0)
// θ = param, g = grad, v = velocity (updated in place), η = lr, μ = momentum, λ = weight_decay.
void sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, double lr, double momentum, double weight_decay) {
  // TODO(ex09): the three assignments of (O1), element by element, in that order.
  not_implemented("ex09", "sgd_update", "ex09-sgd.md", param, grad, velocity, lr, momentum, weight_decay);
}

}  // namespace gcam

// Exercise ex08 — fused softmax + cross-entropy, mean over the batch: equations
// (S5) and (S6) of include/gcam/ops/softmax_cross_entropy.hpp. See docs/exercises/ex08-softmax-cross-entropy.md.
//
// Stub: stands in for the reference in src/ops/softmax_cross_entropy.cpp (the block marked
// GCAM_EXERCISE_EX08 there) when the exercise is selected (make exercise N=8 does that).
// Write the bodies, then run that command.
#include <cmath>

#include "gcam/ops/softmax.hpp"
#include "gcam/ops/softmax_cross_entropy.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (S5) L = −(1/N) Σ_n log p[n, label_n]; `probabilities` receives p (N, K).
// Computed through log-sum-exp, so it stays finite for large logits.
// (log_softmax_forward, (S3), is available and already stable.)
Scalar softmax_cross_entropy_forward(const Tensor& z, const std::vector<int>& labels, Tensor& probabilities) {
  // TODO(ex08): the loss of each row from log p, their mean, and p itself into `probabilities`.
  not_implemented("ex08", "softmax_cross_entropy_forward", "ex08-softmax-cross-entropy.md", z, labels, probabilities);
}

// (S6) dz[n,k] += dL · (p[n,k] − [k = label_n]) / N      ADD into dz.
void softmax_cross_entropy_backward(const Tensor& probabilities, const std::vector<int>& labels, Scalar dL,
                                    Tensor& dz) {
  // TODO(ex08)
  not_implemented("ex08", "softmax_cross_entropy_backward", "ex08-softmax-cross-entropy.md", probabilities, labels, dL,
                  dz);
}

}  // namespace gcam

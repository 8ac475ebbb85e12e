// Exercise ex10 — Grad-CAM step 2: the channel weights of eq. (8) (include/gcam/gradcam/gradcam.hpp,
// docs/gradcam.md). See docs/exercises/ex10-channel-weights.md.
//
// Stub: stands in for the reference in src/gradcam/channel_weights.cpp (the block marked GCAM_EXERCISE_EX10 there)
// when the exercise is selected (make exercise N=10 does that). Write the body, then run that command.
#include "gcam/gradcam/gradcam.hpp"
#include "not_implemented.hpp"

namespace gcam {

// eq. (8): α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij — global average pooling of the gradients.
// gradients (N, K, h, w)  →  α (N, K), Z = h·w.
Tensor channel_weights(const Tensor& gradients) {
  // TODO(ex10)
  not_implemented("ex10", "channel_weights", "ex10-channel-weights.md", gradients);
}

}  // namespace gcam

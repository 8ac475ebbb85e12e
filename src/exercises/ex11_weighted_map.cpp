// Exercise ex11 — Grad-CAM step 3: the weighted combination of the feature maps
// and its ReLU (include/gcam/gradcam/gradcam.hpp, docs/gradcam.md).
// See docs/exercises/ex11-weighted-map.md.
//
// Stub: stands in for the reference in src/gradcam/weighted_map.cpp (the block marked GCAM_EXERCISE_EX11 there)
// when the exercise is selected (make exercise N=11 does that). Write the bodies, then run that command.
#include "gcam/core/error.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "not_implemented.hpp"

namespace gcam {

// Σ_k α^c_k A^k: maps whose channel matters for class c count more.
// weights (N, K), activations (N, K, h, w)  →  (N, 1, h, w).
// Throws ShapeError (naming both shapes) when weights is not (N, K).
Tensor weighted_combination(const Tensor& weights, const Tensor& activations) {
  // TODO(ex11)
  not_implemented("ex11", "weighted_combination", "ex11-weighted-map.md", weights, activations);
}

// L^c = ReLU(Σ_k α^c_k A^k): negative evidence (it lowers y^c) is dropped. Same shape.
Tensor relu_map(const Tensor& weighted_sum) {
  // TODO(ex11)
  not_implemented("ex11", "relu_map", "ex11-weighted-map.md", weighted_sum);
}

}  // namespace gcam

// Grad-CAM step 2: the channel weights of eq. (8).
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

// Course exercise ex10: with EXERCISES=ex10, src/exercises/ex10_channel_weights.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX10
// eq. (8): α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij — global average pooling of the gradients.
Tensor channel_weights(const Tensor& gradients) {
  const int N = gradients.dim(0), K = gradients.dim(1), h = gradients.dim(2), w = gradients.dim(3);
  const Scalar Z = Scalar(h * w);
  Tensor alpha({N, K});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      Scalar total = 0;
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) total += gradients.at(n, k, i, j);
      alpha.at(n, k) = total / Z;
    }
  return alpha;
}
#endif  // GCAM_EXERCISE_EX10

}  // namespace gcam

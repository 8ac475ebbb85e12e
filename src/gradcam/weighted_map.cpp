// Grad-CAM step 3: the weighted combination of the feature maps, and its ReLU.
#include "gcam/core/error.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

// Course exercise ex11: with EXERCISES=ex11, src/exercises/ex11_weighted_map.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX11
// Σ_k α^c_k A^k: maps whose channel matters for class c count more.
Tensor weighted_combination(const Tensor& weights, const Tensor& activations) {
  const int N = activations.dim(0), K = activations.dim(1), h = activations.dim(2), w = activations.dim(3);
  if (weights.shape() != Shape{N, K})
    throw ShapeError("weighted_combination: weights " + shape_string(weights.shape()) + " do not match activations " +
                     shape_string(activations.shape()));
  Tensor sum({N, 1, h, w});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k)
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) sum.at(n, 0, i, j) += weights.at(n, k) * activations.at(n, k, i, j);
  return sum;
}

// L^c = ReLU(Σ_k α^c_k A^k): negative evidence (it lowers y^c) is dropped.
Tensor relu_map(const Tensor& weighted_sum) {
  Tensor out(weighted_sum.shape());
  for (std::size_t e = 0; e < out.size(); ++e) out[e] = weighted_sum[e] > 0 ? weighted_sum[e] : Scalar(0);
  return out;
}
#endif  // GCAM_EXERCISE_EX11

}  // namespace gcam

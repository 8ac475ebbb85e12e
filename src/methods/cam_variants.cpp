// The gradient-weighted CAM variants (Grad-CAM++, XGrad-CAM, HiResCAM,
// LayerCAM, Grad-CAM element-wise) and FEM: one
// function per equation (cam_methods.hpp).
// They all start from A and g = ∂y^c/∂A, which Grad-CAM's own step 1 reads
// (layer_gradients in src/gradcam/gradient_step.cpp).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/methods/cam_methods.hpp"

namespace gcam {

namespace {

void require_pair(const char* what, const Tensor& A, const Tensor& g) {
  if (A.rank() != 4 || A.shape() != g.shape())
    throw ShapeError(std::string(what) + ": activations " + shape_string(A.shape()) + " and gradients " +
                     shape_string(g.shape()) + " must both be (N, K, h, w)");
}

}  // namespace

GradCamOptions target_options(const std::vector<int>& classes, const MethodOptions& options) {
  GradCamOptions target;
  target.layer = options.layer;
  target.classes = classes;
  target.score = ScoreKind::Logit;
  target.kernels = options.kernels;
  target.pool = options.pool;
  return target;
}

// Grad-CAM++ eq. (19) with S = exp(y^c): α = g² / (2g² + Σ_ab A_ab · g³), w_k = Σ_ij α · ReLU(g).
Tensor grad_cam_plus_plus_weights(const Tensor& A, const Tensor& g) {
  require_pair("grad_cam_plus_plus_weights", A, g);
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  Tensor weights({N, K});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      Scalar total_A = 0;  // Σ_ab A^k_ab
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) total_A += A.at(n, k, i, j);
      Scalar wk = 0;
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          const Scalar gij = g.at(n, k, i, j);
          const Scalar g2 = gij * gij, g3 = g2 * gij;
          const Scalar denominator = 2 * g2 + total_A * g3;
          const Scalar alpha = denominator != 0 ? g2 / denominator : Scalar(0);
          wk += alpha * std::max(gij, Scalar(0));
        }
      weights.at(n, k) = wk;
    }
  return weights;
}

// XGrad-CAM eq. (12): w_k = Σ_ij (A_ij / Σ_ab A_ab) · g_ij.
Tensor xgrad_cam_weights(const Tensor& A, const Tensor& g) {
  require_pair("xgrad_cam_weights", A, g);
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  Tensor weights({N, K});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      Scalar total_A = 0, weighted = 0;
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          total_A += A.at(n, k, i, j);
          weighted += A.at(n, k, i, j) * g.at(n, k, i, j);
        }
      weights.at(n, k) = total_A != 0 ? weighted / total_A : Scalar(0);
    }
  return weights;
}

namespace {

// M_ij = Σ_k term(A^k_ij, g^k_ij): the maps that weight each position on its own.
Tensor sum_over_channels(const char* what, const Tensor& A, const Tensor& g, Scalar (*term)(Scalar a, Scalar g)) {
  require_pair(what, A, g);
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  Tensor map({N, 1, h, w});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k)
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) map.at(n, 0, i, j) += term(A.at(n, k, i, j), g.at(n, k, i, j));
  return map;
}

}  // namespace

// HiResCAM: M_ij = Σ_k g^k_ij · A^k_ij (elementwise, no spatial averaging).
Tensor hires_cam_map(const Tensor& A, const Tensor& g) {
  return sum_over_channels("hires_cam_map", A, g, [](Scalar a, Scalar grad) { return grad * a; });
}

// LayerCAM eqs. (5)–(6): M_ij = ReLU(Σ_k ReLU(g^k_ij) · A^k_ij).
Tensor layer_cam_map(const Tensor& A, const Tensor& g) {
  return relu_map(
      sum_over_channels("layer_cam_map", A, g, [](Scalar a, Scalar grad) { return std::max(grad, Scalar(0)) * a; }));
}

// Grad-CAM element-wise: M_ij = Σ_k ReLU(g^k_ij · A^k_ij).
Tensor grad_cam_element_wise_map(const Tensor& A, const Tensor& g) {
  return sum_over_channels("grad_cam_element_wise_map", A, g,
                           [](Scalar a, Scalar grad) { return std::max(grad * a, Scalar(0)); });
}

// FEM: M_ij = Σ_k μ_k · 1[A^k_ij ≥ μ_k + k_σ·σ_k], μ_k and σ_k the spatial mean and std of channel k.
Tensor fem_map(const Tensor& A, double k_sigma) {
  if (A.rank() != 4) throw ShapeError("fem_map: activations must be (N, K, h, w), got " + shape_string(A.shape()));
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  const double Z = double(h) * w;
  Tensor map({N, 1, h, w});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      double mean = 0, spread = 0;  // two passes: the mean first, then the squared deviations from it
      Scalar lowest = A.at(n, k, 0, 0), highest = lowest;
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          mean += A.at(n, k, i, j) / Z;
          lowest = std::min(lowest, A.at(n, k, i, j));
          highest = std::max(highest, A.at(n, k, i, j));
        }
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) spread += (A.at(n, k, i, j) - mean) * (A.at(n, k, i, j) - mean) / Z;
      // A constant channel has σ = 0 and every pixel at its mean: all marked, whatever the rounding of Σ/Z.
      const double threshold = lowest == highest ? double(lowest) : mean + k_sigma * std::sqrt(spread);
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j)
          if (A.at(n, k, i, j) >= threshold) map.at(n, 0, i, j) += static_cast<Scalar>(mean);
    }
  return map;
}

}  // namespace gcam

// The gradient-weighted CAM variants (Grad-CAM++, XGrad-CAM, HiResCAM,
// LayerCAM, Grad-CAM element-wise), Eigen-CAM, Eigen-Grad-CAM and FEM: one
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

// HiResCAM: M_ij = Σ_k g^k_ij · A^k_ij (elementwise, no spatial averaging).
Tensor hires_cam_map(const Tensor& A, const Tensor& g) {
  require_pair("hires_cam_map", A, g);
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  Tensor map({N, 1, h, w});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k)
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) map.at(n, 0, i, j) += g.at(n, k, i, j) * A.at(n, k, i, j);
  return map;
}

// LayerCAM eqs. (5)–(6): M_ij = ReLU(Σ_k ReLU(g^k_ij) · A^k_ij).
Tensor layer_cam_map(const Tensor& A, const Tensor& g) {
  require_pair("layer_cam_map", A, g);
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  Tensor map({N, 1, h, w});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k)
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) map.at(n, 0, i, j) += std::max(g.at(n, k, i, j), Scalar(0)) * A.at(n, k, i, j);
  return relu_map(map);
}

// Eigen-CAM: M = C·v, C = A as Z×K with centred columns, v = the first
// principal direction (top eigenvector of CᵀC, by Jacobi rotations).
namespace {

// The eigenvector of the largest eigenvalue of the symmetric K×K matrix G
// (row-major), by cyclic Jacobi rotations: each rotation zeroes one
// off-diagonal pair, the off-diagonal mass shrinks every sweep, and what is
// left on the diagonal are the eigenvalues, the accumulated rotations the
// eigenvectors. Unlike power iteration it needs no start vector, so no start
// can miss the top eigenvector. Ties go to the lowest index: deterministic.
std::vector<double> top_eigenvector(std::vector<double> G, int K) {
  auto at = [K](std::vector<double>& m, int r, int c) -> double& {
    return m[std::size_t(r) * std::size_t(K) + std::size_t(c)];
  };
  std::vector<double> V(std::size_t(K) * std::size_t(K), 0.0);
  for (int k = 0; k < K; ++k) at(V, k, k) = 1;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, diagonal = 0;
    for (int p = 0; p < K; ++p) {
      diagonal += at(G, p, p) * at(G, p, p);
      for (int q = p + 1; q < K; ++q) off += at(G, p, q) * at(G, p, q);
    }
    if (off <= 1e-30 * diagonal) break;
    for (int p = 0; p < K; ++p)
      for (int q = p + 1; q < K; ++q) {
        if (at(G, p, q) == 0) continue;
        const double theta = (at(G, q, q) - at(G, p, p)) / (2 * at(G, p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;  // G ← JᵀGJ zeroes G[p][q]
        for (int k = 0; k < K; ++k) {
          const double gkp = at(G, k, p), gkq = at(G, k, q);
          at(G, k, p) = c * gkp - s * gkq, at(G, k, q) = s * gkp + c * gkq;
        }
        for (int k = 0; k < K; ++k) {
          const double gpk = at(G, p, k), gqk = at(G, q, k);
          at(G, p, k) = c * gpk - s * gqk, at(G, q, k) = s * gpk + c * gqk;
          const double vkp = at(V, k, p), vkq = at(V, k, q);
          at(V, k, p) = c * vkp - s * vkq, at(V, k, q) = s * vkp + c * vkq;
        }
      }
  }
  int top = 0;
  for (int k = 1; k < K; ++k)
    if (at(G, k, k) > at(G, top, top)) top = k;
  std::vector<double> v(static_cast<std::size_t>(K));
  for (int k = 0; k < K; ++k) v[std::size_t(k)] = at(V, k, top);
  return v;
}

}  // namespace

Tensor eigen_cam_map(const Tensor& A) {
  if (A.rank() != 4)
    throw ShapeError("eigen_cam_map: activations must be (N, K, h, w), got " + shape_string(A.shape()));
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3), Z = h * w;
  Tensor map({N, 1, h, w});
  for (int n = 0; n < N; ++n) {
    // C[z][k] = A^k_z − mean_z A^k  (work in double whatever Scalar is)
    std::vector<double> C(static_cast<std::size_t>(Z) * K);
    for (int k = 0; k < K; ++k) {
      double mean = 0;
      for (int z = 0; z < Z; ++z) mean += A.at(n, k, z / w, z % w);
      mean /= Z;
      for (int z = 0; z < Z; ++z) C[std::size_t(z) * K + k] = A.at(n, k, z / w, z % w) - mean;
    }
    // G = CᵀC (K×K), symmetric positive semi-definite; trace(G) = Σ_k ‖C^k‖².
    std::vector<double> G(static_cast<std::size_t>(K) * K, 0.0);
    for (int z = 0; z < Z; ++z)
      for (int a = 0; a < K; ++a)
        for (int b = 0; b < K; ++b) G[std::size_t(a) * K + b] += C[std::size_t(z) * K + a] * C[std::size_t(z) * K + b];
    double trace = 0;
    for (int k = 0; k < K; ++k) trace += G[std::size_t(k) * K + k];
    if (!(trace > 0)) continue;  // every channel constant: C = 0, the map stays 0
    const std::vector<double> v = top_eigenvector(G, K);
    // Project, then flip so that the largest-magnitude value is positive.
    std::vector<double> m(static_cast<std::size_t>(Z), 0.0);
    double largest = 0;
    for (int z = 0; z < Z; ++z) {
      for (int k = 0; k < K; ++k) m[std::size_t(z)] += C[std::size_t(z) * K + k] * v[std::size_t(k)];
      if (std::abs(m[std::size_t(z)]) > std::abs(largest)) largest = m[std::size_t(z)];
    }
    const double sign = largest < 0 ? -1.0 : 1.0;
    for (int z = 0; z < Z; ++z) map.at(n, 0, z / w, z % w) = static_cast<Scalar>(sign * m[std::size_t(z)]);
  }
  return map;
}

// Eigen-Grad-CAM: Eigen-CAM's first principal component, of the products A^k ⊙ g^k.
Tensor eigen_grad_cam_map(const Tensor& A, const Tensor& g) {
  require_pair("eigen_grad_cam_map", A, g);
  Tensor product(A.shape());
  for (std::size_t e = 0; e < product.size(); ++e) product[e] = A[e] * g[e];
  return eigen_cam_map(product);
}

// Grad-CAM element-wise: M_ij = Σ_k ReLU(g^k_ij · A^k_ij).
Tensor grad_cam_element_wise_map(const Tensor& A, const Tensor& g) {
  require_pair("grad_cam_element_wise_map", A, g);
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  Tensor map({N, 1, h, w});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k)
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) map.at(n, 0, i, j) += std::max(g.at(n, k, i, j) * A.at(n, k, i, j), Scalar(0));
  return map;
}

// FEM: M_ij = Σ_k μ_k · 1[A^k_ij ≥ μ_k + k_σ·σ_k], μ_k and σ_k the spatial mean and std of channel k.
Tensor fem_map(const Tensor& A, double k_sigma) {
  if (A.rank() != 4) throw ShapeError("fem_map: activations must be (N, K, h, w), got " + shape_string(A.shape()));
  const int N = A.dim(0), K = A.dim(1), h = A.dim(2), w = A.dim(3);
  const double Z = double(h) * w;
  Tensor map({N, 1, h, w});
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      double mean = 0, square = 0;
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          mean += A.at(n, k, i, j) / Z;
          square += double(A.at(n, k, i, j)) * A.at(n, k, i, j) / Z;
        }
      const double threshold = mean + k_sigma * std::sqrt(std::max(square - mean * mean, 0.0));
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j)
          if (A.at(n, k, i, j) >= threshold) map.at(n, 0, i, j) += static_cast<Scalar>(mean);
    }
  return map;
}

}  // namespace gcam

// The CAMs built from principal components of the activations (cam_methods.hpp):
// Eigen-CAM, Eigen-Grad-CAM and KPCA-CAM. Each image's target layer is read as
// Z = h·w points (one per position) in K dimensions (one per channel).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "gcam/core/error.hpp"
#include "gcam/methods/cam_methods.hpp"

namespace gcam {

namespace {

struct EigenPair {
  double value = 0;
  std::vector<double> vector;
};

// The largest eigenvalue of the symmetric n×n matrix G (row-major) and its
// eigenvector, by cyclic Jacobi rotations: each rotation zeroes one
// off-diagonal pair, the off-diagonal mass shrinks every sweep, and what is
// left on the diagonal are the eigenvalues, the accumulated rotations the
// eigenvectors. Unlike power iteration it needs no start vector, so no start
// can miss the top eigenvector. Ties go to the lowest index: deterministic.
EigenPair top_eigenpair(std::vector<double> G, int n) {
  auto at = [n](std::vector<double>& m, int r, int c) -> double& {
    return m[std::size_t(r) * std::size_t(n) + std::size_t(c)];
  };
  std::vector<double> V(std::size_t(n) * std::size_t(n), 0.0);
  for (int k = 0; k < n; ++k) at(V, k, k) = 1;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, diagonal = 0;
    for (int p = 0; p < n; ++p) {
      diagonal += at(G, p, p) * at(G, p, p);
      for (int q = p + 1; q < n; ++q) off += at(G, p, q) * at(G, p, q);
    }
    if (off <= 1e-30 * diagonal) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        if (at(G, p, q) == 0) continue;
        const double theta = (at(G, q, q) - at(G, p, p)) / (2 * at(G, p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;  // G ← JᵀGJ zeroes G[p][q]
        for (int k = 0; k < n; ++k) {
          const double gkp = at(G, k, p), gkq = at(G, k, q);
          at(G, k, p) = c * gkp - s * gkq, at(G, k, q) = s * gkp + c * gkq;
        }
        for (int k = 0; k < n; ++k) {
          const double gpk = at(G, p, k), gqk = at(G, q, k);
          at(G, p, k) = c * gpk - s * gqk, at(G, q, k) = s * gpk + c * gqk;
          const double vkp = at(V, k, p), vkq = at(V, k, q);
          at(V, k, p) = c * vkp - s * vkq, at(V, k, q) = s * vkp + c * vkq;
        }
      }
  }
  int top = 0;
  for (int k = 1; k < n; ++k)
    if (at(G, k, k) > at(G, top, top)) top = k;
  EigenPair pair{at(G, top, top), std::vector<double>(static_cast<std::size_t>(n))};
  for (int k = 0; k < n; ++k) pair.vector[std::size_t(k)] = at(V, k, top);
  return pair;
}

// C[z][k] = A^k_z − mean_z A^k for image n: the points, centred (in double whatever Scalar is).
std::vector<double> centred_points(const Tensor& A, int n) {
  const int K = A.dim(1), w = A.dim(3), Z = A.dim(2) * w;
  std::vector<double> C(static_cast<std::size_t>(Z) * K);
  for (int k = 0; k < K; ++k) {
    double mean = 0;
    bool constant = true;  // then C^k is exactly 0, not the rounding left by Σ/Z
    for (int z = 0; z < Z; ++z) {
      mean += A.at(n, k, z / w, z % w);
      constant = constant && A.at(n, k, z / w, z % w) == A.at(n, k, 0, 0);
    }
    mean /= Z;
    for (int z = 0; z < Z; ++z) C[std::size_t(z) * K + k] = constant ? 0.0 : A.at(n, k, z / w, z % w) - mean;
  }
  return C;
}

// Writes m (Z values) as image n's map, flipped so that its largest-magnitude value is positive.
void put_sign_fixed(const std::vector<double>& m, Tensor& map, int n) {
  const int w = map.dim(3);
  double largest = 0;
  for (double v : m)
    if (std::abs(v) > std::abs(largest)) largest = v;
  const double sign = largest < 0 ? -1.0 : 1.0;
  for (std::size_t z = 0; z < m.size(); ++z) map.at(n, 0, int(z) / w, int(z) % w) = static_cast<Scalar>(sign * m[z]);
}

// The kernel matrix of centred features: G̃_ab = G_ab − mean_a' G_a'b − mean_b' G_ab' + mean G.
std::vector<double> double_centre(const std::vector<double>& G, int n) {
  std::vector<double> row(std::size_t(n), 0.0);  // G is symmetric: row means = column means
  double grand = 0;
  for (int a = 0; a < n; ++a) {  // sum, then divide: equal entries give their value back exactly
    for (int b = 0; b < n; ++b) row[std::size_t(a)] += G[std::size_t(a) * n + b];
    row[std::size_t(a)] /= n;
    grand += row[std::size_t(a)];
  }
  grand /= n;
  std::vector<double> centred(G.size());
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      centred[std::size_t(a) * n + b] = G[std::size_t(a) * n + b] - row[std::size_t(a)] - row[std::size_t(b)] + grand;
  return centred;
}

void require_maps(const char* what, const Tensor& A) {
  if (A.rank() != 4)
    throw ShapeError(std::string(what) + ": activations must be (N, K, h, w), got " + shape_string(A.shape()));
}

}  // namespace

// Eigen-CAM: M = C·v, C = A as Z×K with centred columns, v = the top eigenvector of CᵀC.
Tensor eigen_cam_map(const Tensor& A) {
  require_maps("eigen_cam_map", A);
  const int N = A.dim(0), K = A.dim(1), Z = A.dim(2) * A.dim(3);
  Tensor map({N, 1, A.dim(2), A.dim(3)});
  for (int n = 0; n < N; ++n) {
    const std::vector<double> C = centred_points(A, n);
    // G = CᵀC (K×K), symmetric positive semi-definite; trace(G) = Σ_k ‖C^k‖².
    std::vector<double> G(static_cast<std::size_t>(K) * K, 0.0);
    for (int z = 0; z < Z; ++z)
      for (int a = 0; a < K; ++a)
        for (int b = 0; b < K; ++b) G[std::size_t(a) * K + b] += C[std::size_t(z) * K + a] * C[std::size_t(z) * K + b];
    double trace = 0;
    for (int k = 0; k < K; ++k) trace += G[std::size_t(k) * K + k];
    if (!(trace > 0)) continue;  // every channel constant: C = 0, the map stays 0
    const std::vector<double> v = top_eigenpair(G, K).vector;
    std::vector<double> m(static_cast<std::size_t>(Z), 0.0);
    for (int z = 0; z < Z; ++z)
      for (int k = 0; k < K; ++k) m[std::size_t(z)] += C[std::size_t(z) * K + k] * v[std::size_t(k)];
    put_sign_fixed(m, map, n);
  }
  return map;
}

// Eigen-Grad-CAM: Eigen-CAM's first principal component, of the products A^k ⊙ g^k.
Tensor eigen_grad_cam_map(const Tensor& A, const Tensor& g) {
  require_maps("eigen_grad_cam_map", A);
  require_same_shape("eigen_grad_cam_map", A, g);
  Tensor product(A.shape());
  for (std::size_t e = 0; e < product.size(); ++e) product[e] = A[e] * g[e];
  return eigen_cam_map(product);
}

// KPCA-CAM: the projection √λ·u of each position on the first kernel principal component.
Tensor kpca_cam_map(const Tensor& A, CamKernel kernel, double gamma) {
  require_maps("kpca_cam_map", A);
  const int N = A.dim(0), K = A.dim(1), Z = A.dim(2) * A.dim(3);
  if (Z > kKpcaMaxPositions)
    throw std::invalid_argument("kpca_cam_map: " + std::to_string(A.dim(2)) + "x" + std::to_string(A.dim(3)) +
                                " positions need a " + std::to_string(Z) +
                                "^2 kernel matrix; take a later layer (at most " + std::to_string(kKpcaMaxPositions) +
                                " positions)");
  if (gamma <= 0) gamma = 1.0 / K;
  Tensor map({N, 1, A.dim(2), A.dim(3)});
  for (int n = 0; n < N; ++n) {
    const std::vector<double> C = centred_points(A, n);  // centring first leaves the RBF kernel unchanged
    std::vector<double> G(static_cast<std::size_t>(Z) * Z);
    for (int a = 0; a < Z; ++a)
      for (int b = 0; b < Z; ++b) {
        double dot = 0, distance = 0;
        for (int k = 0; k < K; ++k) {
          const double ca = C[std::size_t(a) * K + k], cb = C[std::size_t(b) * K + k];
          dot += ca * cb;
          distance += (ca - cb) * (ca - cb);
        }
        G[std::size_t(a) * Z + b] = kernel == CamKernel::Linear ? dot : std::exp(-gamma * distance);
      }
    const std::vector<double> Gc = double_centre(G, Z);
    double trace = 0;
    for (int z = 0; z < Z; ++z) trace += Gc[std::size_t(z) * Z + z];
    if (!(trace > 0)) continue;  // every point the same: no component, the map stays 0
    const EigenPair top = top_eigenpair(Gc, Z);
    std::vector<double> m(static_cast<std::size_t>(Z));
    for (int z = 0; z < Z; ++z) m[std::size_t(z)] = std::sqrt(std::max(top.value, 0.0)) * top.vector[std::size_t(z)];
    put_sign_fixed(m, map, n);
  }
  return map;
}

}  // namespace gcam

// Reference fused softmax + cross-entropy, mean over the batch: (S5) and (S6).
//
// Fusing the two keeps the backward simple and exact: ∂L/∂z = (p − onehot)/N,
// with no division by a probability that may have underflowed to zero.
#include <cmath>

#include "gcam/ops/kernels.hpp"

namespace gcam {

Scalar softmax_cross_entropy_forward(const Tensor& z, const std::vector<int>& labels, Tensor& probabilities) {
  probabilities = log_softmax_forward(z);  // log p for now
  const int N = z.dim(0);
  Scalar loss = 0;
  for (int n = 0; n < N; ++n) loss -= probabilities.at(n, labels[static_cast<std::size_t>(n)]);
  for (std::size_t e = 0; e < probabilities.size(); ++e) probabilities[e] = std::exp(probabilities[e]);
  return loss / Scalar(N);  // (S5)
}

void softmax_cross_entropy_backward(const Tensor& probabilities, const std::vector<int>& labels, Scalar dL,
                                    Tensor& dz) {
  const int N = probabilities.dim(0), K = probabilities.dim(1);
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      const Scalar onehot = (k == labels[static_cast<std::size_t>(n)]) ? Scalar(1) : Scalar(0);
      dz.at(n, k) += dL * (probabilities.at(n, k) - onehot) / Scalar(N);  // (S6)
    }
}

}  // namespace gcam

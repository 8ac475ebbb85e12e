// ops/softmax_cross_entropy.hpp — the training loss: softmax and cross-entropy
// fused, mean over the batch. Reference loops, tape op and rule: src/ops/softmax_cross_entropy.cpp.
//
// (S5) L = −(1/N) Σ_n log p[n, label_n]   (through log-sum-exp: finite for large logits)
// (S6) dz[n,k] += dL · (p[n,k] − [k = label_n]) / N
#pragma once

#include <vector>

#include "gcam/autograd/tape.hpp"

namespace gcam {

// (S5); `probabilities` receives p (N, K).
Scalar softmax_cross_entropy_forward(const Tensor& z, const std::vector<int>& labels, Tensor& probabilities);
// (S6)
void softmax_cross_entropy_backward(const Tensor& probabilities, const std::vector<int>& labels, Scalar dL, Tensor& dz);
// Records (S5) for logits (N, K), one label per row → a scalar; its rule applies (S6).
Var softmax_cross_entropy(Tape& tape, Var logits, const std::vector<int>& labels);

}  // namespace gcam

// ops/global_avg_pool.hpp — the mean of each feature map: (N, C, H, W) → (N, C).
// Reference loops, tape op and backward rule: src/ops/global_avg_pool.cpp.
//
// (P5) y[n,c] = (1/(H·W)) Σ_i Σ_j x[n,c,i,j]
// (P6) dx[n,c,i,j] += dy[n,c] / (H·W)
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

Tensor global_avg_pool_forward(const Tensor& x);              // (P5)
void global_avg_pool_backward(const Tensor& dy, Tensor& dx);  // (P6)
// Records (P5); its rule applies (P6).
Var global_avg_pool(Tape& tape, Var x);

}  // namespace gcam

// ops/softmax.hpp — softmax and log-softmax over the rows of an (N, K) tensor.
// Reference loops, tape ops and backward rules: src/ops/softmax.cpp.
//
// (S1) p[n,k] = exp(z[n,k] − m) / Σ_j exp(z[n,j] − m),  m = max_j z[n,j] (stability)
// (S2) dz[n,k] += p[n,k] · (dp[n,k] − Σ_j dp[n,j] p[n,j])
// (S3) log p[n,k] = z[n,k] − m − log Σ_j exp(z[n,j] − m)
// (S4) dz[n,k] += dl[n,k] − p[n,k] · Σ_j dl[n,j]   with p = exp(log p)
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

Tensor softmax_forward(const Tensor& z);                                       // (S1)
void softmax_backward(const Tensor& p, const Tensor& dp, Tensor& dz);          // (S2)
Tensor log_softmax_forward(const Tensor& z);                                   // (S3)
void log_softmax_backward(const Tensor& log_p, const Tensor& dl, Tensor& dz);  // (S4)
// Record (S1) / (S3); their rules apply (S2) / (S4).
Var softmax(Tape& tape, Var z);
Var log_softmax(Tape& tape, Var z);

}  // namespace gcam

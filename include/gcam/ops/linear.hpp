// ops/linear.hpp — the dense (fully connected) layer.
// Reference loops, tape op and backward rule: src/ops/linear.cpp.
//
//   x (N, In)   w (Out, In)   b (Out)   y (N, Out)
// (D1) y[n,o] = b[o] + Σ_i w[o,i] · x[n,i]
// (D2) dx[n,i] += Σ_o dy[n,o] · w[o,i]
// (D3) dw[o,i] += Σ_n dy[n,o] · x[n,i]
// (D4) db[o]   += Σ_n dy[n,o]
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b);  // (D1)
// (D2)–(D4), adding into dx, dw and db.
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db);
// Records (D1) (fast kernels when the tape asks for them); its rule applies (D2)–(D4).
Var linear(Tape& tape, Var x, Var weight, Var bias);

}  // namespace gcam

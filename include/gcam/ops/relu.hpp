// ops/relu.hpp — the rectified linear unit, elementwise.
// Reference loops, tape op and backward rule: src/ops/relu.cpp.
//
// (R1) y = max(0, x)
// (R2) dx += dy · [x > 0]   (at x = 0 exactly we choose the subgradient 0)
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

Tensor relu_forward(const Tensor& x);                               // (R1)
void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx);  // (R2)
// Records (R1); its rule applies (R2).
Var relu(Tape& tape, Var x);

}  // namespace gcam

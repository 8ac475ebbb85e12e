// ops/avg_pool2d.hpp — average pooling over k×k windows every `stride` cells, no padding.
// Reference loops, tape op and backward rule: src/ops/avg_pool2d.cpp.
//
// (P3) y[n,c,i,j] = (1/k²) Σ over the k×k window at (i·s, j·s) of x[n,c,·,·]
// (P4) every cell of the window receives dy[n,c,i,j] / k².
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

Tensor avg_pool2d_forward(const Tensor& x, int kernel, int stride);              // (P3)
void avg_pool2d_backward(const Tensor& dy, int kernel, int stride, Tensor& dx);  // (P4)
// Records (P3); its rule applies (P4).
Var avg_pool2d(Tape& tape, Var x, int kernel, int stride);

}  // namespace gcam

// ops/max_pool2d.hpp — max pooling over k×k windows every `stride` cells, no padding.
// Reference loops, tape op and backward rule: src/ops/max_pool2d.cpp.
//
// (P1) y[n,c,i,j] = max over the k×k window at (i·s, j·s) of x[n,c,·,·]
// (P2) dx[winners[e]] += dy[e]: the gradient goes to the winning cell only.
// Ties: the first maximum in row-major order wins (as in PyTorch) and is the
// only cell that receives gradient.
#pragma once

#include <vector>

#include "gcam/autograd/tape.hpp"

namespace gcam {

// (P1); `winners[e]` receives the flat index into x of the maximum for output e.
Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners);
// (P2)
void max_pool2d_backward(const Tensor& dy, const std::vector<int>& winners, Tensor& dx);
// Records (P1); its rule applies (P2).
Var max_pool2d(Tape& tape, Var x, int kernel, int stride);

}  // namespace gcam

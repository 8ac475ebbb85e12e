// fast/conv2d.hpp — conv2d as matrix products whose im2col matrix is never
// written out ("implicit GEMM").
//
// Copy each input plane into a zero-bordered plane of Hp = H + 2·pad rows and
// Wp = W + 2·pad columns (the "padded grid"). At stride 1, number output
// (i, j) as t = i·Wp + j. Kernel tap (c, p, q) of that output reads padded
// plane c at t + p·Wp + q, so row (c, p, q) of the im2col matrix IS padded
// plane c, shifted by p·Wp + q. gemm_rows (fast/gemm.hpp) takes that table of
// row starts in place of a copied matrix. Outputs come out Wp wide; the last
// Wp − OW = kW − 1 columns of each row are computed and dropped. At stride s,
// the padded plane is stored as s × s phase planes (every s-th row and
// column), and each tap reads one of them, shifted the same way: see
// src/fast/implicit_grid.hpp.
//
// Same equations (C1)–(C4) and the same accumulate-into-outputs contract as
// the reference loops in include/gcam/ops/conv2d.hpp; tests/test_fast_kernels.cpp
// proves that both agree. Work is split over the pool's threads by blocks of
// the output, so each result element is computed by one thread in a fixed
// order: the same inputs give bit-identical results for any thread count.
// `pool` may be null (single-threaded).
#pragma once

#include <vector>

#include "gcam/core/tensor.hpp"
#include "gcam/fast/targets.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

// What the forward applies to (C1) as it writes its output, in the same pass
// (the fused records of ops/conv2d.hpp):
enum class Epilogue {
  None,
  Relu,         // (CR1): y = max(0, (C1))
  ReluMaxPool,  // (CRP1): y = the 2×2, stride-2 max-pool of max(0, (C1)), with its winners as (P1) keeps them
};

// The output of a forward with an epilogue, which the backward takes dy
// back through: the y it wrote and, for ReluMaxPool, the winners.
struct EpilogueOutput {
  Epilogue epilogue = Epilogue::None;
  const Tensor* y = nullptr;
  const std::vector<int>* winners = nullptr;
};

// (C1), returning a new tensor.
Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool);
// The shape of the padded input conv2d_forward can keep: N rows, one per
// image, of its C·s² phase planes and some slack (src/fast/implicit_grid.hpp).
Shape padded_input_shape(const Tensor& x, const Tensor& w, int stride, int padding);
// (C1) into `y`, which is resized and overwritten (its storage is reused when
// large enough: see Workspace). If `padded` is not null, the input as the
// forward lays it out on the padded grid is kept there (resized to
// padded_input_shape): the backward's weight gradient (C3) reads that same
// layout, and given it, need not build it again. `epilogue`: what is applied
// as y is written; for ReluMaxPool, y is the pooled map and `winners` (resized)
// receives each pooled value's flat index in the unpooled output.
void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool,
                    Tensor& y, Tensor* padded = nullptr, Epilogue epilogue = Epilogue::None,
                    std::vector<int>* winners = nullptr);
// (C2)–(C4), adding into the gradients that `targets` asks for; `padded`:
// what conv2d_forward kept for the same x, w, stride and padding, or null.
// `after`: the output of a forward with an epilogue; dy is then the gradient
// of that output, taken back through it as it is read: (R2), dy counts only
// where y > 0; for ReluMaxPool also (P2), each value goes to its winner.
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db, ThreadPool* pool, Targets targets = {}, const Tensor* padded = nullptr,
                     EpilogueOutput after = {});

}  // namespace fast
}  // namespace gcam

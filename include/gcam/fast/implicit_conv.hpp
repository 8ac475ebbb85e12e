// fast/implicit_conv.hpp — stride-1 convolution as a matrix product whose
// im2col matrix is never written out ("implicit GEMM").
//
// Copy each input plane into a zero-bordered plane of Hp = H + 2·pad rows and
// Wp = W + 2·pad columns (the "padded grid"). Number output (i, j) as
// t = i·Wp + j. Kernel tap (c, p, q) of that output reads padded plane c at
// t + p·Wp + q, so row (c, p, q) of the im2col matrix IS padded plane c,
// shifted by p·Wp + q. gemm_rows (fast/gemm.hpp) takes that table of row
// starts in place of a copied matrix. Outputs come out Wp wide; the last
// Wp − OW = kW − 1 columns of each row are computed and dropped.
//
// Same equations (C1)–(C4) and the same accumulate-into-outputs contract as
// the reference loops of include/gcam/ops/conv2d.hpp, which they must agree
// with (tests/test_fast_kernels.cpp). fast/conv2d.hpp calls these for every
// stride-1 convolution and keeps im2col for the others. Results are
// bit-identical for any thread count: forward images and the gemm's tiles of
// C are each computed by one thread, and the sums over the batch (dW, db)
// run over the images in order.
#pragma once

#include "gcam/core/tensor.hpp"
#include "gcam/fast/targets.hpp"

namespace gcam {
class ThreadPool;
namespace fast {

// Whether the implicit kernels serve a convolution at `stride`: stride 1.
bool implicit_conv_suits(int stride);

// (C1) at stride 1 into y (resized and overwritten).
void implicit_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int padding, ThreadPool* pool,
                             Tensor& y);

// (C2)–(C4) at stride 1, adding into the gradients `targets` asks for.
void implicit_conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int padding, Tensor& dx, Tensor& dw,
                              Tensor& db, ThreadPool* pool, Targets targets);

}  // namespace fast
}  // namespace gcam

// fast/conv2d.hpp — conv2d as matrix products: the implicit GEMM of
// fast/implicit_conv.hpp at stride 1, im2col + blocked GEMM otherwise.
//
// Same equations (C1)–(C4) and the same accumulate-into-outputs contract as
// the reference loops in include/gcam/ops/conv2d.hpp; tests/test_fast_kernels.cpp
// proves that both agree. Work is split over the pool's threads by blocks of
// the output, so each result element is computed by one thread in a fixed
// order: the same inputs give bit-identical results for any thread count.
// `pool` may be null (single-threaded).
#pragma once

#include "gcam/core/tensor.hpp"
#include "gcam/fast/targets.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

// (C1), returning a new tensor.
Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool);
// (C1) into `y`, which is resized and overwritten (its storage is reused when
// large enough: see Workspace).
void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool,
                    Tensor& y);
// (C2)–(C4), adding into the gradients that `targets` asks for.
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db, ThreadPool* pool, Targets targets = {});

// ---- the lowering of convolution to a matrix product --------------------------
// im2col copies images [n0, n0 + count) of x (N, C, H, W) into the matrix
//   cols  ((C·kH·kW) × (count·OH·OW), row-major)
//   cols[(c·kH + p)·kW + q][b·OH·OW + i·OW + j] = x[n0+b, c, i·s+p−pad, j·s+q−pad]
// (0 where that index falls into the padding). Then (C1) for those images is
// one matrix product: y[·, o, ·] = W·cols with W = w viewed as O × (C·kH·kW).
// `cols` must hold (C·kH·kW)·count·OH·OW Scalars.
void im2col(const Tensor& x, int n0, int count, int kernel_h, int kernel_w, int stride, int padding, Scalar* cols,
            ThreadPool* pool);
// col2im is the adjoint (transpose) of im2col: every entry of cols is ADDED
// to the element of dx it was copied from (padding entries are dropped).
// Used in the backward pass: dx += col2im(Wᵀ·dY), which is (C2).
void col2im(const Scalar* cols, int n0, int count, int kernel_h, int kernel_w, int stride, int padding, Tensor& dx,
            ThreadPool* pool);

}  // namespace fast
}  // namespace gcam

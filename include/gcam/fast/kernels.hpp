// fast_kernels.hpp — optimized versions of the heaviest reference kernels.
//
// Same equations and same accumulate-into-outputs contract as kernels.hpp;
// tests/test_fast_kernels.cpp proves that both agree. Convolution is lowered
// to matrix products (im2col), and the products run through a cache-blocked
// GEMM (gemm.hpp). Work is split over the pool's threads by blocks of the
// output, so each result element is computed by one thread in a fixed order:
// the same inputs give bit-identical results for any thread count.
// `pool` may be null (single-threaded).
#pragma once

#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

// Which gradients a backward call must produce. The others are neither
// computed nor touched (their tensors may be empty): Grad-CAM needs no weight
// gradients, and training needs no gradient for the input images.
struct Targets {
  bool input = true, weight = true, bias = true;
};

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool);
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db, ThreadPool* pool, Targets targets = {});
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool* pool);

// The same forwards writing into `y`, which is resized and overwritten (its
// storage is reused when large enough: see Workspace).
void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool,
                    Tensor& y);
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool* pool, Tensor& y);
void max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners, ThreadPool* pool,
                        Tensor& y);
void relu_forward(const Tensor& x, Tensor& y);
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db,
                     ThreadPool* pool, Targets targets = {});

// ---- the lowering of convolution to a matrix product --------------------------
// im2col copies images [n0, n0 + count) of x (N, C, H, W) into the matrix
//   cols  ((C·kH·kW) × (count·OH·OW), row-major)
//   cols[(c·kH + p)·kW + q][b·OH·OW + i·OW + j] = x[n0+b, c, i·s+p−pad, j·s+q−pad]
// (0 where that index falls into the padding). Then (C1) for those images is
// one matrix product: y[·, o, ·] = W·cols with W = w viewed as O × (C·kH·kW).
// `cols` must hold (C·kH·kW)·count·OH·OW Scalars.
// Max pooling and ReLU: the same results as the reference (they only compare
// and copy), written over contiguous planes with no branch in the ReLU loops
// so the compiler vectorizes them. Split over (image, channel) planes.
Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners, ThreadPool* pool);
Tensor relu_forward(const Tensor& x);
void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx);

void im2col(const Tensor& x, int n0, int count, int kernel_h, int kernel_w, int stride, int padding, Scalar* cols,
            ThreadPool* pool);
// col2im is the adjoint (transpose) of im2col: every entry of cols is ADDED
// to the element of dx it was copied from (padding entries are dropped).
// Used in the backward pass: dx += col2im(Wᵀ·dY), which is (C2).
void col2im(const Scalar* cols, int n0, int count, int kernel_h, int kernel_w, int stride, int padding, Tensor& dx,
            ThreadPool* pool);

}  // namespace fast
}  // namespace gcam

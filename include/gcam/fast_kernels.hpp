// fast_kernels.hpp — optimized versions of the heaviest reference kernels.
//
// Same equations and same accumulate-into-outputs contract as kernels.hpp;
// tests/test_fast_kernels.cpp proves that both agree. Convolution is lowered
// to matrix products (im2col), and the products run through a cache-blocked
// GEMM (gemm.hpp). Work is split over the pool's threads by output rows, so
// each result element is computed by one thread in a fixed order: the same
// inputs give bit-identical results for any thread count.
// `pool` may be null (single-threaded).
#pragma once

#include "gcam/tensor.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool);
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db, ThreadPool* pool);
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool* pool);
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db,
                     ThreadPool* pool);

}  // namespace fast
}  // namespace gcam

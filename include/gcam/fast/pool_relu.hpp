// fast/pool_relu.hpp — max pooling and ReLU over contiguous planes.
//
// The same results as the reference loops (include/gcam/ops/max_pool2d.hpp,
// relu.hpp): they only compare and copy, so no rounding enters. Written with
// no branch in the ReLU loops so the compiler vectorizes them; max pooling is
// split over (image, channel) planes. `pool` may be null.
#pragma once

#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

// (P1), with `winners` as in the reference.
Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners, ThreadPool* pool);
// (P1) into `y`, which is resized and overwritten.
void max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners, ThreadPool* pool,
                        Tensor& y);
// (R1), returning a new tensor or into `y`.
Tensor relu_forward(const Tensor& x);
void relu_forward(const Tensor& x, Tensor& y);
// (R2): dx += dy · [x > 0].
void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx);
// (R2) with dx starting at zero, in place on the upstream gradient: g becomes
// the values relu_backward would add into a zeroed dx (the same bits).
void relu_backward_in_place(const Tensor& x, Tensor& g);
// The same on n values at x and g (a plane of a larger tensor).
void relu_backward_in_place(const Scalar* x, Scalar* g, std::size_t n);

}  // namespace fast
}  // namespace gcam

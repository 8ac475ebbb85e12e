// fast/linear.hpp — the dense layer as GEMM calls.
//
// Same equations (D1)–(D4) and contract as the reference loops in
// include/gcam/ops/linear.hpp; tests/test_fast_kernels.cpp proves that both
// agree. `pool` may be null (single-threaded).
#pragma once

#include "gcam/core/tensor.hpp"
#include "gcam/fast/targets.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

// (D1), returning a new tensor.
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool* pool);
// (D1) into `y`, which is resized and overwritten.
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool* pool, Tensor& y);
// (D2)–(D4), adding into the gradients that `targets` asks for.
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db,
                     ThreadPool* pool, Targets targets = {});

}  // namespace fast
}  // namespace gcam

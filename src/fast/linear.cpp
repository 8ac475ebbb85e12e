// Fast dense layer: the reference loops of src/ops/linear.cpp, equations
// (D1)–(D4), as three calls of the cache-blocked gemm (gemm.hpp).
//   (D1) y  = x·Wᵀ + b      (D2) dx += dy·W      (D3) dW += dyᵀ·x      (D4) db += column sums of dy
// Each output element is computed by one thread in a fixed order (see gemm.hpp),
// and db sums over the batch in the reference's order: bit-identical results
// for any thread count. tests/test_fast_kernels.cpp checks agreement.
#include "gcam/fast/linear.hpp"

#include <algorithm>
#include <cstddef>

#include "gcam/core/error.hpp"
#include "gcam/fast/gemm.hpp"

namespace gcam {
namespace fast {

using std::size_t;
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool* pool) {
  Tensor y;
  linear_forward(x, w, b, pool, y);
  return y;
}

void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool* pool, Tensor& y) {
  const int N = x.dim(0), In = x.dim(1), Out = w.dim(0);
  y.resize({N, Out});  // every element is written below
  // (D1) y = b, then y += x·Wᵀ
  for (int n = 0; n < N; ++n) std::copy(b.data(), b.data() + Out, y.data() + size_t(n) * Out);
  gemm(Trans::No, Trans::Yes, N, Out, In, x.data(), In, w.data(), In, y.data(), Out, Update::Add, pool);
}

void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db,
                     ThreadPool* pool, Targets targets) {
  const int N = x.dim(0), In = x.dim(1), Out = w.dim(0);
  if (targets.input) require_same_shape("linear backward (dx vs x)", dx, x);
  if (targets.weight) require_same_shape("linear backward (dw vs w)", dw, w);
  if ((targets.bias && db.shape() != Shape{Out}) || dy.shape() != Shape{N, Out})
    throw ShapeError("linear backward: db " + shape_string(db.shape()) + " or dy " + shape_string(dy.shape()) +
                     " does not match weight " + shape_string(w.shape()) + " and input " + shape_string(x.shape()));
  // (D2) dx += dy·W
  if (targets.input)
    gemm(Trans::No, Trans::No, N, In, Out, dy.data(), Out, w.data(), In, dx.data(), In, Update::Add, pool);
  // (D3) dW += dyᵀ·x
  if (targets.weight)
    gemm(Trans::Yes, Trans::No, Out, In, N, dy.data(), Out, x.data(), In, dw.data(), In, Update::Add, pool);
  // (D4) db += column sums of dy, n ascending as in the reference kernel.
  for (int n = 0; targets.bias && n < N; ++n)
    for (int o = 0; o < Out; ++o) db[size_t(o)] += dy.at(n, o);
}

}  // namespace fast
}  // namespace gcam

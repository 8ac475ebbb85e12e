// global_avg_pool: equations (P5) and (P6) of include/gcam/ops/global_avg_pool.hpp —
// the reference loops, then the tape record and its backward rule.
#include "gcam/ops/global_avg_pool.hpp"

#include <algorithm>

#include "op_record.hpp"

namespace gcam {

// ---- reference forward (P5) and backward (P6) ---------------------------------------
Tensor global_avg_pool_forward(const Tensor& x) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  Tensor y({N, C});
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      Scalar sum = 0;
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) sum += x.at(n, c, i, j);
      y.at(n, c) = sum / Scalar(H * W);
    }
  return y;
}

void global_avg_pool_backward(const Tensor& dy, Tensor& dx) {
  const int N = dx.dim(0), C = dx.dim(1), H = dx.dim(2), W = dx.dim(3);
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) dx.at(n, c, i, j) += dy.at(n, c) / Scalar(H * W);
}

// ---- tape rule and record --------------------------------------------------------
using namespace op_record;

static void backward_global_avg_pool(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  global_avg_pool_backward(dy, grads.accumulator(r.inputs[0]));
}

Var global_avg_pool(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  require_rank("global_avg_pool", "input", xv, 4);
  const Tensor means = global_avg_pool_forward(xv);
  Tensor y = tape.buffer(means.shape());  // a training loop's workspace gets back only what it gave
  std::copy(means.values().begin(), means.values().end(), y.values().begin());
  return tape.record(make(OpKind::GlobalAvgPool, backward_global_avg_pool, {x.id}, std::move(y)));
}

}  // namespace gcam

// max_pool2d: equations (P1) and (P2) of include/gcam/ops/max_pool2d.hpp — the
// reference loops, then the tape record and its backward rule.
#include "gcam/ops/max_pool2d.hpp"

#include "gcam/core/window.hpp"
#include "gcam/fast/pool_relu.hpp"
#include "op_record.hpp"

namespace gcam {

// ---- reference forward (P1) and backward (P2): course exercise ex07 ---------------
// Course exercise ex07: with EXERCISES=ex07, src/exercises/ex07_max_pool.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX07
Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int OH = conv_output_size(H, kernel, stride, 0), OW = conv_output_size(W, kernel, stride, 0);
  Tensor y({N, C, OH, OW});
  winners.assign(y.size(), 0);
  std::size_t e = 0;  // flat output index, row-major like y
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j, ++e) {
          int best = -1;
          Scalar best_value = 0;
          for (int p = 0; p < kernel; ++p)
            for (int q = 0; q < kernel; ++q) {
              const int index = ((n * C + c) * H + i * stride + p) * W + j * stride + q;
              // Strict '>' keeps the first maximum in row-major order on ties.
              if (best < 0 || x[index] > best_value) {
                best = index;
                best_value = x[index];
              }
            }
          y[e] = best_value;
          winners[e] = best;
        }
  return y;
}

void max_pool2d_backward(const Tensor& dy, const std::vector<int>& winners, Tensor& dx) {
  for (std::size_t e = 0; e < dy.size(); ++e) dx[winners[e]] += dy[e];
}
#endif  // GCAM_EXERCISE_EX07

// ---- tape rule and record --------------------------------------------------------
using namespace op_record;

static void backward_max_pool2d(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  max_pool2d_backward(dy, r.winners, grads.accumulator(r.inputs[0]));
}

Var max_pool2d(Tape& tape, Var x, int kernel, int stride) {
  const Tensor& xv = tape.value(x);
  check_pool("max_pool2d", xv, kernel, stride);
  Record r = make(OpKind::MaxPool2d, backward_max_pool2d, {x.id}, Tensor());
  if (use_fast(tape)) {
    const Shape out = {xv.dim(0), xv.dim(1), conv_output_size(xv.dim(2), kernel, stride, 0),
                       conv_output_size(xv.dim(3), kernel, stride, 0)};
    r.value = tape.buffer(out);
    r.winners = tape.index_buffer(numel(out));
    fast::max_pool2d_forward(xv, kernel, stride, r.winners, tape.pool(), r.value);
  } else {
    r.value = max_pool2d_forward(xv, kernel, stride, r.winners);
  }
  r.attrs.kernel = kernel;
  r.attrs.stride = stride;
  return tape.record(std::move(r));
}

}  // namespace gcam

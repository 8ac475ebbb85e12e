// avg_pool2d: equations (P3) and (P4) of include/gcam/ops/avg_pool2d.hpp — the
// reference loops, then the tape record and its backward rule.
#include "gcam/ops/avg_pool2d.hpp"

#include "gcam/core/window.hpp"
#include "op_record.hpp"

namespace gcam {

// ---- reference forward (P3) and backward (P4) ---------------------------------------
Tensor avg_pool2d_forward(const Tensor& x, int kernel, int stride) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int OH = conv_output_size(H, kernel, stride, 0), OW = conv_output_size(W, kernel, stride, 0);
  const Scalar inv_area = Scalar(1) / Scalar(kernel * kernel);
  Tensor y({N, C, OH, OW});
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          Scalar sum = 0;
          for (int p = 0; p < kernel; ++p)
            for (int q = 0; q < kernel; ++q) sum += x.at(n, c, i * stride + p, j * stride + q);
          y.at(n, c, i, j) = sum * inv_area;
        }
  return y;
}

void avg_pool2d_backward(const Tensor& dy, int kernel, int stride, Tensor& dx) {
  const int N = dy.dim(0), C = dy.dim(1), OH = dy.dim(2), OW = dy.dim(3);
  const Scalar inv_area = Scalar(1) / Scalar(kernel * kernel);
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j)
          for (int p = 0; p < kernel; ++p)
            for (int q = 0; q < kernel; ++q)
              dx.at(n, c, i * stride + p, j * stride + q) += dy.at(n, c, i, j) * inv_area;
}

// ---- tape rule and record --------------------------------------------------------
using namespace op_record;

static void backward_avg_pool2d(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  avg_pool2d_backward(dy, r.attrs.kernel, r.attrs.stride, grads.accumulator(r.inputs[0]));
}

Var avg_pool2d(Tape& tape, Var x, int kernel, int stride) {
  const Tensor& xv = tape.value(x);
  check_pool("avg_pool2d", xv, kernel, stride);
  Record r = make(OpKind::AvgPool2d, backward_avg_pool2d, {x.id}, avg_pool2d_forward(xv, kernel, stride));
  r.attrs.kernel = kernel;
  r.attrs.stride = stride;
  return tape.record(std::move(r));
}

}  // namespace gcam

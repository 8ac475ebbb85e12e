// conv2d: equations (C1)–(C4) of include/gcam/ops/conv2d.hpp — the reference
// loops, then the tape record and its backward rule.
#include "gcam/ops/conv2d.hpp"

#include "gcam/fast/conv2d.hpp"
#include "gcam/ops/relu.hpp"
#include "op_record.hpp"

namespace gcam {

// ---- reference forward (C1): course exercise ex05 -----------------------------
// Course exercise ex05: with EXERCISES=ex05, src/exercises/ex05_conv2d_forward.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX05
Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int O = w.dim(0), KH = w.dim(2), KW = w.dim(3);
  const int OH = conv_output_size(H, KH, stride, padding);
  const int OW = conv_output_size(W, KW, stride, padding);
  Tensor y({N, O, OH, OW});
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < O; ++o)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          Scalar sum = b[o];  // (C1) starts from the bias
          for (int c = 0; c < C; ++c)
            for (int p = 0; p < KH; ++p)
              for (int q = 0; q < KW; ++q) {
                const int row = i * stride + p - padding;
                const int col = j * stride + q - padding;
                if (row < 0 || row >= H || col < 0 || col >= W) continue;  // zero padding
                sum += w.at(o, c, p, q) * x.at(n, c, row, col);
              }
          y.at(n, o, i, j) = sum;
        }
  return y;
}
#endif  // GCAM_EXERCISE_EX05

// ---- reference backward (C2)–(C4): course exercise ex06 ------------------------
// The forward multiplies w[o,c,p,q] with x[n,c,row,col] and adds it to
// y[n,o,i,j]. The chain rule sends dy[n,o,i,j] back along exactly that product:
// to x, scaled by w; to w, scaled by x; to b, unscaled. So the backward visits
// the same (n,o,i,j,c,p,q) loop as the forward.
// Course exercise ex06: with EXERCISES=ex06, src/exercises/ex06_conv2d_backward.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX06
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int O = w.dim(0), KH = w.dim(2), KW = w.dim(3);
  const int OH = dy.dim(2), OW = dy.dim(3);
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < O; ++o)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          const Scalar g = dy.at(n, o, i, j);
          db[o] += g;  // (C4)
          for (int c = 0; c < C; ++c)
            for (int p = 0; p < KH; ++p)
              for (int q = 0; q < KW; ++q) {
                const int row = i * stride + p - padding;
                const int col = j * stride + q - padding;
                if (row < 0 || row >= H || col < 0 || col >= W) continue;
                dx.at(n, c, row, col) += w.at(o, c, p, q) * g;  // (C2)
                dw.at(o, c, p, q) += x.at(n, c, row, col) * g;  // (C3)
              }
        }
}
#endif  // GCAM_EXERCISE_EX06

// ---- tape rule and record --------------------------------------------------------
using namespace op_record;

// The rule of conv2d (C2)–(C4), and of conv2d_relu (CR2): dy counts only
// where the rectified output is positive.
static void backward_conv2d(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& x = input_value(tape, r, 0);
  const Tensor& w = input_value(tape, r, 1);
  const bool rectified = r.kind == OpKind::Conv2dRelu;
  if (use_fast(tape)) {
    Tensor unused;
    fast::conv2d_backward(x, w, dy, r.attrs.stride, r.attrs.padding, adjoint_if_needed(r, 0, grads, unused),
                          adjoint_if_needed(r, 1, grads, unused), adjoint_if_needed(r, 2, grads, unused), tape.pool(),
                          targets(r, grads), r.saved.empty() ? nullptr : &r.saved, rectified ? &r.value : nullptr);
    return;
  }
  Tensor masked;
  if (rectified) {
    masked = Tensor(dy.shape());
    relu_backward(r.value, dy, masked);  // (R2): y > 0 exactly where the convolution's output is
  }
  conv2d_backward(x, w, rectified ? masked : dy, r.attrs.stride, r.attrs.padding, grads.accumulator(r.inputs[0]),
                  grads.accumulator(r.inputs[1]), grads.accumulator(r.inputs[2]));
}

static void check_conv2d(const Tensor& xv, const Tensor& wv, const Tensor& bv, int stride, int padding) {
  require_rank("conv2d", "input", xv, 4);
  require_rank("conv2d", "weight", wv, 4);
  if (stride < 1 || padding < 0) shape_error("conv2d", "stride must be >= 1 and padding >= 0");
  if (wv.dim(1) != xv.dim(1))
    shape_error("conv2d", "input " + shape_string(xv.shape()) + " has " + std::to_string(xv.dim(1)) +
                              " channels but weight " + shape_string(wv.shape()) + " expects " +
                              std::to_string(wv.dim(1)));
  if (bv.shape() != Shape{wv.dim(0)})
    shape_error("conv2d", "bias " + shape_string(bv.shape()) + " does not match weight " + shape_string(wv.shape()));
  if (xv.dim(2) + 2 * padding < wv.dim(2) || xv.dim(3) + 2 * padding < wv.dim(3))
    shape_error("conv2d", "kernel of weight " + shape_string(wv.shape()) + " is larger than padded input " +
                              shape_string(xv.shape()));
}

// Records (C1), or (CR1) when `kind` is Conv2dRelu.
static Var record_conv2d(Tape& tape, OpKind kind, Var x, Var weight, Var bias, int stride, int padding) {
  const Tensor& xv = tape.value(x);
  const Tensor& wv = tape.value(weight);
  const Tensor& bv = tape.value(bias);
  check_conv2d(xv, wv, bv, stride, padding);
  const bool rectify = kind == OpKind::Conv2dRelu;
  Tensor y, padded;  // fast, training: x on the padded grid, kept for the weight gradient (C3)
  if (use_fast(tape)) {
    y = tape.buffer({xv.dim(0), wv.dim(0), conv_output_size(xv.dim(2), wv.dim(2), stride, padding),
                     conv_output_size(xv.dim(3), wv.dim(3), stride, padding)});
    if (tape.keeps_for_weight_gradients()) padded = tape.buffer(fast::padded_input_shape(xv, wv, stride, padding));
    fast::conv2d_forward(xv, wv, bv, stride, padding, tape.pool(), y, padded.empty() ? nullptr : &padded, rectify);
  } else {
    y = conv2d_forward(xv, wv, bv, stride, padding);
    if (rectify) y = relu_forward(y);
  }
  Record r = make(kind, backward_conv2d, {x.id, weight.id, bias.id}, std::move(y));
  r.saved = std::move(padded);
  r.attrs.stride = stride;
  r.attrs.padding = padding;
  return tape.record(std::move(r));
}

Var conv2d(Tape& tape, Var x, Var weight, Var bias, int stride, int padding) {
  return record_conv2d(tape, OpKind::Conv2d, x, weight, bias, stride, padding);
}

Var conv2d_relu(Tape& tape, Var x, Var weight, Var bias, int stride, int padding) {
  return record_conv2d(tape, OpKind::Conv2dRelu, x, weight, bias, stride, padding);
}

}  // namespace gcam

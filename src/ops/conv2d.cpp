// conv2d: equations (C1)–(C4) of include/gcam/ops/conv2d.hpp — the reference
// loops, then the tape record and its backward rule.
#include "gcam/ops/conv2d.hpp"

#include "gcam/fast/conv2d.hpp"
#include "gcam/ops/max_pool2d.hpp"
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

// What the fused records apply after the convolution, for the fast kernels.
static fast::Epilogue epilogue_of(OpKind kind) {
  if (kind == OpKind::Conv2dRelu) return fast::Epilogue::Relu;
  if (kind == OpKind::Conv2dReluMaxPool) return fast::Epilogue::ReluMaxPool;
  return fast::Epilogue::None;
}

// The gradient of the convolution's own output, by the reference loops: dy
// itself (conv2d); (CR2) dy·[y > 0]; (CRP2) dy·[z > 0] sent to the winners
// (at a winner the unpooled y is z).
static Tensor convolution_output_gradient(const Record& r, const Tensor& dy, const Shape& unpooled) {
  if (r.kind == OpKind::Conv2d) return dy;
  Tensor masked(dy.shape());
  relu_backward(r.value, dy, masked);  // (R2)
  if (r.kind == OpKind::Conv2dRelu) return masked;
  Tensor g(unpooled);
  max_pool2d_backward(masked, r.winners, g);  // (P2)
  return g;
}

// The rule of conv2d (C2)–(C4), and of the fused records (CR2), (CRP2).
static void backward_conv2d(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& x = input_value(tape, r, 0);
  const Tensor& w = input_value(tape, r, 1);
  if (use_fast(tape)) {
    Tensor unused;
    const fast::EpilogueOutput after{epilogue_of(r.kind), &r.value, &r.winners};
    fast::conv2d_backward(x, w, dy, r.attrs.stride, r.attrs.padding, adjoint_if_needed(r, 0, grads, unused),
                          adjoint_if_needed(r, 1, grads, unused), adjoint_if_needed(r, 2, grads, unused), tape.pool(),
                          targets(r, grads), r.saved.empty() ? nullptr : &r.saved, after);
    return;
  }
  const Shape unpooled{x.dim(0), w.dim(0), conv_output_size(x.dim(2), w.dim(2), r.attrs.stride, r.attrs.padding),
                       conv_output_size(x.dim(3), w.dim(3), r.attrs.stride, r.attrs.padding)};
  conv2d_backward(x, w, convolution_output_gradient(r, dy, unpooled), r.attrs.stride, r.attrs.padding,
                  grads.accumulator(r.inputs[0]), grads.accumulator(r.inputs[1]), grads.accumulator(r.inputs[2]));
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

// Records (C1), or (CR1), (CRP1) for the fused kinds.
static Var record_conv2d(Tape& tape, OpKind kind, Var x, Var weight, Var bias, int stride, int padding) {
  const Tensor& xv = tape.value(x);
  const Tensor& wv = tape.value(weight);
  const Tensor& bv = tape.value(bias);
  check_conv2d(xv, wv, bv, stride, padding);
  const int OH = conv_output_size(xv.dim(2), wv.dim(2), stride, padding);
  const int OW = conv_output_size(xv.dim(3), wv.dim(3), stride, padding);
  const bool pooled = kind == OpKind::Conv2dReluMaxPool;
  if (pooled && (OH < 2 || OW < 2)) shape_error("conv2d_relu_max_pool", "the 2×2 window is larger than the map");
  Record r = make(kind, backward_conv2d, {x.id, weight.id, bias.id}, Tensor());
  if (use_fast(tape)) {  // training: x on the padded grid, kept for the weight gradient (C3)
    const Shape out = pooled ? Shape{xv.dim(0), wv.dim(0), OH / 2, OW / 2} : Shape{xv.dim(0), wv.dim(0), OH, OW};
    r.value = tape.buffer(out);
    if (pooled) r.winners = tape.index_buffer(numel(out));
    if (tape.keeps_for_weight_gradients()) r.saved = tape.buffer(fast::padded_input_shape(xv, wv, stride, padding));
    fast::conv2d_forward(xv, wv, bv, stride, padding, tape.pool(), r.value, r.saved.empty() ? nullptr : &r.saved,
                         epilogue_of(kind), &r.winners);
  } else {
    r.value = conv2d_forward(xv, wv, bv, stride, padding);
    if (kind != OpKind::Conv2d) r.value = relu_forward(r.value);
    if (pooled) r.value = max_pool2d_forward(r.value, 2, 2, r.winners);
  }
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

Var conv2d_relu_max_pool(Tape& tape, Var x, Var weight, Var bias, int stride, int padding) {
  return record_conv2d(tape, OpKind::Conv2dReluMaxPool, x, weight, bias, stride, padding);
}

}  // namespace gcam

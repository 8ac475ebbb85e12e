// linear: equations (D1)–(D4) of include/gcam/ops/linear.hpp — the reference
// loops, then the tape record and its backward rule.
#include "gcam/ops/linear.hpp"

#include "gcam/fast/linear.hpp"
#include "op_record.hpp"

namespace gcam {

// ---- reference forward (D1) and backward (D2)–(D4): course exercise ex03 --------
// Course exercise ex03: with EXERCISES=ex03, src/exercises/ex03_linear.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX03
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  const int N = x.dim(0), In = x.dim(1), Out = w.dim(0);
  Tensor y({N, Out});
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Out; ++o) {
      Scalar sum = b[o];
      for (int i = 0; i < In; ++i) sum += w.at(o, i) * x.at(n, i);
      y.at(n, o) = sum;
    }
  return y;
}

void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db) {
  const int N = x.dim(0), In = x.dim(1), Out = w.dim(0);
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Out; ++o) {
      const Scalar g = dy.at(n, o);
      db[o] += g;  // (D4)
      for (int i = 0; i < In; ++i) {
        dx.at(n, i) += g * w.at(o, i);  // (D2)
        dw.at(o, i) += g * x.at(n, i);  // (D3)
      }
    }
}
#endif  // GCAM_EXERCISE_EX03

// ---- tape rule and record --------------------------------------------------------
using namespace op_record;

static void backward_linear(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& x = input_value(tape, r, 0);
  const Tensor& w = input_value(tape, r, 1);
  if (use_fast(tape)) {
    Tensor unused;
    fast::linear_backward(x, w, dy, adjoint_if_needed(r, 0, grads, unused), adjoint_if_needed(r, 1, grads, unused),
                          adjoint_if_needed(r, 2, grads, unused), tape.pool(), targets(r, grads));
    return;
  }
  linear_backward(x, w, dy, grads.accumulator(r.inputs[0]), grads.accumulator(r.inputs[1]),
                  grads.accumulator(r.inputs[2]));
}

Var linear(Tape& tape, Var x, Var weight, Var bias) {
  const Tensor& xv = tape.value(x);
  const Tensor& wv = tape.value(weight);
  const Tensor& bv = tape.value(bias);
  require_rank("linear", "input", xv, 2);
  require_rank("linear", "weight", wv, 2);
  if (wv.dim(1) != xv.dim(1))
    shape_error("linear", "input " + shape_string(xv.shape()) + " has " + std::to_string(xv.dim(1)) +
                              " features but weight " + shape_string(wv.shape()) + " expects " +
                              std::to_string(wv.dim(1)));
  if (bv.shape() != Shape{wv.dim(0)})
    shape_error("linear", "bias " + shape_string(bv.shape()) + " does not match weight " + shape_string(wv.shape()));
  Tensor y;
  if (use_fast(tape)) {
    y = tape.buffer({xv.dim(0), wv.dim(0)});
    fast::linear_forward(xv, wv, bv, tape.pool(), y);
  } else {
    y = linear_forward(xv, wv, bv);
  }
  return tape.record(make(OpKind::Linear, backward_linear, {x.id, weight.id, bias.id}, std::move(y)));
}

}  // namespace gcam

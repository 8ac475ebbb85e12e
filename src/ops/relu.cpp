// relu: equations (R1) and (R2) of include/gcam/ops/relu.hpp — the reference
// loops, then the tape record and its backward rule.
#include "gcam/ops/relu.hpp"

#include "gcam/fast/pool_relu.hpp"
#include "op_record.hpp"

namespace gcam {

// ---- reference forward (R1) and backward (R2): course exercise ex02 ---------------
// Course exercise ex02: with EXERCISES=ex02, src/exercises/ex02_relu.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX02
Tensor relu_forward(const Tensor& x) {
  Tensor y(x.shape());
  for (std::size_t e = 0; e < x.size(); ++e) y[e] = x[e] > 0 ? x[e] : Scalar(0);
  return y;
}

void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  for (std::size_t e = 0; e < x.size(); ++e)
    if (x[e] > 0) dx[e] += dy[e];
}
#endif  // GCAM_EXERCISE_EX02

// ---- tape rule and record --------------------------------------------------------
using namespace op_record;

static void backward_relu(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& x = input_value(tape, r, 0);
  if (!use_fast(tape)) return relu_backward(x, dy, grads.accumulator(r.inputs[0]));
  // When dy is freed after this rule (training), its buffer becomes dx, masked in place.
  if (Tensor* dx = grads.reuse_upstream(r)) return fast::relu_backward_in_place(x, *dx);
  fast::relu_backward(x, dy, grads.accumulator(r.inputs[0]));
}

Var relu(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  if (!use_fast(tape)) return tape.record(make(OpKind::Relu, backward_relu, {x.id}, relu_forward(xv)));
  Tensor y = tape.buffer(xv.shape());
  fast::relu_forward(xv, y);
  return tape.record(make(OpKind::Relu, backward_relu, {x.id}, std::move(y)));
}

}  // namespace gcam

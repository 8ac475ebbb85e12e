// add, mul and scale (include/gcam/ops/elementwise.hpp): each forward loop with
// its tape record, and the backward rule right below it.
#include "gcam/ops/elementwise.hpp"

#include "op_record.hpp"

namespace gcam {

using namespace op_record;

static void backward_add(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  // ∂(a+b)/∂a = ∂(a+b)/∂b = 1; a+a visits a twice. On a fast training tape,
  // a's gradient may simply take over dy's buffer (Gradients::reuse_upstream).
  const Tensor* upstream = &dy;
  std::size_t next = 0;
  if (use_fast(tape))
    if (Tensor* moved = grads.reuse_upstream(r)) upstream = moved, next = 1;
  for (; next < r.inputs.size(); ++next) {
    Tensor& d = grads.accumulator(r.inputs[next]);
    for (std::size_t e = 0; e < d.size(); ++e) d[e] += (*upstream)[e];
  }
}

Var add(Tape& tape, Var a, Var b) {
  const Tensor& av = tape.value(a);
  const Tensor& bv = tape.value(b);
  require_same_shape("add", av, bv);
  Tensor y = tape.buffer(av.shape());
  for (std::size_t e = 0; e < y.size(); ++e) y[e] = av[e] + bv[e];
  return tape.record(make(OpKind::Add, backward_add, {a.id, b.id}, std::move(y)));
}

static void backward_mul(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& a = input_value(tape, r, 0);
  const Tensor& b = input_value(tape, r, 1);
  Tensor& da = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < dy.size(); ++e) da[e] += dy[e] * b[e];  // ∂(a⊙b)/∂a = b
  Tensor& db = grads.accumulator(r.inputs[1]);
  for (std::size_t e = 0; e < dy.size(); ++e) db[e] += dy[e] * a[e];  // ∂(a⊙b)/∂b = a
}

Var mul(Tape& tape, Var a, Var b) {
  const Tensor& av = tape.value(a);
  const Tensor& bv = tape.value(b);
  require_same_shape("mul", av, bv);
  Tensor y(av.shape());
  for (std::size_t e = 0; e < y.size(); ++e) y[e] = av[e] * bv[e];
  return tape.record(make(OpKind::Mul, backward_mul, {a.id, b.id}, std::move(y)));
}

static void backward_scale(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& da = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < dy.size(); ++e) da[e] += r.attrs.factor * dy[e];
}

Var scale(Tape& tape, Var a, Scalar k) {
  const Tensor& av = tape.value(a);
  Tensor y(av.shape());
  for (std::size_t e = 0; e < y.size(); ++e) y[e] = k * av[e];
  Record r = make(OpKind::Scale, backward_scale, {a.id}, std::move(y));
  r.attrs.factor = k;
  return tape.record(std::move(r));
}

}  // namespace gcam

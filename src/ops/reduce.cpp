// sum and mean of all elements (include/gcam/ops/reduce.hpp): the tape records
// and their one backward rule, which spreads dy evenly over the input.
#include "gcam/ops/reduce.hpp"

#include "op_record.hpp"

namespace gcam {

using namespace op_record;

static void backward_sum_or_mean(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& da = grads.accumulator(r.inputs[0]);
  const Scalar each = r.kind == OpKind::Mean ? dy[0] / Scalar(da.size()) : dy[0];
  for (std::size_t e = 0; e < da.size(); ++e) da[e] += each;
}

Var sum(Tape& tape, Var a) {
  Scalar total = 0;
  for (Scalar v : tape.value(a).values()) total += v;
  return tape.record(make(OpKind::Sum, backward_sum_or_mean, {a.id}, Tensor(Shape{}, total)));
}

Var mean(Tape& tape, Var a) {
  const Tensor& av = tape.value(a);
  if (av.empty()) shape_error("mean", "mean of an empty tensor " + shape_string(av.shape()));
  Scalar total = 0;
  for (Scalar v : av.values()) total += v;
  return tape.record(make(OpKind::Mean, backward_sum_or_mean, {a.id}, Tensor(Shape{}, total / Scalar(av.size()))));
}

}  // namespace gcam

// reshape and flatten (include/gcam/ops/reshape.hpp): the tape record and its
// backward rule. The values do not change, only the shape they are read in.
#include "gcam/ops/reshape.hpp"

#include <algorithm>

#include "op_record.hpp"

namespace gcam {

using namespace op_record;

static void backward_reshape(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& dx = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < dy.size(); ++e) dx[e] += dy[e];  // same values, other shape
}

Var reshape(Tape& tape, Var x, Shape shape) {
  const Tensor& xv = tape.value(x);
  if (numel(shape) != xv.size())
    shape_error("reshape", "cannot reshape " + shape_string(xv.shape()) + " to " + shape_string(shape));
  Tensor y = tape.buffer(shape);
  std::copy(xv.values().begin(), xv.values().end(), y.values().begin());  // same values, new shape
  return tape.record(make(OpKind::Reshape, backward_reshape, {x.id}, std::move(y)));
}

Var flatten(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  if (xv.rank() < 1) shape_error("flatten", "needs at least one dimension, got a scalar");
  const int n = xv.dim(0);
  return reshape(tape, x, {n, n == 0 ? 0 : static_cast<int>(xv.size() / static_cast<std::size_t>(n))});
}

}  // namespace gcam

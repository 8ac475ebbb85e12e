// select, the class score y^c of each row (include/gcam/ops/select.hpp): the
// tape record and its backward rule, a one-hot per row.
#include "gcam/ops/select.hpp"

#include "op_record.hpp"

namespace gcam {

using namespace op_record;

static void backward_select(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& dz = grads.accumulator(r.inputs[0]);  // ∂y^c/∂z_k = [k = c]: a one-hot per row
  for (std::size_t n = 0; n < r.attrs.labels.size(); ++n) dz.at(static_cast<int>(n), r.attrs.labels[n]) += dy[n];
}

Var select(Tape& tape, Var logits, const std::vector<int>& classes) {
  const Tensor& z = tape.value(logits);
  require_rows("select", z);
  require_labels("select", z, classes);
  Tensor y({z.dim(0)});
  for (int n = 0; n < z.dim(0); ++n) y[static_cast<std::size_t>(n)] = z.at(n, classes[static_cast<std::size_t>(n)]);
  Record r = make(OpKind::Select, backward_select, {logits.id}, std::move(y));
  r.attrs.labels = classes;
  return tape.record(std::move(r));
}

}  // namespace gcam

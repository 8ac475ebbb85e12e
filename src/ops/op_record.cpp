// The helpers every op file shares (see op_record.hpp).
#include "op_record.hpp"

#include "gcam/core/error.hpp"

namespace gcam {
namespace op_record {

void shape_error(const char* op, const std::string& what) { throw ShapeError(std::string(op) + ": " + what); }

void require_rank(const char* op, const char* arg, const Tensor& t, int rank) {
  if (t.rank() != rank)
    shape_error(
        op, std::string(arg) + " must have rank " + std::to_string(rank) + ", got shape " + shape_string(t.shape()));
}

void check_pool(const char* op, const Tensor& x, int kernel, int stride) {
  require_rank(op, "input", x, 4);
  if (kernel < 1 || stride < 1) shape_error(op, "kernel and stride must be >= 1");
  if (x.dim(2) < kernel || x.dim(3) < kernel)
    shape_error(op, "window " + std::to_string(kernel) + "x" + std::to_string(kernel) + " is larger than input " +
                        shape_string(x.shape()));
}

void require_rows(const char* op, const Tensor& z) {
  require_rank(op, "logits", z, 2);
  if (z.dim(1) < 1) shape_error(op, "needs at least one class, got shape " + shape_string(z.shape()));
}

void require_labels(const char* op, const Tensor& z, const std::vector<int>& labels) {
  if (labels.size() != static_cast<std::size_t>(z.dim(0)))
    shape_error(op, std::to_string(labels.size()) + " labels for logits " + shape_string(z.shape()));
  for (int c : labels)
    if (c < 0 || c >= z.dim(1))
      shape_error(op, "class " + std::to_string(c) + " out of range for logits " + shape_string(z.shape()));
}

Record make(OpKind kind, RuleFunction rule, std::vector<int> inputs, Tensor value) {
  Record r;
  r.kind = kind;
  r.rule = rule;
  r.inputs = std::move(inputs);
  r.value = std::move(value);
  return r;
}

const Tensor& input_value(const Tape& tape, const Record& r, int i) {
  return tape.at(r.inputs[static_cast<std::size_t>(i)]).output();
}

bool use_fast(const Tape& tape) { return tape.kernels() == Kernels::Fast; }

fast::Targets targets(const Record& r, const Gradients& grads) {
  return {grads.needed(r.inputs[0]), grads.needed(r.inputs[1]), grads.needed(r.inputs[2])};
}

Tensor& adjoint_if_needed(const Record& r, int i, Gradients& grads, Tensor& unused) {
  const int id = r.inputs[static_cast<std::size_t>(i)];
  return grads.needed(id) ? grads.accumulator(id) : unused;
}

}  // namespace op_record
}  // namespace gcam

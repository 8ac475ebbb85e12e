// The recorded ops. For each op: its forward (check shapes, compute with a
// kernel, record) and right below it its backward rule (the chain rule for
// that op, adding into the inputs' adjoints). standard_backward at the end is
// the one switch that maps an OpKind to its rule.
#include "gcam/ops/ops.hpp"

#include <algorithm>

#include "gcam/core/error.hpp"
#include "gcam/fast/kernels.hpp"
#include "gcam/ops/kernels.hpp"

namespace gcam {

namespace {

[[noreturn]] void shape_error(const char* op, const std::string& what) {
  throw ShapeError(std::string(op) + ": " + what);
}

void require_rank(const char* op, const char* arg, const Tensor& t, int rank) {
  if (t.rank() != rank)
    shape_error(op, std::string(arg) + " must have rank " + std::to_string(rank) + ", got shape " +
                        shape_string(t.shape()));
}

Record make_record(OpKind kind, std::vector<int> inputs, Tensor value) {
  Record r;
  r.kind = kind;
  r.inputs = std::move(inputs);
  r.value = std::move(value);
  return r;
}

const Tensor& input_value(const Tape& tape, const Record& r, int i) {
  return tape.at(r.inputs[static_cast<std::size_t>(i)]).output();
}

bool use_fast(const Tape& tape) { return tape.kernels() == Kernels::Fast; }

}  // namespace

// ---- conv2d -------------------------------------------------------------------
Var conv2d(Tape& tape, Var x, Var weight, Var bias, int stride, int padding) {
  const Tensor& xv = tape.value(x);
  const Tensor& wv = tape.value(weight);
  const Tensor& bv = tape.value(bias);
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
  Tensor y;
  if (use_fast(tape)) {
    y = tape.buffer({xv.dim(0), wv.dim(0), conv_output_size(xv.dim(2), wv.dim(2), stride, padding),
                     conv_output_size(xv.dim(3), wv.dim(3), stride, padding)});
    fast::conv2d_forward(xv, wv, bv, stride, padding, tape.pool(), y);
  } else {
    y = conv2d_forward(xv, wv, bv, stride, padding);
  }
  Record r = make_record(OpKind::Conv2d, {x.id, weight.id, bias.id}, std::move(y));
  r.attrs.stride = stride;
  r.attrs.padding = padding;
  return tape.record(std::move(r));
}

// The gradients a conv or dense rule must produce: only those of needed inputs.
static fast::Targets targets(const Record& r, const Gradients& grads) {
  return {grads.needed(r.inputs[0]), grads.needed(r.inputs[1]), grads.needed(r.inputs[2])};
}

// The adjoint of input i if it is needed, else an empty stand-in (not written).
static Tensor& adjoint_if_needed(const Record& r, int i, Gradients& grads, Tensor& unused) {
  const int id = r.inputs[static_cast<std::size_t>(i)];
  return grads.needed(id) ? grads.accumulator(id) : unused;
}

static void backward_conv2d(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& x = input_value(tape, r, 0);
  const Tensor& w = input_value(tape, r, 1);
  if (use_fast(tape)) {
    Tensor unused;
    fast::conv2d_backward(x, w, dy, r.attrs.stride, r.attrs.padding, adjoint_if_needed(r, 0, grads, unused),
                          adjoint_if_needed(r, 1, grads, unused), adjoint_if_needed(r, 2, grads, unused), tape.pool(),
                          targets(r, grads));
    return;
  }
  conv2d_backward(x, w, dy, r.attrs.stride, r.attrs.padding, grads.accumulator(r.inputs[0]),
                  grads.accumulator(r.inputs[1]), grads.accumulator(r.inputs[2]));
}

// ---- pooling --------------------------------------------------------------------
static void check_pool(const char* op, const Tensor& x, int kernel, int stride) {
  require_rank(op, "input", x, 4);
  if (kernel < 1 || stride < 1) shape_error(op, "kernel and stride must be >= 1");
  if (x.dim(2) < kernel || x.dim(3) < kernel)
    shape_error(op, "window " + std::to_string(kernel) + "x" + std::to_string(kernel) + " is larger than input " +
                        shape_string(x.shape()));
}

Var max_pool2d(Tape& tape, Var x, int kernel, int stride) {
  const Tensor& xv = tape.value(x);
  check_pool("max_pool2d", xv, kernel, stride);
  Record r;
  if (use_fast(tape)) {
    const Shape out = {xv.dim(0), xv.dim(1), conv_output_size(xv.dim(2), kernel, stride, 0),
                       conv_output_size(xv.dim(3), kernel, stride, 0)};
    r.value = tape.buffer(out);
    r.winners = tape.index_buffer(numel(out));
    fast::max_pool2d_forward(xv, kernel, stride, r.winners, tape.pool(), r.value);
  } else {
    r.value = max_pool2d_forward(xv, kernel, stride, r.winners);
  }
  r.kind = OpKind::MaxPool2d;
  r.inputs = {x.id};
  r.attrs.kernel = kernel;
  r.attrs.stride = stride;
  return tape.record(std::move(r));
}

static void backward_max_pool2d(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  max_pool2d_backward(dy, r.winners, grads.accumulator(r.inputs[0]));
}

Var avg_pool2d(Tape& tape, Var x, int kernel, int stride) {
  const Tensor& xv = tape.value(x);
  check_pool("avg_pool2d", xv, kernel, stride);
  Record r = make_record(OpKind::AvgPool2d, {x.id}, avg_pool2d_forward(xv, kernel, stride));
  r.attrs.kernel = kernel;
  r.attrs.stride = stride;
  return tape.record(std::move(r));
}

static void backward_avg_pool2d(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  avg_pool2d_backward(dy, r.attrs.kernel, r.attrs.stride, grads.accumulator(r.inputs[0]));
}

Var global_avg_pool(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  require_rank("global_avg_pool", "input", xv, 4);
  return tape.record(make_record(OpKind::GlobalAvgPool, {x.id}, global_avg_pool_forward(xv)));
}

static void backward_global_avg_pool(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  global_avg_pool_backward(dy, grads.accumulator(r.inputs[0]));
}

// ---- linear -----------------------------------------------------------------------
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
  return tape.record(make_record(OpKind::Linear, {x.id, weight.id, bias.id}, std::move(y)));
}

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

// ---- relu -------------------------------------------------------------------------
Var relu(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  if (!use_fast(tape)) return tape.record(make_record(OpKind::Relu, {x.id}, relu_forward(xv)));
  Tensor y = tape.buffer(xv.shape());
  fast::relu_forward(xv, y);
  return tape.record(make_record(OpKind::Relu, {x.id}, std::move(y)));
}

static void backward_relu(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  if (use_fast(tape))
    fast::relu_backward(input_value(tape, r, 0), dy, grads.accumulator(r.inputs[0]));
  else
    relu_backward(input_value(tape, r, 0), dy, grads.accumulator(r.inputs[0]));
}

// ---- shape ops --------------------------------------------------------------------
Var reshape(Tape& tape, Var x, Shape shape) {
  const Tensor& xv = tape.value(x);
  if (numel(shape) != xv.size())
    shape_error("reshape", "cannot reshape " + shape_string(xv.shape()) + " to " + shape_string(shape));
  Tensor y = tape.buffer(shape);
  std::copy(xv.values().begin(), xv.values().end(), y.values().begin());  // same values, new shape
  return tape.record(make_record(OpKind::Reshape, {x.id}, std::move(y)));
}

Var flatten(Tape& tape, Var x) {
  const Tensor& xv = tape.value(x);
  if (xv.rank() < 1) shape_error("flatten", "needs at least one dimension, got a scalar");
  const int n = xv.dim(0);
  return reshape(tape, x, {n, n == 0 ? 0 : static_cast<int>(xv.size() / static_cast<std::size_t>(n))});
}

static void backward_reshape(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& dx = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < dy.size(); ++e) dx[e] += dy[e];  // same values, other shape
}

// ---- elementwise ------------------------------------------------------------------
Var add(Tape& tape, Var a, Var b) {
  const Tensor& av = tape.value(a);
  const Tensor& bv = tape.value(b);
  require_same_shape("add", av, bv);
  Tensor y(av.shape());
  for (std::size_t e = 0; e < y.size(); ++e) y[e] = av[e] + bv[e];
  return tape.record(make_record(OpKind::Add, {a.id, b.id}, std::move(y)));
}

static void backward_add(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  for (int input : r.inputs) {  // ∂(a+b)/∂a = ∂(a+b)/∂b = 1; a+a visits a twice
    Tensor& d = grads.accumulator(input);
    for (std::size_t e = 0; e < dy.size(); ++e) d[e] += dy[e];
  }
}

Var mul(Tape& tape, Var a, Var b) {
  const Tensor& av = tape.value(a);
  const Tensor& bv = tape.value(b);
  require_same_shape("mul", av, bv);
  Tensor y(av.shape());
  for (std::size_t e = 0; e < y.size(); ++e) y[e] = av[e] * bv[e];
  return tape.record(make_record(OpKind::Mul, {a.id, b.id}, std::move(y)));
}

static void backward_mul(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& a = input_value(tape, r, 0);
  const Tensor& b = input_value(tape, r, 1);
  Tensor& da = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < dy.size(); ++e) da[e] += dy[e] * b[e];  // ∂(a⊙b)/∂a = b
  Tensor& db = grads.accumulator(r.inputs[1]);
  for (std::size_t e = 0; e < dy.size(); ++e) db[e] += dy[e] * a[e];  // ∂(a⊙b)/∂b = a
}

Var scale(Tape& tape, Var a, Scalar k) {
  const Tensor& av = tape.value(a);
  Tensor y(av.shape());
  for (std::size_t e = 0; e < y.size(); ++e) y[e] = k * av[e];
  Record r = make_record(OpKind::Scale, {a.id}, std::move(y));
  r.attrs.factor = k;
  return tape.record(std::move(r));
}

static void backward_scale(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& da = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < dy.size(); ++e) da[e] += r.attrs.factor * dy[e];
}

// ---- reductions -------------------------------------------------------------------
Var sum(Tape& tape, Var a) {
  Scalar total = 0;
  for (Scalar v : tape.value(a).values()) total += v;
  return tape.record(make_record(OpKind::Sum, {a.id}, Tensor(Shape{}, total)));
}

Var mean(Tape& tape, Var a) {
  const Tensor& av = tape.value(a);
  if (av.empty()) shape_error("mean", "mean of an empty tensor " + shape_string(av.shape()));
  Scalar total = 0;
  for (Scalar v : av.values()) total += v;
  return tape.record(make_record(OpKind::Mean, {a.id}, Tensor(Shape{}, total / Scalar(av.size()))));
}

static void backward_sum_or_mean(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& da = grads.accumulator(r.inputs[0]);
  const Scalar each = r.kind == OpKind::Mean ? dy[0] / Scalar(da.size()) : dy[0];
  for (std::size_t e = 0; e < da.size(); ++e) da[e] += each;
}

// ---- softmax family ---------------------------------------------------------------
static void require_rows(const char* op, const Tensor& z) {
  require_rank(op, "logits", z, 2);
  if (z.dim(1) < 1) shape_error(op, "needs at least one class, got shape " + shape_string(z.shape()));
}

static void require_labels(const char* op, const Tensor& z, const std::vector<int>& labels) {
  if (labels.size() != static_cast<std::size_t>(z.dim(0)))
    shape_error(op, std::to_string(labels.size()) + " labels for logits " + shape_string(z.shape()));
  for (int c : labels)
    if (c < 0 || c >= z.dim(1))
      shape_error(op, "class " + std::to_string(c) + " out of range for logits " + shape_string(z.shape()));
}

Var softmax(Tape& tape, Var z) {
  require_rows("softmax", tape.value(z));
  return tape.record(make_record(OpKind::Softmax, {z.id}, softmax_forward(tape.value(z))));
}

Var log_softmax(Tape& tape, Var z) {
  require_rows("log_softmax", tape.value(z));
  return tape.record(make_record(OpKind::LogSoftmax, {z.id}, log_softmax_forward(tape.value(z))));
}

static void backward_softmax(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  softmax_backward(r.value, dy, grads.accumulator(r.inputs[0]));
}

static void backward_log_softmax(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  log_softmax_backward(r.value, dy, grads.accumulator(r.inputs[0]));
}

Var softmax_cross_entropy(Tape& tape, Var logits, const std::vector<int>& labels) {
  const Tensor& z = tape.value(logits);
  require_rows("softmax_cross_entropy", z);
  require_labels("softmax_cross_entropy", z, labels);
  Record r;
  r.kind = OpKind::SoftmaxCrossEntropy;
  r.inputs = {logits.id};
  r.attrs.labels = labels;
  r.value = Tensor(Shape{}, softmax_cross_entropy_forward(z, labels, r.saved));
  return tape.record(std::move(r));
}

static void backward_softmax_cross_entropy(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  softmax_cross_entropy_backward(r.saved, r.attrs.labels, dy[0], grads.accumulator(r.inputs[0]));
}

Var select(Tape& tape, Var logits, const std::vector<int>& classes) {
  const Tensor& z = tape.value(logits);
  require_rows("select", z);
  require_labels("select", z, classes);
  Tensor y({z.dim(0)});
  for (int n = 0; n < z.dim(0); ++n) y[static_cast<std::size_t>(n)] = z.at(n, classes[static_cast<std::size_t>(n)]);
  Record r = make_record(OpKind::Select, {logits.id}, std::move(y));
  r.attrs.labels = classes;
  return tape.record(std::move(r));
}

static void backward_select(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  Tensor& dz = grads.accumulator(r.inputs[0]);  // ∂y^c/∂z_k = [k = c]: a one-hot per row
  for (std::size_t n = 0; n < r.attrs.labels.size(); ++n) dz.at(static_cast<int>(n), r.attrs.labels[n]) += dy[n];
}

// ---- the dispatch -----------------------------------------------------------------
void standard_backward(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  switch (r.kind) {
    case OpKind::Input:
    case OpKind::Parameter: return;  // leaves: nothing further down
    case OpKind::Conv2d: return backward_conv2d(tape, r, dy, grads);
    case OpKind::MaxPool2d: return backward_max_pool2d(tape, r, dy, grads);
    case OpKind::AvgPool2d: return backward_avg_pool2d(tape, r, dy, grads);
    case OpKind::GlobalAvgPool: return backward_global_avg_pool(tape, r, dy, grads);
    case OpKind::Linear: return backward_linear(tape, r, dy, grads);
    case OpKind::Relu: return backward_relu(tape, r, dy, grads);
    case OpKind::Reshape: return backward_reshape(tape, r, dy, grads);
    case OpKind::Add: return backward_add(tape, r, dy, grads);
    case OpKind::Mul: return backward_mul(tape, r, dy, grads);
    case OpKind::Scale: return backward_scale(tape, r, dy, grads);
    case OpKind::Sum:
    case OpKind::Mean: return backward_sum_or_mean(tape, r, dy, grads);
    case OpKind::Softmax: return backward_softmax(tape, r, dy, grads);
    case OpKind::LogSoftmax: return backward_log_softmax(tape, r, dy, grads);
    case OpKind::SoftmaxCrossEntropy: return backward_softmax_cross_entropy(tape, r, dy, grads);
    case OpKind::Select: return backward_select(tape, r, dy, grads);
  }
}

}  // namespace gcam

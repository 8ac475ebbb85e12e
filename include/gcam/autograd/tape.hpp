// tape.hpp — the reverse-mode autograd engine: a flat list of recorded ops.
//
// Every op appends one Record (its kind, the ids of its inputs, its output
// value and whatever its backward rule needs) to the Tape. A value can only be
// used after it was produced, so the recording order is already a topological
// order of the graph: backward is a single loop from the last record to the
// first, with no recursion and no sorting.
//
// Gradients are not stored on the records. Tape::backward returns a separate
// Gradients object (one adjoint per recorded value), so backward can be called
// any number of times, with any seed, and reading ∂y/∂A for an intermediate A
// is just grads.of(A): no hooks, no "retain_grad".
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam {

class PartSums;
class ThreadPool;
class Workspace;

// Which kernels an op runs: the plain loops that read like the equations, or
// the optimized ones (implicit GEMM and im2col, blocked GEMM, threads) that are tested against them.
enum class Kernels { Reference, Fast };

// The closed set of ops the tape knows. Each op (one file per op in src/ops/)
// records its kind together with its backward rule (Record::rule); the kind
// names the op in DOT graphs and lets a pass replace the rule of one kind
// (BackwardOptions::rules).
enum class OpKind {
  Input,      // a leaf given by the user (an image batch)
  Parameter,  // a leaf owned by a layer (weights, biases)
  Conv2d,
  Conv2dRelu,         // conv2d and relu in one record (training and prediction passes: ops/conv2d.hpp)
  Conv2dReluMaxPool,  // conv2d, relu and a 2×2 max-pool in one record (the same)
  BatchNorm2d,
  MaxPool2d,
  AvgPool2d,
  GlobalAvgPool,
  Linear,
  Relu,
  Reshape,
  Add,
  Scale,
  Mul,
  Sum,
  Mean,
  Softmax,
  LogSoftmax,
  SoftmaxCrossEntropy,
  Select,
};

// Short lowercase name of an op kind ("conv2d", "max_pool2d", ...).
const char* op_name(OpKind kind);

// A handle to one recorded value: its index on the tape.
struct Var {
  int id = -1;
  bool valid() const { return id >= 0; }
};

// The hyper-parameters an op was called with.
struct OpAttributes {
  int stride = 1;
  int padding = 0;
  int kernel = 0;
  Scalar factor = 1;        // scale: the constant k in y = k·x
  std::vector<int> labels;  // select: class per row; cross-entropy: true class per row
  // batch_norm2d: normalized with the batch's own statistics (training) rather
  // than the running ones (evaluation), and the ε and M it used.
  bool batch_statistics = false;
  double epsilon = 0;
  double count = 0;  // M = N·H·W over the whole batch (all parts of a data-parallel batch)
};

class Tape;
class Gradients;
struct Record;

// An op's own backward rule: given its record and the gradient flowing into its
// output (`upstream`), add the gradient of each input into `grads`.
using RuleFunction = void (*)(const Tape& tape, const Record& record, const Tensor& upstream, Gradients& grads);

// One recorded op.
struct Record {
  OpKind kind = OpKind::Input;
  std::string name;             // a layer name such as "conv1", or a leaf's name
  std::vector<int> inputs;      // ids of the values this op read
  RuleFunction rule = nullptr;  // the op's backward rule; null for leaves (nothing below them)
  Tensor value;                 // the value it produced
  OpAttributes attrs;
  std::vector<int> winners;  // max-pool: flat input index of each output's maximum
  // Softmax, cross-entropy: the probabilities; batch norm: (2, C) mean, 1/σ;
  // the fast conv2d on a tape kept for weight gradients: its padded input.
  Tensor saved;
  const Tensor* borrowed = nullptr;  // a parameter leaf refers to the layer's tensor instead of copying it

  // The value this record stands for (its own `value`, or the borrowed tensor).
  const Tensor& output() const { return borrowed ? *borrowed : value; }
};

// The adjoints ∂(seed·output)/∂v of one backward pass, one per recorded value.
class Gradients {
 public:
  Gradients() = default;
  Gradients(const Gradients&) = default;
  Gradients(Gradients&&) = default;
  Gradients& operator=(const Gradients&) = default;
  Gradients& operator=(Gradients&&) = default;
  // Gives the gradient buffers back to the tape's Workspace, if it has one.
  ~Gradients();

  // The gradient with respect to v (same shape as v's value). A value the
  // output does not depend on has a zero gradient. Throws std::logic_error if
  // v lies below the point where the walk was stopped (it was never computed).
  const Tensor& of(Var v) const&;
  // On a temporary Gradients (tape.backward(y).of(A)) a copy is returned, so
  // no reference to a destroyed object can be kept.
  Tensor of(Var v) &&;
  // True if v's gradient was reached by the walk (else it is zero or unknown).
  bool reached(Var v) const;
  // For backward rules: the adjoint of value `id`, created as zeros of the
  // value's shape on first use, ready for `+=`.
  Tensor& accumulator(int id);
  // For the backward rule of record `r` when its first input's gradient has
  // the upstream gradient's shape and is computed from it element by element
  // (ReLU): the buffer of r's adjoint, moved to become that input's adjoint,
  // when that is safe: r's adjoint is not kept (it would be freed after this
  // rule), and the input has no gradient yet. The rule then overwrites it in
  // place (no zero-filled buffer, no second buffer), and must not read its
  // `upstream` argument again: that was the moved buffer. Null when not safe;
  // the rule then adds into accumulator(r.inputs[0]) as usual.
  Tensor* reuse_upstream(const Record& r);
  // Number of records whose backward rule ran in this pass.
  int rules_run() const { return rules_run_; }
  // For backward rules: whether value `id` needs a gradient in this pass (see
  // BackwardOptions::wrt). Rules may skip the work for inputs that do not.
  bool needed(int id) const { return needed_.empty() || needed_[static_cast<std::size_t>(id)]; }
  // Whether value `id`'s gradient is kept for of(): every value, or only the
  // BackwardOptions::wrt values when keep_intermediate is false.
  bool kept(int id) const { return kept_.empty() || kept_[static_cast<std::size_t>(id)]; }

 private:
  friend class Tape;
  void release(int id);  // frees value id's adjoint (back to the workspace, if any)
  const Tape* tape_ = nullptr;
  std::vector<Tensor> adjoint_;
  std::vector<bool> reached_;
  std::vector<bool> needed_;        // empty: every value
  std::vector<bool> kept_;          // empty: every value
  Workspace* workspace_ = nullptr;  // where adjoint buffers come from and go back to
  int stop_ = -1;
  int rules_run_ = 0;
};

// A backward rule: given a record and the gradient flowing into its output
// (`upstream`), add the gradient of each input into `grads`.
using BackwardRule =
    std::function<void(const Tape& tape, const Record& record, const Tensor& upstream, Gradients& grads)>;

struct BackwardOptions {
  // Stop once this value's gradient is complete: records at or below it are
  // not visited, so nothing below it is computed (Grad-CAM needs only ∂y/∂A).
  Var stop_at;
  // Rules that replace the standard one for an op kind during this pass only
  // (guided backprop replaces Relu; LRP replaces every layer's rule).
  std::map<OpKind, BackwardRule> rules;
  // The values whose gradients are wanted; empty = all. Only records that
  // depend on one of them are visited, and rules may skip the gradients of
  // other inputs (training wants the parameters, not the images; Grad-CAM
  // wants A, not the weights above it). Gradients::of throws for the others.
  std::vector<Var> wrt;
  // With wrt given: false keeps only the wrt values' gradients and frees every
  // other adjoint as soon as its rule has run (training uses it: less memory).
  bool keep_intermediate = true;
};

class Tape {
 public:
  // With a Workspace, the tape takes its buffers from it and gives them back
  // when cleared or destroyed (a training loop reuses them every batch).
  explicit Tape(Kernels kernels = Kernels::Reference, ThreadPool* pool = nullptr, Workspace* workspace = nullptr);
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;
  ~Tape();

  // Leaves.
  Var input(Tensor value, std::string name = "input");
  // A layer's parameter. The tape refers to `value` without copying it, so
  // `value` must outlive the tape and stay unchanged until backward is done
  // (the optimizer updates it afterwards). A temporary is copied instead.
  Var parameter(const Tensor& value, std::string name);
  Var parameter(Tensor&& value, std::string name);

  // Appends a record (used by the ops in ops.hpp) and returns its handle.
  Var record(Record r);
  // Names a recorded value (layers name their outputs: "conv1", "relu2").
  void set_name(Var v, std::string name);

  const Tensor& value(Var v) const;
  const Record& at(Var v) const;
  const Record& at(int id) const;
  // The id of a record of this tape (a rule that is handed `r` asks where it stands).
  int id_of(const Record& r) const;
  int size() const { return static_cast<int>(records_.size()); }
  Kernels kernels() const { return kernels_; }
  ThreadPool* pool() const { return pool_; }
  Workspace* workspace() const { return workspace_; }
  // For ops: an output buffer of `shape` (values unspecified), from the
  // workspace when there is one.
  Tensor buffer(const Shape& shape) const;
  std::vector<int> index_buffer(std::size_t size) const;

  // Reverse-mode pass: seeds `output` with `seed` (same shape as the output)
  // and walks the records backwards once. For a one-hot y^c use a seed with a
  // 1 at class c; for a scalar loss use backward(loss).
  Gradients backward(Var output, const Tensor& seed, const BackwardOptions& options = {}) const;
  // Same, with seed 1 for every element of `output` (a scalar loss: dL/dL = 1).
  Gradients backward(Var output, const BackwardOptions& options = {}) const;

  // The recorded graph as Graphviz DOT text (`dot -Tpng`), one node per value.
  std::string to_dot() const;

  // Data-parallel training: this tape records part `part` of a batch whose
  // parts add up their batch statistics in `sums` (batch norm; see
  // part_sums.hpp). Without it the tape's batch is the whole batch.
  void share_batch(PartSums* sums, int part) {
    part_sums_ = sums;
    part_ = part;
  }
  PartSums* part_sums() const { return part_sums_; }
  // Which part of the batch this tape records (0 when it is the whole batch).
  int part() const { return part_; }

  // For training: the records may keep what only the weights' gradients
  // read, to save the backward work (the fast conv2d keeps its input on the
  // padded grid, so the weight gradient need not pad it again). Off by
  // default: predictions and explanations never ask for the weights'
  // gradients, and keeping would only cost them memory traffic.
  void keep_for_weight_gradients(bool keep) { keep_for_weights_ = keep; }
  bool keeps_for_weight_gradients() const { return keep_for_weights_; }

  // Forgets all records (keeps the kernel choice, pool and workspace; the
  // records' buffers go back to the workspace).
  void clear();

 private:
  std::vector<bool> depends_on(const std::vector<Var>& wanted) const;

  Kernels kernels_;
  ThreadPool* pool_;
  Workspace* workspace_;
  PartSums* part_sums_ = nullptr;
  int part_ = 0;
  bool keep_for_weights_ = false;
  std::vector<Record> records_;
};

// The standard chain-rule backward of one record: the rule its op recorded
// (nothing for a leaf). Replacement rules may call it for the parts they do not change.
void standard_backward(const Tape& tape, const Record& record, const Tensor& upstream, Gradients& grads);

}  // namespace gcam

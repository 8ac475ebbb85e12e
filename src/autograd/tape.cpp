// The tape's bookkeeping: recording, lookup, gradients storage and DOT export.
// The backward walk itself is in tape_walk.cpp.
#include "gcam/autograd/tape.hpp"

#include <sstream>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/core/workspace.hpp"

namespace gcam {

const char* op_name(OpKind kind) {
  switch (kind) {
    case OpKind::Input: return "input";
    case OpKind::Parameter: return "parameter";
    case OpKind::Conv2d: return "conv2d";
    case OpKind::Conv2dRelu: return "conv2d_relu";
    case OpKind::Conv2dReluMaxPool: return "conv2d_relu_max_pool";
    case OpKind::BatchNorm2d: return "batch_norm2d";
    case OpKind::MaxPool2d: return "max_pool2d";
    case OpKind::AvgPool2d: return "avg_pool2d";
    case OpKind::GlobalAvgPool: return "global_avg_pool";
    case OpKind::Linear: return "linear";
    case OpKind::Relu: return "relu";
    case OpKind::Reshape: return "reshape";
    case OpKind::Add: return "add";
    case OpKind::Scale: return "scale";
    case OpKind::Mul: return "mul";
    case OpKind::Sum: return "sum";
    case OpKind::Mean: return "mean";
    case OpKind::Softmax: return "softmax";
    case OpKind::LogSoftmax: return "log_softmax";
    case OpKind::SoftmaxCrossEntropy: return "softmax_cross_entropy";
    case OpKind::Select: return "select";
  }
  return "unknown";
}

void standard_backward(const Tape& tape, const Record& record, const Tensor& upstream, Gradients& grads) {
  if (record.rule) record.rule(tape, record, upstream, grads);
}

Tape::Tape(Kernels kernels, ThreadPool* pool, Workspace* workspace)
    : kernels_(kernels), pool_(pool), workspace_(workspace) {}

Tape::~Tape() { clear(); }

void Tape::clear() {
  if (workspace_)
    for (Record& r : records_) {
      workspace_->give(std::move(r.value));
      workspace_->give(std::move(r.saved));
      workspace_->give(std::move(r.winners));
    }
  records_.clear();
}

Tensor Tape::buffer(const Shape& shape) const { return workspace_ ? workspace_->take(shape) : Tensor(shape); }

std::vector<int> Tape::index_buffer(std::size_t size) const {
  return workspace_ ? workspace_->take_indices(size) : std::vector<int>(size);
}

int Tape::id_of(const Record& r) const {
  const std::ptrdiff_t id = &r - records_.data();
  if (id < 0 || id >= static_cast<std::ptrdiff_t>(records_.size()))
    throw std::logic_error("Tape::id_of: the record is not on this tape");
  return static_cast<int>(id);
}

Var Tape::input(Tensor value, std::string name) {
  Record r;
  r.kind = OpKind::Input;
  r.name = std::move(name);
  r.value = std::move(value);
  return record(std::move(r));
}

Var Tape::parameter(const Tensor& value, std::string name) {
  Record r;
  r.kind = OpKind::Parameter;
  r.name = std::move(name);
  r.borrowed = &value;
  return record(std::move(r));
}

Var Tape::parameter(Tensor&& value, std::string name) {
  Record r;
  r.kind = OpKind::Parameter;
  r.name = std::move(name);
  r.value = std::move(value);
  return record(std::move(r));
}

Var Tape::record(Record r) {
  for (int id : r.inputs)
    if (id < 0 || id >= size())
      throw std::logic_error(std::string(op_name(r.kind)) + ": input id " + std::to_string(id) +
                             " is not a value on this tape");
  records_.push_back(std::move(r));
  return Var{size() - 1};
}

void Tape::set_name(Var v, std::string name) {
  at(v);  // validates the id
  records_[static_cast<std::size_t>(v.id)].name = std::move(name);
}

const Record& Tape::at(int id) const {
  if (id < 0 || id >= size())
    throw std::out_of_range("tape: value id " + std::to_string(id) + " is not on this tape (size " +
                            std::to_string(size()) + ")");
  return records_[static_cast<std::size_t>(id)];
}

const Record& Tape::at(Var v) const { return at(v.id); }

const Tensor& Tape::value(Var v) const { return at(v.id).output(); }

Gradients Tape::backward(Var output, const BackwardOptions& options) const {
  return backward(output, Tensor(value(output).shape(), Scalar(1)), options);
}

std::string Tape::to_dot() const {
  std::ostringstream out;
  out << "digraph tape {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n";
  for (int id = 0; id < size(); ++id) {
    const Record& r = records_[static_cast<std::size_t>(id)];
    out << "  v" << id << " [label=\"#" << id << " " << op_name(r.kind);
    if (!r.name.empty()) out << " '" << r.name << "'";
    out << "\\n" << shape_string(r.output().shape()) << "\"";
    if (r.kind == OpKind::Input || r.kind == OpKind::Parameter) out << ", style=rounded";
    out << "];\n";
    for (int in : r.inputs) out << "  v" << in << " -> v" << id << ";\n";
  }
  out << "}\n";
  return out.str();
}

// needed[i]: record i is one of `wanted` or (transitively) reads one. One
// forward sweep suffices, for the same reason one reverse sweep does.
std::vector<bool> Tape::depends_on(const std::vector<Var>& wanted) const {
  if (wanted.empty()) return {};
  std::vector<bool> needed(records_.size(), false);
  for (Var v : wanted) {
    at(v);  // throws for a value that is not on this tape
    needed[static_cast<std::size_t>(v.id)] = true;
  }
  for (std::size_t i = 0; i < records_.size(); ++i)
    for (int input : records_[i].inputs) needed[i] = needed[i] || needed[static_cast<std::size_t>(input)];
  return needed;
}

// ---- Gradients --------------------------------------------------------------
bool Gradients::reached(Var v) const {
  return v.id >= 0 && static_cast<std::size_t>(v.id) < reached_.size() && reached_[static_cast<std::size_t>(v.id)];
}

const Tensor& Gradients::of(Var v) const& {
  const Record& r = tape_->at(v);  // throws for ids not on the tape
  if (v.id < stop_)
    throw std::logic_error("gradient of value #" + std::to_string(v.id) + " ('" + r.name + "', " + op_name(r.kind) +
                           ") was not computed: the backward walk stopped at #" + std::to_string(stop_));
  if (!needed(v.id) || !kept(v.id))
    throw std::logic_error("gradient of value #" + std::to_string(v.id) + " ('" + r.name + "', " + op_name(r.kind) +
                           ") was not kept: it is not in BackwardOptions::wrt");
  return adjoint_[static_cast<std::size_t>(v.id)];
}

Tensor Gradients::of(Var v) && { return static_cast<const Gradients&>(*this).of(v); }

Gradients::~Gradients() {
  if (workspace_)
    for (Tensor& g : adjoint_) workspace_->give(std::move(g));
}

void Gradients::release(int id) {
  Tensor& g = adjoint_[static_cast<std::size_t>(id)];
  if (workspace_) workspace_->give(std::move(g));
  g = Tensor();
}

Tensor* Gradients::reuse_upstream(const Record& r) {
  const int from = tape_->id_of(r), to = r.inputs.at(0);
  const std::size_t f = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
  if (from == to || kept(from) || reached_[t] || !reached_[f] || adjoint_[f].shape() != tape_->at(to).output().shape())
    return nullptr;
  adjoint_[t] = std::move(adjoint_[f]);
  adjoint_[f] = Tensor();
  reached_[t] = true;
  return &adjoint_[t];
}

Tensor& Gradients::accumulator(int id) {
  Tensor& g = adjoint_[static_cast<std::size_t>(id)];
  if (!reached_[static_cast<std::size_t>(id)]) {
    const Shape& shape = tape_->at(id).output().shape();
    g = workspace_ ? workspace_->take_zeros(shape) : Tensor(shape);
    reached_[static_cast<std::size_t>(id)] = true;
  }
  return g;
}

}  // namespace gcam

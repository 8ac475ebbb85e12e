// layers.hpp — layers own their parameters and record their ops on a tape.
//
// A layer's forward puts its parameters on the tape as leaves (so that
// backward yields their gradients), records its op, and names the output
// record after the layer ("conv1"), which is how Grad-CAM finds A.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gcam/autograd/tape.hpp"
#include "gcam/core/rng.hpp"

namespace gcam {

// A named tensor of a layer, e.g. "conv1.weight" of shape (16, 1, 3, 3): a
// trainable parameter, or a buffer such as batch norm's "bn1.running_mean".
struct Parameter {
  std::string name;
  Tensor value;
};

// What a pass that wants only the logits (prediction) or only the parameter
// gradients (training) may fuse, to save passes over memory. Some named
// values then hold another op's output, so explanations never ask for these.
struct Fusions {
  // A convolution followed by an evaluation-mode batch norm runs with the
  // batch norm folded into its weights (B7, ops/batch_norm2d.hpp), and the
  // batch norm passes its input on. Both names then hold the normalized
  // value, and the folded parameters are not in parameter_vars (so: for the
  // logits only).
  bool fold_batch_norm = false;
  // A convolution followed by a ReLU records one conv2d_relu (CR1,
  // ops/conv2d.hpp), and the ReLU passes it on; followed by a ReLU and a
  // 2×2, stride-2 max-pool, one conv2d_relu_max_pool (CRP1), and both pass
  // it on. The names then hold the fused record's value. The same logits and
  // gradients, bit for bit. With fold_batch_norm, a convolution whose folded
  // batch norm is followed by a ReLU records a conv2d_relu too.
  bool fuse_relu = false;
  bool any() const { return fold_batch_norm || fuse_relu; }
};

// What one forward pass put on the tape.
struct ForwardPass {
  Var input;
  Var logits;                       // (N, classes): pre-softmax scores
  std::vector<Var> layer_outputs;   // one per layer run, in model order
  std::vector<Var> outputs;         // every named output run (Model::outputs()), in recording order
  std::vector<Var> parameter_vars;  // in the order of Model::parameters()

  // Re-running part of a model (Model::forward_above): the named output with
  // index `replaced` (in Model::outputs()) is taken to be `replacement`.
  int replaced = -1;
  Var replacement;
  // Index in Model::outputs() of the next named output to be recorded.
  int next_output = 0;
  // What this pass fuses (Model::forward's argument).
  Fusions fusions;
  // The last fused record: the ReLU layer given `rectified` passes it on,
  // and so does the max-pool layer given `pooled`.
  Var rectified, pooled;

  // A layer hands each named value it records to emit(), in the order of its
  // outputs: emit keeps it (or swaps in the replacement) and returns what the
  // layer must go on with.
  Var emit(Var v);
};

// The name and shape (without the batch) of a value inside a composite layer.
struct NamedShape {
  std::string name;
  Shape shape;
};

class Layer {
 public:
  explicit Layer(std::string name) : name_(std::move(name)) {}
  virtual ~Layer() = default;

  const std::string& name() const { return name_; }
  // The op this layer records (its name for messages: op_name(kind())).
  virtual OpKind kind() const = 0;
  // One line for summaries: "conv2d 1→16, 3×3, stride 1, pad 1".
  virtual std::string describe() const = 0;
  // Output shape (without the batch) for an input of shape (without the batch).
  // Throws ShapeError when the input does not fit.
  virtual Shape output_shape(const Shape& input) const = 0;

  // Records the layer on the tape. Each parameter put on the tape is appended
  // to pass.parameter_vars, in the order of parameters(); a composite layer
  // passes each named value inside it through pass.emit (inner_outputs()).
  virtual Var forward(Tape& tape, Var x, ForwardPass& pass) = 0;

  // The trainable tensors.
  virtual std::vector<Parameter*> parameters() { return {}; }
  // Tensors that are saved but not trained (batch norm's running statistics).
  virtual std::vector<Parameter*> buffers() { return {}; }
  // Everything a checkpoint holds, in PyTorch's state_dict order.
  virtual std::vector<Parameter*> state();
  // A composite layer's named values, in the order its forward emits them
  // (the layer's own output, named name(), comes after them).
  virtual std::vector<NamedShape> inner_outputs(const Shape& input) const {
    (void)input;
    return {};
  }
  // Training mode (batch statistics) or evaluation mode (running statistics).
  virtual void set_training(bool training) { (void)training; }
  // Whether the output is a feature map made by convolutions (a conv layer,
  // or a block of them): a candidate for Grad-CAM's default target.
  virtual bool convolutional() const { return false; }

 private:
  std::string name_;
};

// Conv2d: weight (out, in, k, k), bias (out). He-initialized: uniform in
// ±sqrt(6 / fan_in), fan_in = in·k·k (variance 2/fan_in), bias 0. Without a
// bias (before batch norm, whose β does its job) the bias stays zero and is
// neither trained nor saved, as PyTorch's bias=False.
class BatchNorm2d;

class Conv2d : public Layer {
 public:
  Conv2d(std::string name, int in_channels, int out_channels, int kernel, int stride, int padding,
         bool has_bias = true);
  OpKind kind() const override { return OpKind::Conv2d; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
  std::vector<Parameter*> parameters() override;
  bool convolutional() const override { return true; }
  void initialize(Rng& rng);

  Parameter weight, bias;
  int in_channels, out_channels, kernel, stride, padding;
  bool has_bias;
  // The batch norm that directly follows this convolution, if any (set by
  // fold_into(); used by a ForwardPass with fold_batch_norm).
  const BatchNorm2d* batch_norm_after = nullptr;
  // Whether a ReLU layer directly follows, and a 2×2, stride-2 max-pool
  // layer after it (set by the model's builder; used by a ForwardPass with
  // fuse_relu).
  bool relu_after = false, max_pool_after_relu = false;
};

// Batch normalization (ops/batch_norm2d.hpp): weight γ = 1 and bias β = 0
// (trained), running_mean = 0 and running_var = 1 (buffers, updated by (B5)
// in training mode and used in evaluation mode).
class BatchNorm2d : public Layer {
 public:
  BatchNorm2d(std::string name, int channels);
  OpKind kind() const override { return OpKind::BatchNorm2d; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
  std::vector<Parameter*> parameters() override { return {&weight, &bias}; }
  std::vector<Parameter*> buffers() override { return {&running_mean, &running_var}; }
  void set_training(bool on) override { training = on; }

  Parameter weight, bias, running_mean, running_var;
  int channels;
  bool training = false;
  bool follows_conv = false;  // set by fold_into(): a folded pass skips this layer
  bool relu_after = false;    // a ReLU layer directly follows (set by the model's builder or block)
};

// Marks `bn` as the batch norm directly after `conv`, so that inference may
// fold it into the convolution (Fusions::fold_batch_norm).
void fold_into(Conv2d& conv, BatchNorm2d& bn);

// Dense (fully connected): weight (out, in), bias (out). He-initialized.
class Dense : public Layer {
 public:
  Dense(std::string name, int in_features, int out_features);
  OpKind kind() const override { return OpKind::Linear; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
  std::vector<Parameter*> parameters() override { return {&weight, &bias}; }
  void initialize(Rng& rng);

  Parameter weight, bias;
  int in_features, out_features;
};

class ReLU : public Layer {
 public:
  using Layer::Layer;
  OpKind kind() const override { return OpKind::Relu; }
  std::string describe() const override { return "relu"; }
  Shape output_shape(const Shape& input) const override { return input; }
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
};

// Max or average pooling over k×k windows every `stride` cells, no padding.
class Pool2d : public Layer {
 public:
  enum class Mode { Max, Average };
  Pool2d(std::string name, Mode mode, int kernel, int stride)
      : Layer(std::move(name)), mode(mode), kernel(kernel), stride(stride) {}
  OpKind kind() const override { return mode == Mode::Max ? OpKind::MaxPool2d : OpKind::AvgPool2d; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
  Mode mode;
  int kernel, stride;
};

// (N, C, H, W) → (N, C): the mean of each feature map.
class GlobalAvgPool : public Layer {
 public:
  using Layer::Layer;
  OpKind kind() const override { return OpKind::GlobalAvgPool; }
  std::string describe() const override { return "global average pool"; }
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
};

// (N, C, H, W) → (N, C·H·W).
class Flatten : public Layer {
 public:
  using Layer::Layer;
  OpKind kind() const override { return OpKind::Reshape; }
  std::string describe() const override { return "flatten"; }
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
};

}  // namespace gcam

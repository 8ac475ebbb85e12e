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

// A named trainable tensor, e.g. "conv1.weight" of shape (16, 1, 3, 3).
struct Parameter {
  std::string name;
  Tensor value;
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
  // to `parameter_vars`, in the order of parameters().
  virtual Var forward(Tape& tape, Var x, std::vector<Var>& parameter_vars) = 0;

  virtual std::vector<Parameter*> parameters() { return {}; }

 private:
  std::string name_;
};

// Conv2d: weight (out, in, k, k), bias (out). He-initialized: uniform in
// ±sqrt(6 / fan_in), fan_in = in·k·k (variance 2/fan_in), bias 0.
class Conv2d : public Layer {
 public:
  Conv2d(std::string name, int in_channels, int out_channels, int kernel, int stride, int padding);
  OpKind kind() const override { return OpKind::Conv2d; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, std::vector<Var>& parameter_vars) override;
  std::vector<Parameter*> parameters() override { return {&weight, &bias}; }
  void initialize(Rng& rng);

  Parameter weight, bias;
  int in_channels, out_channels, kernel, stride, padding;
};

// Dense (fully connected): weight (out, in), bias (out). He-initialized.
class Dense : public Layer {
 public:
  Dense(std::string name, int in_features, int out_features);
  OpKind kind() const override { return OpKind::Linear; }
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, std::vector<Var>& parameter_vars) override;
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
  Var forward(Tape& tape, Var x, std::vector<Var>& parameter_vars) override;
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
  Var forward(Tape& tape, Var x, std::vector<Var>& parameter_vars) override;
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
  Var forward(Tape& tape, Var x, std::vector<Var>& parameter_vars) override;
};

// (N, C, H, W) → (N, C·H·W).
class Flatten : public Layer {
 public:
  using Layer::Layer;
  OpKind kind() const override { return OpKind::Reshape; }
  std::string describe() const override { return "flatten"; }
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, std::vector<Var>& parameter_vars) override;
};

}  // namespace gcam

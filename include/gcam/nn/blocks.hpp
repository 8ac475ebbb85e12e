// blocks.hpp — composite layers: a layer made of named sub-layers.
//
// The residual block of ResNet (He et al. 2016), torchvision's BasicBlock:
//
//   x ─┬─ conv1 3×3 (stride s) ─ bn1 ─ relu1 ─ conv2 3×3 ─ bn2 ─┐
//      │                                                        (+) ─ sum ─ relu ─▶ y
//      └─ shortcut: x itself, or downsample.0 (conv 1×1, stride s) ─ downsample.1 (bn) ─┘
//
// x is used twice (by conv1 and by the shortcut), so on the tape its gradient
// is the sum of the gradients through both branches: the add's rule sends dy
// to each, and the walk adds what reaches x (the multivariable chain rule).
// The shortcut is what lets the gradient reach early layers undamped.
//
// Names follow torchvision's state_dict: a block that is the only block of
// stage "layer2" names its tensors "layer2.0.conv1.weight", ...,
// "layer2.0.downsample.1.running_var". Its named values are "layer2.0.conv1",
// "layer2.0.bn1", "layer2.0.relu1", "layer2.0.conv2", "layer2.0.bn2",
// ("layer2.0.downsample.0", "layer2.0.downsample.1"), "layer2.0.sum", and its
// output is "layer2": each of them is a Grad-CAM target.
#pragma once

#include <functional>
#include <memory>

#include "gcam/nn/layers.hpp"

namespace gcam {

// A branch's backward: the gradient its input receives when `upstream`
// flows into its output (a vector-Jacobian product).
using BranchBackward = std::function<Tensor(const Tensor& upstream)>;

// The block's backward by hand, from the two branches' own backwards:
// (RB1) d_sum = dy ⊙ [sum > 0]                           (the last ReLU, as (R2))
// (RB2) dx = body(d_sum) + shortcut(d_sum)                (x was used twice: the gradients of both uses add)
// With the identity shortcut, shortcut(d) = d. The tape computes the same on
// its own (the add's rule sends d_sum to both branches, the walk adds what
// reaches x); tests/test_resnet.cpp holds the two together. Course exercise ex14.
Tensor residual_block_input_gradient(const Tensor& sum, const Tensor& dy, const BranchBackward& body,
                                     const BranchBackward& shortcut);

class BasicBlock : public Layer {
 public:
  // `stage` is the block's name ("layer2"); the shortcut becomes a 1×1
  // convolution with batch norm when stride ≠ 1 or the channel count changes.
  BasicBlock(std::string stage, int in_channels, int out_channels, int stride);
  OpKind kind() const override { return OpKind::Relu; }  // the op that makes its output: relu(sum)
  std::string describe() const override;
  Shape output_shape(const Shape& input) const override;
  Var forward(Tape& tape, Var x, ForwardPass& pass) override;
  std::vector<Parameter*> parameters() override;
  std::vector<Parameter*> buffers() override;
  std::vector<Parameter*> state() override;
  std::vector<NamedShape> inner_outputs(const Shape& input) const override;
  void set_training(bool training) override;
  bool convolutional() const override { return true; }
  void initialize(Rng& rng);

  // The prefix of the sub-layers' names: "<stage>.0".
  const std::string prefix;
  Conv2d conv1;
  BatchNorm2d bn1;
  ReLU relu1;
  Conv2d conv2;
  BatchNorm2d bn2;
  std::unique_ptr<Conv2d> downsample_conv;     // "downsample.0", or null for the identity shortcut
  std::unique_ptr<BatchNorm2d> downsample_bn;  // "downsample.1"

 private:
  // conv1, bn1, relu1, conv2, bn2: the body, in recording order.
  std::vector<const Layer*> body() const;
  std::vector<Layer*> body();
  // The body's sub-layers, then the shortcut's.
  std::vector<Layer*> sublayers();
};

}  // namespace gcam

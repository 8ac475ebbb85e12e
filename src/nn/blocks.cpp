// The residual block (include/gcam/nn/blocks.hpp).
#include "gcam/nn/blocks.hpp"

#include "gcam/ops/ops.hpp"
#include "layer_helpers.hpp"

namespace gcam {

using namespace layer_helpers;

// ---- the block's backward by hand (RB1)-(RB2): course exercise ex14 ---------------
// Course exercise ex14: with EXERCISES=ex14, src/exercises/ex14_residual_backward.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX14
Tensor residual_block_input_gradient(const Tensor& sum, const Tensor& dy, const BranchBackward& body,
                                     const BranchBackward& shortcut) {
  Tensor d_sum(sum.shape());
  for (std::size_t e = 0; e < sum.size(); ++e) d_sum[e] = sum[e] > 0 ? dy[e] : Scalar(0);  // (RB1)
  Tensor dx = body(d_sum);
  const Tensor through_shortcut = shortcut(d_sum);
  for (std::size_t e = 0; e < dx.size(); ++e) dx[e] += through_shortcut[e];  // (RB2)
  return dx;
}
#endif  // GCAM_EXERCISE_EX14

BasicBlock::BasicBlock(std::string stage, int in, int out, int stride)
    : Layer(stage),
      prefix(stage + ".0"),
      conv1(prefix + ".conv1", in, out, 3, stride, 1, /*has_bias=*/false),
      bn1(prefix + ".bn1", out),
      relu1(prefix + ".relu1"),
      conv2(prefix + ".conv2", out, out, 3, 1, 1, /*has_bias=*/false),
      bn2(prefix + ".bn2", out) {
  fold_into(conv1, bn1);
  fold_into(conv2, bn2);
  bn1.relu_after = true;  // relu1
  if (stride != 1 || in != out) {
    downsample_conv = std::make_unique<Conv2d>(prefix + ".downsample.0", in, out, 1, stride, 0, /*has_bias=*/false);
    downsample_bn = std::make_unique<BatchNorm2d>(prefix + ".downsample.1", out);
    fold_into(*downsample_conv, *downsample_bn);
  }
}

std::vector<const Layer*> BasicBlock::body() const { return {&conv1, &bn1, &relu1, &conv2, &bn2}; }

std::vector<Layer*> BasicBlock::body() { return {&conv1, &bn1, &relu1, &conv2, &bn2}; }

std::vector<Layer*> BasicBlock::sublayers() {
  std::vector<Layer*> all = body();
  if (downsample_conv) all.insert(all.end(), {downsample_conv.get(), downsample_bn.get()});
  return all;
}

void BasicBlock::initialize(Rng& rng) {
  conv1.initialize(rng);
  conv2.initialize(rng);
  if (downsample_conv) downsample_conv->initialize(rng);
}

std::string BasicBlock::describe() const {
  return "basic block " + std::to_string(conv1.in_channels) + "->" + std::to_string(conv1.out_channels) + ", stride " +
         std::to_string(conv1.stride) + (downsample_conv ? ", 1x1 downsample" : ", identity shortcut");
}

Shape BasicBlock::output_shape(const Shape& input) const { return inner_outputs(input).back().shape; }

std::vector<NamedShape> BasicBlock::inner_outputs(const Shape& input) const {
  std::vector<NamedShape> named;
  Shape shape = input;
  for (const Layer* l : body()) {
    shape = l->output_shape(shape);
    named.push_back({l->name(), shape});
  }
  if (downsample_conv) {
    const Shape s = downsample_conv->output_shape(input);
    named.push_back({downsample_conv->name(), s});
    named.push_back({downsample_bn->name(), downsample_bn->output_shape(s)});
  } else if (input != shape) {
    layer_shape_error(*this, "an identity shortcut needs the body to keep the shape " + shape_string(shape), input);
  }
  named.push_back({prefix + ".sum", shape});
  return named;
}

Var BasicBlock::forward(Tape& tape, Var x, ForwardPass& pass) {
  Var h = x;
  for (Layer* l : body()) h = pass.emit(l->forward(tape, h, pass));
  Var shortcut = x;  // x's second use: its gradient will be the sum over both branches
  if (downsample_conv) {
    shortcut = pass.emit(downsample_conv->forward(tape, x, pass));
    shortcut = pass.emit(downsample_bn->forward(tape, shortcut, pass));
  }
  const Var sum = pass.emit(named(tape, add(tape, h, shortcut), prefix + ".sum"));
  return named(tape, relu(tape, sum), name());
}

std::vector<Parameter*> BasicBlock::parameters() {
  std::vector<Parameter*> all;
  for (Layer* l : sublayers())
    for (Parameter* p : l->parameters()) all.push_back(p);
  return all;
}

std::vector<Parameter*> BasicBlock::buffers() {
  std::vector<Parameter*> all;
  for (Layer* l : sublayers())
    for (Parameter* p : l->buffers()) all.push_back(p);
  return all;
}

std::vector<Parameter*> BasicBlock::state() {
  std::vector<Parameter*> all;  // sub-layer by sub-layer, as torchvision's state_dict
  for (Layer* l : sublayers())
    for (Parameter* p : l->state()) all.push_back(p);
  return all;
}

void BasicBlock::set_training(bool training) {
  for (Layer* l : sublayers()) l->set_training(training);
}

}  // namespace gcam

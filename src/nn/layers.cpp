#include "gcam/nn/layers.hpp"

#include <cmath>

#include "gcam/core/error.hpp"
#include "gcam/ops/ops.hpp"
#include "layer_helpers.hpp"

namespace gcam {

namespace layer_helpers {

Var named(Tape& tape, Var v, const std::string& name) {
  tape.set_name(v, name);
  return v;
}

Var put_parameter(Tape& tape, const Parameter& p, std::vector<Var>& vars) {
  vars.push_back(tape.parameter(p.value, p.name));
  return vars.back();
}

[[noreturn]] void layer_shape_error(const Layer& layer, const std::string& what, const Shape& input) {
  throw ShapeError(std::string(op_name(layer.kind())) + " layer '" + layer.name() + "': " + what + ", input shape " +
                   shape_string(input));
}

}  // namespace layer_helpers

using namespace layer_helpers;

namespace {

// He (Kaiming) uniform: U(−b, b) with b = sqrt(6 / fan_in), so Var = 2 / fan_in,
// which keeps the activation variance steady through ReLU layers. Uniform
// rather than normal so that only +, ×, sqrt are used: the same seed gives the
// same bits on every platform.
void he_uniform(Tensor& t, int fan_in, Rng& rng) {
  const double bound = std::sqrt(6.0 / fan_in);
  for (std::size_t e = 0; e < t.size(); ++e) t[e] = static_cast<Scalar>(rng.uniform(-bound, bound));
}

Shape pooled_shape(const Layer& layer, const Shape& input, int kernel, int stride) {
  if (input.size() != 3) layer_shape_error(layer, "needs a (C, H, W) feature map", input);
  if (input[1] < kernel || input[2] < kernel) layer_shape_error(layer, "window larger than the map", input);
  return {input[0], conv_output_size(input[1], kernel, stride, 0), conv_output_size(input[2], kernel, stride, 0)};
}

}  // namespace

Var ForwardPass::emit(Var v) {
  const int index = next_output++;
  if (index == replaced) v = replacement;
  outputs.push_back(v);
  return v;
}

std::vector<Parameter*> Layer::state() {
  std::vector<Parameter*> all = parameters();
  for (Parameter* b : buffers()) all.push_back(b);
  return all;
}

// ---- Conv2d -----------------------------------------------------------------
Conv2d::Conv2d(std::string name, int in, int out, int k, int s, int p, bool with_bias)
    : Layer(name), in_channels(in), out_channels(out), kernel(k), stride(s), padding(p), has_bias(with_bias) {
  weight = {name + ".weight", Tensor({out, in, k, k})};
  bias = {name + ".bias", Tensor({out})};
}

std::vector<Parameter*> Conv2d::parameters() {
  if (has_bias) return {&weight, &bias};
  return {&weight};
}

void Conv2d::initialize(Rng& rng) {
  he_uniform(weight.value, in_channels * kernel * kernel, rng);
  bias.value.fill(0);
}

std::string Conv2d::describe() const {
  return "conv2d " + std::to_string(in_channels) + "->" + std::to_string(out_channels) + ", " + std::to_string(kernel) +
         "x" + std::to_string(kernel) + ", stride " + std::to_string(stride) + ", pad " + std::to_string(padding) +
         (has_bias ? "" : ", no bias");
}

Shape Conv2d::output_shape(const Shape& input) const {
  if (input.size() != 3 || input[0] != in_channels)
    layer_shape_error(*this, "needs (" + std::to_string(in_channels) + ", H, W)", input);
  if (input[1] + 2 * padding < kernel || input[2] + 2 * padding < kernel)
    layer_shape_error(*this, "kernel larger than the padded map", input);
  return {out_channels, conv_output_size(input[1], kernel, stride, padding),
          conv_output_size(input[2], kernel, stride, padding)};
}

Var Conv2d::forward(Tape& tape, Var x, ForwardPass& pass) {
  Var w, b;
  bool relu_next = relu_after;  // the layer after this record's output
  if (pass.fusions.fold_batch_norm && batch_norm_after && !batch_norm_after->training) {  // (B7)
    const BatchNorm2d& bn = *batch_norm_after;
    FoldedConv folded = fold_batch_norm(weight.value, bias.value, bn.weight.value, bn.bias.value, bn.running_mean.value,
                                        bn.running_var.value);
    w = tape.parameter(std::move(folded.weight), name() + ".weight with " + bn.name() + " folded in");
    b = tape.parameter(std::move(folded.bias), name() + ".bias with " + bn.name() + " folded in");
    relu_next = bn.relu_after;  // the batch norm passes this on
  } else {
    w = put_parameter(tape, weight, pass.parameter_vars);
    // Without a bias the zero bias is a constant leaf: no gradient is asked of it.
    b = has_bias ? put_parameter(tape, bias, pass.parameter_vars)
                 : tape.parameter(bias.value, name() + " (no bias: 0)");
  }
  if (!pass.fusions.fuse_relu || !relu_next) return named(tape, conv2d(tape, x, w, b, stride, padding), name());
  if (max_pool_after_relu) {  // (CRP1): the ReLU and the max-pool pass it on
    pass.rectified = pass.pooled = conv2d_relu_max_pool(tape, x, w, b, stride, padding);
    return named(tape, pass.pooled, name());
  }
  pass.rectified = conv2d_relu(tape, x, w, b, stride, padding);  // (CR1): the ReLU passes it on
  return named(tape, pass.rectified, name());
}

// ---- BatchNorm2d --------------------------------------------------------------
BatchNorm2d::BatchNorm2d(std::string name, int c) : Layer(name), channels(c) {
  weight = {name + ".weight", Tensor({c}, 1)};
  bias = {name + ".bias", Tensor({c}, 0)};
  running_mean = {name + ".running_mean", Tensor({c}, 0)};
  running_var = {name + ".running_var", Tensor({c}, 1)};
}

std::string BatchNorm2d::describe() const { return "batch norm " + std::to_string(channels); }

Shape BatchNorm2d::output_shape(const Shape& input) const {
  if (input.size() != 3 || input[0] != channels)
    layer_shape_error(*this, "needs (" + std::to_string(channels) + ", H, W)", input);
  return input;
}

Var BatchNorm2d::forward(Tape& tape, Var x, ForwardPass& pass) {
  if (pass.fusions.fold_batch_norm && follows_conv && !training) return x;  // (B7): the convolution applied it
  const Var g = put_parameter(tape, weight, pass.parameter_vars);
  const Var b = put_parameter(tape, bias, pass.parameter_vars);
  if (!training)
    return named(tape, batch_norm2d_evaluation(tape, x, g, b, running_mean.value, running_var.value), name());
  BatchStatistics stats;
  const Var y = batch_norm2d_training(tape, x, g, b, &stats);
  // Every part of a data-parallel batch saw the same whole-batch statistics; one of them applies (B5).
  if (tape.part() == 0) update_running_statistics(stats, running_mean.value, running_var.value);
  return named(tape, y, name());
}

void fold_into(Conv2d& conv, BatchNorm2d& bn) {
  conv.batch_norm_after = &bn;
  bn.follows_conv = true;
}

// ---- Dense ------------------------------------------------------------------
Dense::Dense(std::string name, int in, int out) : Layer(name), in_features(in), out_features(out) {
  weight = {name + ".weight", Tensor({out, in})};
  bias = {name + ".bias", Tensor({out})};
}

void Dense::initialize(Rng& rng) {
  he_uniform(weight.value, in_features, rng);
  bias.value.fill(0);
}

std::string Dense::describe() const {
  return "dense " + std::to_string(in_features) + "->" + std::to_string(out_features);
}

Shape Dense::output_shape(const Shape& input) const {
  if (input != Shape{in_features})
    layer_shape_error(*this, "needs " + std::to_string(in_features) + " features", input);
  return {out_features};
}

Var Dense::forward(Tape& tape, Var x, ForwardPass& pass) {
  const Var w = put_parameter(tape, weight, pass.parameter_vars);
  const Var b = put_parameter(tape, bias, pass.parameter_vars);
  return named(tape, linear(tape, x, w, b), name());
}

// ---- parameter-free layers --------------------------------------------------------
Var ReLU::forward(Tape& tape, Var x, ForwardPass& pass) {
  if (pass.rectified.valid() && x.id == pass.rectified.id) return x;  // the convolution applied it (CR1)
  return named(tape, relu(tape, x), name());
}

std::string Pool2d::describe() const {
  return std::string(mode == Mode::Max ? "max" : "avg") + " pool " + std::to_string(kernel) + "x" +
         std::to_string(kernel) + ", stride " + std::to_string(stride);
}
Shape Pool2d::output_shape(const Shape& input) const { return pooled_shape(*this, input, kernel, stride); }
Var Pool2d::forward(Tape& tape, Var x, ForwardPass& pass) {
  if (pass.pooled.valid() && x.id == pass.pooled.id) return x;  // the convolution pooled it (CRP1)
  const Var y = mode == Mode::Max ? max_pool2d(tape, x, kernel, stride) : avg_pool2d(tape, x, kernel, stride);
  return named(tape, y, name());
}

Shape GlobalAvgPool::output_shape(const Shape& input) const {
  if (input.size() != 3) layer_shape_error(*this, "needs a (C, H, W) feature map", input);
  return {input[0]};
}
Var GlobalAvgPool::forward(Tape& tape, Var x, ForwardPass&) { return named(tape, global_avg_pool(tape, x), name()); }

Shape Flatten::output_shape(const Shape& input) const { return {static_cast<int>(numel(input))}; }
Var Flatten::forward(Tape& tape, Var x, ForwardPass&) { return named(tape, flatten(tape, x), name()); }

}  // namespace gcam

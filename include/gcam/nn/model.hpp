// model.hpp — a sequential CNN with named layers, and the built-in architectures.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gcam/nn/layers.hpp"

namespace gcam {

// What one forward pass put on the tape.
struct ForwardPass {
  Var input;
  Var logits;                       // (N, classes): pre-softmax scores
  std::vector<Var> layer_outputs;   // one per layer, in model order
  std::vector<Var> parameter_vars;  // in the order of Model::parameters()
};

class Model {
 public:
  // `architecture` names the design (e.g. "fashion-cnn"); input_shape is
  // (C, H, W) without the batch.
  Model(std::string architecture, Shape input_shape, int classes);

  // Appends a layer; throws if its name is taken or its input does not fit.
  void add(std::unique_ptr<Layer> layer);

  // Records the whole network on `tape` for a batch (N, C, H, W).
  ForwardPass forward(Tape& tape, const Tensor& images);
  // Records layers [first, end) on `tape`, starting from value x, appending to
  // `pass` (used to re-run only the layers above a target layer).
  Var forward_layers(Tape& tape, Var x, int first, int end, ForwardPass& pass);

  // Index of the layer called `name`; throws UnknownName listing all names.
  int layer_index(const std::string& name) const;
  // The output of layer `name` in a pass made by forward().
  Var output_of(const ForwardPass& pass, const std::string& name) const;
  // Name of the last layer whose output is a feature map (rank 3 without the
  // batch) of a conv block: the default Grad-CAM target.
  std::string last_conv_block() const;
  // The index of the explanation target `name` ("" = last_conv_block()): a
  // layer that outputs feature maps (C, H, W). Throws UnknownName for an
  // unknown layer or one without feature maps, listing the layers that have them.
  int feature_map_layer(const std::string& name) const;

  Layer& layer(int index) { return *layers_.at(static_cast<std::size_t>(index)); }
  const Layer& layer(int index) const { return *layers_.at(static_cast<std::size_t>(index)); }
  int layer_count() const { return static_cast<int>(layers_.size()); }
  // Output shape of layer `index` (without the batch).
  Shape layer_output_shape(int index) const { return shapes_.at(static_cast<std::size_t>(index) + 1); }

  std::vector<Parameter*> parameters();
  std::size_t parameter_count();
  const std::string& architecture() const { return architecture_; }
  const Shape& input_shape() const { return shapes_.front(); }
  int classes() const { return classes_; }
  // A table of layers, output shapes and parameter counts.
  std::string summary();

 private:
  std::string architecture_;
  int classes_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Shape> shapes_;  // shapes_[0] = input, shapes_[i+1] = output of layer i
};

// The built-in architectures, He-initialized from `seed`:
//   "fashion-cnn": conv1(→16) relu1 pool1 conv2(→32) relu2 pool2 flatten fc1(→128) relu3 fc2
//   "shapes-cnn":  conv1(→8) relu1 pool1 conv2(→16) relu2 pool2 conv3(→32) relu3 conv4(→32) relu4 gap fc
//   "gap-cnn":     conv1(→8) relu1 pool1 conv2(→16) relu2 conv3(→32) relu3 gap fc   (as CAM needs)
// All convolutions are 3×3 with padding 1. shapes-cnn's last maps (relu4,
// 8×8 for a 32×32 input) see 26×26 pixels each, more than any object, and
// the pooling head makes them translation invariant: so its Grad-CAM maps are
// centred on objects rather than on their edges (docs/training.md).
// gap-cnn is the smallest net CAM applies to (shapes-cnn's head also fits CAM). Throws UnknownName for other names.
Model make_model(const std::string& architecture, const Shape& input_shape, int classes, std::uint64_t seed);
// The names accepted by make_model.
std::vector<std::string> model_names();

}  // namespace gcam

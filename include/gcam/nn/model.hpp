// model.hpp — a sequential CNN with named layers, and the built-in architectures.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gcam/nn/blocks.hpp"
#include "gcam/nn/layers.hpp"

namespace gcam {

// A value of the model that can be named: a layer's output, or a value inside
// a composite layer (a block's "layer2.0.conv1").
struct NamedOutput {
  std::string name;
  Shape shape;  // without the batch
  int layer;    // the index of the layer that records it
};

class Model {
 public:
  // `architecture` names the design (e.g. "fashion-cnn"); input_shape is
  // (C, H, W) without the batch.
  Model(std::string architecture, Shape input_shape, int classes);

  // Appends a layer; throws if its name is taken or its input does not fit.
  void add(std::unique_ptr<Layer> layer);

  // Records the whole network on `tape` for a batch (N, C, H, W).
  // `fusions`: what a pass for the logits or for training may fuse (Fusions).
  ForwardPass forward(Tape& tape, const Tensor& images, Fusions fusions = {});
  // Records layers [first, end) on `tape`, starting from value x, appending to
  // `pass` (used to re-run only the layers above a target layer).
  Var forward_layers(Tape& tape, Var x, int first, int end, ForwardPass& pass);
  // Re-runs what lies above named output `output`, with A (a value on `tape`)
  // in its place, and returns the logits. For a layer's output only the layers
  // above it run; for a value inside a composite layer that layer runs again
  // from `layer_input` (its input, on `tape`), with A swapped in, and then the
  // layers above it. `layer_input` is not used for a layer's output.
  Var forward_above(Tape& tape, int output, Var A, Var layer_input, ForwardPass& pass);

  // Training mode: batch norm uses and updates the batch's statistics.
  // Evaluation mode (the default): it uses the running statistics, so that an
  // image's output does not depend on the rest of its batch. Training sets it
  // for its steps only (TrainingMode); prediction, evaluation, Grad-CAM and
  // every explanation method run in evaluation mode.
  void set_training(bool training);
  bool training() const { return training_; }

  // Index of the layer called `name`; throws UnknownName listing all names.
  int layer_index(const std::string& name) const;
  // Every named value, in recording order: each layer's inner values, then its output.
  const std::vector<NamedOutput>& outputs() const { return outputs_; }
  // Index in outputs() of `name`; throws UnknownName listing all names.
  int output_index(const std::string& name) const;
  // Whether named output `output` is a value inside its layer (a block's
  // "layer2.0.conv1"), not the layer's own output.
  bool inside_layer(int output) const;
  // The named value `name` in a pass made by forward() without fusions
  // (a fused pass throws std::logic_error).
  Var output_of(const ForwardPass& pass, const std::string& name) const;
  // Name of the last layer whose output is a feature map (rank 3 without the
  // batch) of a conv block: the default Grad-CAM target.
  std::string last_conv_block() const;
  // The index in outputs() of the explanation target `name` ("" =
  // last_conv_block()): a named value that is a stack of feature maps
  // (C, H, W). Throws UnknownName for an unknown name or one without feature
  // maps, listing the names that have them.
  int feature_map_output(const std::string& name) const;
  // The names of outputs() with feature maps (for help and errors).
  std::vector<std::string> feature_map_names() const;

  Layer& layer(int index) { return *layers_.at(static_cast<std::size_t>(index)); }
  const Layer& layer(int index) const { return *layers_.at(static_cast<std::size_t>(index)); }
  int layer_count() const { return static_cast<int>(layers_.size()); }
  // Output shape of layer `index` (without the batch).
  Shape layer_output_shape(int index) const { return shapes_.at(static_cast<std::size_t>(index) + 1); }

  // The trainable tensors, layer by layer.
  std::vector<Parameter*> parameters();
  std::size_t parameter_count();
  // Everything a checkpoint holds: parameters and buffers (batch norm's
  // running statistics), in PyTorch's state_dict order.
  std::vector<Parameter*> state();
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
  std::vector<NamedOutput> outputs_;
  std::vector<int> first_output_;  // index in outputs_ of each layer's first named value
  // One past layer k's last named value in outputs_ (its own output is the last).
  int outputs_end(int k) const;
  // Index in outputs_ of `name`, or -1.
  int find_output(const std::string& name) const;
  bool training_ = false;
};

// Puts a model in training mode for one scope, and back in evaluation mode
// (whatever happens) at its end.
class TrainingMode {
 public:
  explicit TrainingMode(Model& model) : model_(model) { model_.set_training(true); }
  ~TrainingMode() { model_.set_training(false); }
  TrainingMode(const TrainingMode&) = delete;
  TrainingMode& operator=(const TrainingMode&) = delete;

 private:
  Model& model_;
};

// The built-in architectures, He-initialized from `seed`:
//   "fashion-cnn": conv1(→16) relu1 pool1 conv2(→32) relu2 pool2 flatten fc1(→128) relu3 fc2
//   "shapes-cnn":  conv1(→8) relu1 pool1 conv2(→16) relu2 pool2 conv3(→32) relu3 conv4(→32) relu4 gap fc
//   "gap-cnn":     conv1(→8) relu1 pool1 conv2(→16) relu2 conv3(→32) relu3 gap fc   (as CAM needs)
//   "resnet-mini": conv1(→16, no bias) bn1 relu layer1 layer2 layer3 avgpool fc, torchvision's ResNet
//                  without its max-pool: layer1 = BasicBlock(16→16), layer2 = BasicBlock(16→32, stride 2),
//                  layer3 = BasicBlock(32→64, stride 2), one block each (blocks.hpp); a 28×28 input
//                  leaves layer3 with 64 maps of 7×7.
// All convolutions are 3×3 with padding 1. shapes-cnn's last maps (relu4,
// 8×8 for a 32×32 input) see 26×26 pixels each, more than any object, and
// the pooling head makes them translation invariant: so its Grad-CAM maps are
// centred on objects rather than on their edges (docs/training.md).
// gap-cnn is the smallest net CAM applies to (shapes-cnn's head also fits CAM). Throws UnknownName for other names.
Model make_model(const std::string& architecture, const Shape& input_shape, int classes, std::uint64_t seed);
// The names accepted by make_model.
std::vector<std::string> model_names();

}  // namespace gcam

#include "gcam/nn/model.hpp"

#include <algorithm>
#include <sstream>

#include "gcam/core/error.hpp"

namespace gcam {

Model::Model(std::string architecture, Shape input_shape, int classes)
    : architecture_(std::move(architecture)), classes_(classes), shapes_{std::move(input_shape)} {}

void Model::add(std::unique_ptr<Layer> layer) {
  for (const auto& l : layers_)
    if (l->name() == layer->name()) throw std::invalid_argument("model: layer name '" + layer->name() + "' is taken");
  shapes_.push_back(layer->output_shape(shapes_.back()));
  layers_.push_back(std::move(layer));
}

ForwardPass Model::forward(Tape& tape, const Tensor& images) {
  Shape expected = input_shape();
  expected.insert(expected.begin(), images.rank() > 0 ? images.dim(0) : 0);
  if (images.shape() != expected)
    throw ShapeError(architecture_ + ": input batch " + shape_string(images.shape()) + " does not match (N, " +
                     shape_string(input_shape()).substr(1));
  ForwardPass pass;
  Tensor copy = tape.buffer(images.shape());  // the tape keeps its own copy of the batch
  std::copy(images.values().begin(), images.values().end(), copy.values().begin());
  pass.input = tape.input(std::move(copy), "images");
  pass.logits = forward_layers(tape, pass.input, 0, layer_count(), pass);
  return pass;
}

Var Model::forward_layers(Tape& tape, Var x, int first, int end, ForwardPass& pass) {
  for (int i = first; i < end; ++i) {
    x = layers_[static_cast<std::size_t>(i)]->forward(tape, x, pass.parameter_vars);
    pass.layer_outputs.push_back(x);
  }
  return x;
}

int Model::layer_index(const std::string& name) const {
  std::string names;
  for (int i = 0; i < layer_count(); ++i) {
    if (layers_[static_cast<std::size_t>(i)]->name() == name) return i;
    names += (i ? ", " : "") + layers_[static_cast<std::size_t>(i)]->name();
  }
  throw UnknownName("unknown layer '" + name + "' in " + architecture_ + "; layers are: " + names);
}

Var Model::output_of(const ForwardPass& pass, const std::string& name) const {
  const int i = layer_index(name);
  if (static_cast<std::size_t>(i) >= pass.layer_outputs.size())
    throw std::logic_error("layer '" + name + "' was not run in this forward pass");
  return pass.layer_outputs[static_cast<std::size_t>(i)];
}

std::string Model::last_conv_block() const {
  // The last feature map produced after a convolution, before pooling or
  // flattening ends the block: Grad-CAM's "last convolutional layer".
  std::string best;
  bool after_conv = false;
  for (int i = 0; i < layer_count(); ++i) {
    const Layer& l = layer(i);
    if (l.kind() == OpKind::Conv2d) after_conv = true;
    const bool is_map = layer_output_shape(i).size() == 3;
    const bool is_pool = l.kind() == OpKind::MaxPool2d || l.kind() == OpKind::AvgPool2d;
    if (after_conv && is_map && !is_pool) best = l.name();
    if (is_pool) after_conv = false;
  }
  if (best.empty()) throw UnknownName(architecture_ + " has no convolutional layer to explain");
  return best;
}

int Model::feature_map_layer(const std::string& name) const {
  const std::string target = name.empty() ? last_conv_block() : name;
  const int index = layer_index(target);  // throws UnknownName listing every layer
  if (layer_output_shape(index).size() == 3) return index;
  std::string maps;
  for (int l = 0; l < layer_count(); ++l)
    if (layer_output_shape(l).size() == 3) maps += (maps.empty() ? "" : ", ") + layer(l).name();
  throw UnknownName("layer '" + target + "' outputs " + shape_string(layer_output_shape(index)) +
                    ", not feature maps; the layers of " + architecture_ + " with feature maps are: " + maps);
}

std::vector<Parameter*> Model::parameters() {
  std::vector<Parameter*> all;
  for (auto& l : layers_)
    for (Parameter* p : l->parameters()) all.push_back(p);
  return all;
}

std::size_t Model::parameter_count() {
  std::size_t n = 0;
  for (Parameter* p : parameters()) n += p->value.size();
  return n;
}

std::string Model::summary() {
  std::ostringstream out;
  out << architecture_ << ": input " << shape_string(input_shape()) << ", " << classes_ << " classes\n";
  for (int i = 0; i < layer_count(); ++i) {
    std::size_t n = 0;
    for (Parameter* p : layer(i).parameters()) n += p->value.size();
    out << "  " << layer(i).name();
    out << std::string(8 - std::min<std::size_t>(7, layer(i).name().size()), ' ') << layer(i).describe() << "  -> "
        << shape_string(layer_output_shape(i));
    if (n) out << "  (" << n << " params)";
    out << "\n";
  }
  out << "  total " << parameter_count() << " parameters\n";
  return out.str();
}

}  // namespace gcam

#include "gcam/nn/model.hpp"

#include <algorithm>
#include <sstream>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"

namespace gcam {

Model::Model(std::string architecture, Shape input_shape, int classes)
    : architecture_(std::move(architecture)), classes_(classes), shapes_{std::move(input_shape)} {}

void Model::add(std::unique_ptr<Layer> layer) {
  std::vector<NamedShape> named = layer->inner_outputs(shapes_.back());
  named.push_back({layer->name(), layer->output_shape(shapes_.back())});
  for (const NamedShape& n : named)
    for (const NamedOutput& o : outputs_)
      if (o.name == n.name) throw std::invalid_argument("model: the name '" + n.name + "' is taken");
  first_output_.push_back(static_cast<int>(outputs_.size()));
  for (const NamedShape& n : named) outputs_.push_back({n.name, n.shape, layer_count()});
  shapes_.push_back(named.back().shape);
  layer->set_training(training_);
  layers_.push_back(std::move(layer));
}

void Model::set_training(bool training) {
  training_ = training;
  for (auto& l : layers_) l->set_training(training);
}

ForwardPass Model::forward(Tape& tape, const Tensor& images, Fusions fusions) {
  Shape expected = input_shape();
  expected.insert(expected.begin(), images.rank() > 0 ? images.dim(0) : 0);
  if (images.shape() != expected)
    throw ShapeError(architecture_ + ": input batch " + shape_string(images.shape()) + " does not match (N, " +
                     shape_string(input_shape()).substr(1));
  ForwardPass pass;
  pass.fusions = fusions;
  Tensor copy = tape.buffer(images.shape());  // the tape keeps its own copy of the batch
  std::copy(images.values().begin(), images.values().end(), copy.values().begin());
  pass.input = tape.input(std::move(copy), "images");
  pass.logits = forward_layers(tape, pass.input, 0, layer_count(), pass);
  return pass;
}

Var Model::forward_layers(Tape& tape, Var x, int first, int end, ForwardPass& pass) {
  for (int i = first; i < end; ++i) {
    pass.next_output = first_output_[static_cast<std::size_t>(i)];
    x = pass.emit(layers_[static_cast<std::size_t>(i)]->forward(tape, x, pass));
    const int expected = outputs_end(i);
    if (pass.next_output != expected)
      throw std::logic_error("layer '" + layer(i).name() + "' emitted " +
                             std::to_string(pass.next_output - first_output_[std::size_t(i)]) +
                             " named values, but its inner_outputs() lists " +
                             std::to_string(expected - first_output_[std::size_t(i)]));
    pass.layer_outputs.push_back(x);
  }
  return x;
}

Var Model::forward_above(Tape& tape, int output, Var A, Var layer_input, ForwardPass& pass) {
  const int k = outputs_.at(static_cast<std::size_t>(output)).layer;
  if (!inside_layer(output)) return forward_layers(tape, A, k + 1, layer_count(), pass);
  pass.replaced = output;  // a value inside layer k: run k again with A in its place
  pass.replacement = A;
  const Var logits = forward_layers(tape, layer_input, k, layer_count(), pass);
  pass.replaced = -1;
  return logits;
}

int Model::outputs_end(int k) const {
  return k + 1 < layer_count() ? first_output_[std::size_t(k) + 1] : int(outputs_.size());
}

bool Model::inside_layer(int output) const {
  return output + 1 != outputs_end(outputs_.at(static_cast<std::size_t>(output)).layer);
}

int Model::find_output(const std::string& name) const {
  for (std::size_t i = 0; i < outputs_.size(); ++i)
    if (outputs_[i].name == name) return static_cast<int>(i);
  return -1;
}

int Model::output_index(const std::string& name) const {
  const int index = find_output(name);
  if (index >= 0) return index;
  std::vector<std::string> names;
  for (const NamedOutput& o : outputs_) names.push_back(o.name);
  throw UnknownName(unknown_name_message("layer", name, names, "the layers of " + architecture_));
}

int Model::layer_index(const std::string& name) const {
  std::vector<std::string> names;
  for (int i = 0; i < layer_count(); ++i) {
    if (layers_[static_cast<std::size_t>(i)]->name() == name) return i;
    names.push_back(layers_[static_cast<std::size_t>(i)]->name());
  }
  throw UnknownName(unknown_name_message("layer", name, names, "the layers of " + architecture_));
}

Var Model::output_of(const ForwardPass& pass, const std::string& name) const {
  const int i = output_index(name);
  if (pass.fusions.any())  // its named values may hold a fused record's value, of another shape
    throw std::logic_error("layer '" + name + "': a pass with fusions (training, prediction) keeps only its logits");
  if (static_cast<std::size_t>(i) >= pass.outputs.size())
    throw std::logic_error("layer '" + name + "' was not run in this forward pass");
  return pass.outputs[static_cast<std::size_t>(i)];
}

std::string Model::last_conv_block() const {
  // The last feature map produced after a convolution, before pooling or
  // flattening ends the block: Grad-CAM's "last convolutional layer".
  std::string best;
  bool after_conv = false;
  for (int i = 0; i < layer_count(); ++i) {
    const Layer& l = layer(i);
    if (l.convolutional()) after_conv = true;
    const bool is_map = layer_output_shape(i).size() == 3;
    const bool is_pool = l.kind() == OpKind::MaxPool2d || l.kind() == OpKind::AvgPool2d;
    if (after_conv && is_map && !is_pool) best = l.name();
    if (is_pool) after_conv = false;
  }
  if (best.empty()) throw UnknownName(architecture_ + " has no convolutional layer to explain");
  return best;
}

std::vector<std::string> Model::feature_map_names() const {
  std::vector<std::string> maps;
  for (const NamedOutput& o : outputs_)
    if (o.shape.size() == 3) maps.push_back(o.name);
  return maps;
}

int Model::feature_map_output(const std::string& name) const {
  const std::string target = name.empty() ? last_conv_block() : name;
  const int index = find_output(target);
  const std::string layers_with_maps = "the layers of " + architecture_ + " with feature maps";
  if (index < 0) throw UnknownName(unknown_name_message("layer", target, feature_map_names(), layers_with_maps));
  const Shape& shape = outputs_[static_cast<std::size_t>(index)].shape;
  if (shape.size() == 3) return index;
  throw UnknownName("layer '" + target + "' outputs " + shape_string(shape) + ", not feature maps; " +
                    layers_with_maps + " are: " + join_names(feature_map_names()));
}

std::vector<Parameter*> Model::parameters() {
  std::vector<Parameter*> all;
  for (auto& l : layers_)
    for (Parameter* p : l->parameters()) all.push_back(p);
  return all;
}

std::vector<Parameter*> Model::state() {
  std::vector<Parameter*> all;
  for (auto& l : layers_)
    for (Parameter* p : l->state()) all.push_back(p);
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
    for (int o = first_output_[std::size_t(i)]; inside_layer(o); ++o)  // a composite layer's named values, indented
      out << "      " << outputs_[std::size_t(o)].name << "  " << shape_string(outputs_[std::size_t(o)].shape) << "\n";
  }
  out << "  total " << parameter_count() << " parameters\n";
  return out.str();
}

}  // namespace gcam

// The built-in architectures (see model.hpp).
#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/nn/model.hpp"

namespace gcam {

namespace {

struct Builder {
  Model& model;
  Rng& rng;

  Shape current() const {
    return model.layer_count() ? model.layer_output_shape(model.layer_count() - 1) : model.input_shape();
  }
  void conv(const std::string& name, int out, bool has_bias = true) {
    auto layer = std::make_unique<Conv2d>(name, current().at(0), out, 3, 1, 1, has_bias);
    layer->initialize(rng);
    model.add(std::move(layer));
  }
  void batch_norm(const std::string& name) {
    auto layer = std::make_unique<BatchNorm2d>(name, current().at(0));
    if (auto* conv = last_layer_if<Conv2d>()) fold_into(*conv, *layer);
    model.add(std::move(layer));
  }
  template <class Kind>
  Kind* last_layer_if(int back = 1) {  // the layer `back` from the end (1: the last), if it is of this kind
    const int index = model.layer_count() - back;
    return index >= 0 ? dynamic_cast<Kind*>(&model.layer(index)) : nullptr;
  }
  void block(const std::string& stage, int out, int stride) {
    auto layer = std::make_unique<BasicBlock>(stage, current().at(0), out, stride);
    layer->initialize(rng);
    model.add(std::move(layer));
  }
  void dense(const std::string& name, int out) {
    auto layer = std::make_unique<Dense>(name, current().at(0), out);
    layer->initialize(rng);
    model.add(std::move(layer));
  }
  void relu(const std::string& name) {
    if (auto* conv = last_layer_if<Conv2d>()) conv->relu_after = true;
    if (auto* bn = last_layer_if<BatchNorm2d>()) bn->relu_after = true;
    model.add(std::make_unique<ReLU>(name));
  }
  void pool(const std::string& name) {  // 2×2, stride 2
    auto* conv = last_layer_if<Conv2d>(2);
    if (conv && last_layer_if<ReLU>()) conv->max_pool_after_relu = true;
    model.add(std::make_unique<Pool2d>(name, Pool2d::Mode::Max, 2, 2));
  }
  void flatten() { model.add(std::make_unique<Flatten>("flatten")); }
  void gap(const std::string& name = "gap") { model.add(std::make_unique<GlobalAvgPool>(name)); }
};

}  // namespace

std::vector<std::string> model_names() { return {"fashion-cnn", "shapes-cnn", "gap-cnn", "resnet-mini"}; }

Model make_model(const std::string& architecture, const Shape& input_shape, int classes, std::uint64_t seed) {
  if (input_shape.size() != 3)
    throw ShapeError("make_model: input shape must be (C, H, W), got " + shape_string(input_shape));
  Model model(architecture, input_shape, classes);
  Rng rng(seed);
  Builder b{model, rng};
  if (architecture == "fashion-cnn") {
    b.conv("conv1", 16), b.relu("relu1"), b.pool("pool1");
    b.conv("conv2", 32), b.relu("relu2"), b.pool("pool2");
    b.flatten(), b.dense("fc1", 128), b.relu("relu3"), b.dense("fc2", classes);
  } else if (architecture == "shapes-cnn") {
    b.conv("conv1", 8), b.relu("relu1"), b.pool("pool1");
    b.conv("conv2", 16), b.relu("relu2"), b.pool("pool2");
    b.conv("conv3", 32), b.relu("relu3");
    b.conv("conv4", 32), b.relu("relu4");
    b.gap(), b.dense("fc", classes);
  } else if (architecture == "gap-cnn") {
    b.conv("conv1", 8), b.relu("relu1"), b.pool("pool1");
    b.conv("conv2", 16), b.relu("relu2");
    b.conv("conv3", 32), b.relu("relu3");
    b.gap(), b.dense("fc", classes);
  } else if (architecture == "resnet-mini") {  // names as torchvision's resnet18 state_dict
    b.conv("conv1", 16, /*has_bias=*/false), b.batch_norm("bn1"), b.relu("relu");
    b.block("layer1", 16, 1), b.block("layer2", 32, 2), b.block("layer3", 64, 2);
    b.gap("avgpool"), b.dense("fc", classes);
  } else {
    throw UnknownName(unknown_name_message("model", architecture, model_names()));
  }
  return model;
}

}  // namespace gcam

// Finer-CAM (one class against its nearest rival) and multi-layer fusion
// (one method at several layers): cam_methods.hpp.
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/methods/cam_methods.hpp"

namespace gcam {

// Finer-CAM: Grad-CAM of y^c − α y^{c'}, whose gradient is g^c − α g^{c'}.
Tensor finer_cam_map(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& options,
                     std::vector<int>* rivals) {
  if (model.classes() < 2) throw std::invalid_argument("finer_cam_map: needs at least two classes");
  const LayerGradients target = layer_gradients(model, images, target_options(classes, options));
  std::vector<int> rival(classes.size());
  for (std::size_t n = 0; n < classes.size(); ++n) {  // c' = the largest logit other than c
    int best = -1;
    for (int k = 0; k < model.classes(); ++k)
      if (k != classes[n] && (best < 0 || target.logits.at(int(n), k) > target.logits.at(int(n), best))) best = k;
    rival[n] = best;
  }
  const LayerGradients other = layer_gradients(model, images, target_options(rival, options));
  Tensor difference = target.gradients;
  for (std::size_t e = 0; e < difference.size(); ++e)
    difference[e] -= static_cast<Scalar>(options.finer_alpha) * other.gradients[e];
  if (rivals) *rivals = rival;
  return weighted_combination(channel_weights(difference), target.activations);
}

// One layer per resolution: the last named feature map before each downsampling.
std::vector<std::string> fusion_layers(const Model& model) {
  std::vector<std::string> layers;
  Shape previous;
  for (const std::string& name : model.feature_map_names()) {
    const Shape& shape = model.outputs()[std::size_t(model.output_index(name))].shape;
    const bool same_resolution = !layers.empty() && shape[1] == previous[1] && shape[2] == previous[2];
    if (same_resolution)
      layers.back() = name;
    else
      layers.push_back(name);
    previous = shape;
  }
  return layers;
}

// Multi-layer fusion: F = (1/L) Σ_l normalize_to_unit(M_l).
Tensor fuse_layer_maps(const std::string& method, Model& model, const Tensor& images, const std::vector<int>& classes,
                       const std::vector<std::string>& layers, const MethodOptions& options) {
  if (layers.empty()) throw std::invalid_argument("fuse_layer_maps: no layers to fuse");
  if (!method_info(method).at_target_layer)
    throw std::invalid_argument("fuse_layer_maps: " + method +
                                " does not explain a chosen layer; fuse a CAM method such as layercam or gradcam");
  Tensor fused;
  for (const std::string& layer : layers) {
    MethodOptions at_layer = options;
    at_layer.layer = layer;
    const Tensor map = normalize_to_unit(explain(method, model, images, classes, at_layer));
    if (fused.empty()) fused = Tensor(map.shape());
    for (std::size_t e = 0; e < fused.size(); ++e) fused[e] += map[e] / Scalar(layers.size());
  }
  return fused;
}

}  // namespace gcam

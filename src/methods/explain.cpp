// explain(): every explanation method by name, each returning (N, 1, H, W)
// at the input resolution. CAM-family maps are L = ReLU(map at the target
// layer), upsampled by Grad-CAM's step 4, not normalized.
#include <functional>
#include <stdexcept>
#include <utility>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/core/rng.hpp"
#include "gcam/methods/attribution.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/methods/fullgrad.hpp"
#include "gcam/methods/lrp.hpp"
#include "gcam/methods/lrp_composite.hpp"

namespace gcam {

namespace {

using Method = std::function<Tensor(Model&, const Tensor&, const std::vector<int>&, const MethodOptions&)>;

// ReLU, then Grad-CAM step 4's bilinear upsampling to the input size.
Tensor to_input_size(const Tensor& map, const Tensor& images) {
  return upsample_bilinear(relu_map(map), images.dim(2), images.dim(3));
}

Tensor run_grad_cam(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o,
                    bool counterfactual) {
  GradCamOptions g;
  g.layer = o.layer;
  g.classes = classes;
  g.counterfactual = counterfactual;
  g.kernels = o.kernels;
  g.pool = o.pool;
  return grad_cam(model, images, g).upsampled;
}

// A CAM variant given by its channel weights w(A, g): ReLU(Σ_k w_k A^k).
Method weighted(Tensor (*weights)(const Tensor&, const Tensor&)) {
  return [weights](Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
    const LayerGradients lg = layer_gradients(model, images, target_options(classes, o));
    return to_input_size(weighted_combination(weights(lg.activations, lg.gradients), lg.activations), images);
  };
}

// A CAM variant given by its map M(A, g) at the target layer.
Method elementwise(Tensor (*map)(const Tensor&, const Tensor&)) {
  return [map](Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
    const LayerGradients lg = layer_gradients(model, images, target_options(classes, o));
    return to_input_size(map(lg.activations, lg.gradients), images);
  };
}

// A class-independent CAM given by a map of the activations alone.
Method from_activations(std::function<Tensor(const Tensor& activations, const MethodOptions&)> map) {
  return [map](Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
    const LayerGradients lg = layer_gradients(model, images, target_options(classes, o));
    return to_input_size(map(lg.activations, o), images);
  };
}

using Attribution = Tensor (*)(Model&, const Tensor&, const std::vector<int>&, const MethodOptions&);

// An input attribution (N, C, H, W) reduced to the signed channel sum, which keeps its totals.
Method signed_sum(Attribution attribution) {
  return [attribution](Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
    return sum_channels(attribution(model, images, classes, o));
  };
}

Tensor cam_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions&) {
  return to_input_size(class_activation_map(model, images, classes), images);
}

Tensor gradcam_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
  return run_grad_cam(model, images, classes, o, false);
}

Tensor counterfactual_method(Model& model, const Tensor& images, const std::vector<int>& classes,
                             const MethodOptions& o) {
  return run_grad_cam(model, images, classes, o, true);
}

Tensor score_cam_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
  const LayerGradients lg = layer_gradients(model, images, target_options(classes, o));
  const Tensor w = score_cam_weights(model, images, lg.activations, classes, o);
  return to_input_size(weighted_combination(w, lg.activations), images);
}

Tensor ablation_cam_method(Model& model, const Tensor& images, const std::vector<int>& classes,
                           const MethodOptions& o) {
  const LayerGradients lg = layer_gradients(model, images, target_options(classes, o));
  const Tensor w = ablation_cam_weights(model, lg, o);
  return to_input_size(weighted_combination(w, lg.activations), images);
}

Tensor shapley_cam_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
  const LayerGradients lg = layer_gradients(model, images, target_options(classes, o));
  const Tensor w = shapley_cam_weights(model, lg, ShapleyTarget::ReST, o);
  return to_input_size(weighted_combination(w, lg.activations), images);
}

Tensor finer_cam_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
  return to_input_size(finer_cam_map(model, images, classes, o), images);
}

Tensor layercam_fusion_method(Model& model, const Tensor& images, const std::vector<int>& classes,
                              const MethodOptions& o) {
  return fuse_layer_maps("layercam", model, images, classes,
                         o.fusion_layers.empty() ? fusion_layers(model) : o.fusion_layers, o);
}

Tensor smoothgrad_squared_method(Model& model, const Tensor& images, const std::vector<int>& classes,
                                 const MethodOptions& o) {
  return smoothgrad_squared_map(noisy_gradients(model, images, classes, o));
}

Tensor vargrad_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
  return vargrad_map(noisy_gradients(model, images, classes, o));
}

// Two baselines: a black image and one of U[0, 1) noise.
Tensor gradient_shap_method(Model& model, const Tensor& images, const std::vector<int>& classes,
                            const MethodOptions& o) {
  Tensor baselines({2, images.dim(1), images.dim(2), images.dim(3)});
  Rng rng(2019);
  for (std::size_t e = baselines.size() / 2; e < baselines.size(); ++e) baselines[e] = Scalar(rng.uniform());
  return sum_channels(gradient_shap(model, images, classes, baselines, o));
}

Tensor fullgrad_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
  return fullgrad_map(full_gradients(model, images, classes, o), images.dim(2), images.dim(3));
}

Tensor smoothgrad_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
  return smoothgrad_map(model, images, classes, o);
}

Tensor guided_backprop_method(Model& model, const Tensor& images, const std::vector<int>& classes,
                              const MethodOptions& o) {
  return abs_sum_channels(guided_backprop(model, images, classes, o));
}

Tensor guided_grad_cam_method(Model& model, const Tensor& images, const std::vector<int>& classes,
                              const MethodOptions& o) {
  return guided_grad_cam_map(guided_backprop_method(model, images, classes, o),
                             run_grad_cam(model, images, classes, o, false));
}

Tensor lrp_method(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o,
                  LrpRule rule) {
  LrpOptions lrp;
  lrp.rule = rule;
  lrp.alpha = o.lrp_alpha;
  lrp.gamma = o.lrp_gamma;
  lrp.epsilon = o.lrp_epsilon;  // the other rules use it for the pooling layers
  return sum_channels(lrp_relevance(model, images, classes, lrp, o));
}

// An LRP rule by name, as a method.
Method lrp_rule(LrpRule rule) {
  return [rule](Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
    return lrp_method(model, images, classes, o, rule);
  };
}

// A composite by name. The first layer's box is the pixel range [0, 1] of the
// built-in data sets, fixed, so that an image's map does not depend on the
// other images of its batch.
Method lrp_composite_method(const std::string& name) {
  return [name](Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& o) {
    LrpComposite composite = lrp_composite(name);
    composite.first.low = 0;
    composite.first.high = 1;
    return sum_channels(lrp_relevance(model, images, classes, composite, o));
  };
}

// One row per method: its name, what it shows, whether its map is signed,
// and the function that computes it.
struct MethodRow {
  MethodInfo info;
  Method run;
};

// The CAM family. Each row: name, summary, signed map, explains the target layer
// (all but CAM, which reads the input of the final pooling, and the fusion).
std::vector<MethodRow> cam_family_rows() {
  return {
      {{"cam", "CAM: the dense weights of class c on the maps before global average pooling", false, false},
       cam_method},
      {{"gradcam", "Grad-CAM: ReLU(sum_k alpha^c_k A^k), alpha = the spatial mean of dy^c/dA^k (eq. 8)", false, true},
       gradcam_method},
      {{"gradcam-counterfactual", "Grad-CAM with negated gradients: regions that speak against class c", false, true},
       counterfactual_method},
      {{"gradcam++", "Grad-CAM++: channel weights from positive gradients, weighted pixel by pixel", false, true},
       weighted(grad_cam_plus_plus_weights)},
      {{"xgradcam", "XGrad-CAM: gradients weighted by the normalised activations", false, true},
       weighted(xgrad_cam_weights)},
      {{"hirescam", "HiResCAM: sum_k dy^c/dA^k * A^k element by element, no spatial mean", false, true},
       elementwise(hires_cam_map)},
      {{"layercam", "LayerCAM: sum_k ReLU(dy^c/dA^k) * A^k element by element", false, true},
       elementwise(layer_cam_map)},
      {{"gradcam-elementwise", "Grad-CAM element-wise: sum_k ReLU(dy^c/dA^k * A^k), each product clipped", false, true},
       elementwise(grad_cam_element_wise_map)},
      {{"scorecam", "Score-CAM: each map masks the image; weights = softmax of the masked scores", false, true},
       score_cam_method},
      {{"ablationcam", "Ablation-CAM: weight = the drop of y^c when channel k is zeroed", false, true},
       ablation_cam_method},
      {{"eigencam", "Eigen-CAM: the first principal component of the maps (class independent)", false, true},
       from_activations([](const Tensor& A, const MethodOptions&) { return eigen_cam_map(A); })},
      {{"eigengradcam", "Eigen-Grad-CAM: the first principal component of dy^c/dA^k * A^k", false, true},
       elementwise(eigen_grad_cam_map)},
      {{"kpcacam", "KPCA-CAM: the first kernel (RBF) principal component of the maps (class independent)", false, true},
       from_activations([](const Tensor& A, const MethodOptions&) { return kpca_cam_map(A); })},
      {{"fem", "FEM: pixels 2 std above their channel's mean, weighted by that mean (class independent)", false, true},
       from_activations([](const Tensor& A, const MethodOptions& o) { return fem_map(A, o.fem_k); })},
      {{"shapleycam", "ShapleyCAM: Grad-CAM's weights of y^c + log p_c minus half the Hessian-vector product", false,
        true},
       shapley_cam_method},
      {{"finercam", "Finer-CAM: Grad-CAM of y^c minus the score of the most similar class", false, true},
       finer_cam_method},
      {{"layercam-fusion", "LayerCAM at the end of every stage, each scaled to [0, 1], averaged", false, false},
       layercam_fusion_method},
  };
}

std::vector<MethodRow> input_attribution_rows() {
  return {
      {{"saliency", "Saliency: |dy^c/dx| summed over the input channels", false}, saliency_map},
      {{"input-x-gradient", "Input x Gradient: x * dy^c/dx (signed)", true}, signed_sum(input_x_gradient)},
      {{"smoothgrad", "SmoothGrad: saliency averaged over noisy copies of the image", false}, smoothgrad_method},
      {{"smoothgrad-sq", "SmoothGrad squared: (dy^c/dx)^2 averaged over noisy copies", false},
       smoothgrad_squared_method},
      {{"vargrad", "VarGrad: the variance of dy^c/dx over noisy copies", false}, vargrad_method},
      {{"integrated-gradients", "Integrated Gradients from a black baseline (signed; sums to y^c(x) - y^c(0))", true},
       signed_sum(integrated_gradients)},
      {{"gradient-shap", "GradientSHAP: gradient times (x - b) at random points, black and noise baselines (signed)",
        true},
       gradient_shap_method},
      {{"deeplift", "DeepLIFT rescale from a black reference (signed; sums to y^c(x) - y^c(0) without max-pool)", true},
       signed_sum(deeplift)},
      {{"occlusion", "Occlusion: the drop of y^c when a 4x4 patch is set to 0, stride 2 (signed)", true},
       occlusion_map},
      {{"fullgrad", "FullGrad: |x * dy^c/dx| plus |bias * dy^c/dz| of every conv and batch norm", false},
       fullgrad_method},
      {{"guided-backprop", "Guided backpropagation: only positive signals pass each ReLU backwards", false},
       guided_backprop_method},
      {{"guided-gradcam", "Guided Grad-CAM: |guided backprop| times the upsampled Grad-CAM map", false},
       guided_grad_cam_method},
      {{"lrp-epsilon", "LRP-epsilon: relevance redistributed layer by layer (signed)", true},
       lrp_rule(LrpRule::Epsilon)},
      {{"lrp-alphabeta", "LRP-alpha-beta (alpha 2, beta 1): positive and negative relevance apart (signed)", true},
       lrp_rule(LrpRule::AlphaBeta)},
      {{"lrp-gamma", "LRP-gamma (0.25): each output's weights of its own sign boosted (signed)", true},
       lrp_rule(LrpRule::Gamma)},
      {{"lrp-zplus", "LRP-z+: relevance along positive weights only (signed)", true}, lrp_rule(LrpRule::ZPlus)},
      {{"lrp-epsilon-plus-flat", "LRP composite: flat first layer, z+ convolutions, epsilon dense (signed)", true},
       lrp_composite_method("epsilon-plus-flat")},
      {{"lrp-epsilon-gamma-box", "LRP composite: box first layer on [0, 1], gamma convs, epsilon dense (signed)", true},
       lrp_composite_method("epsilon-gamma-box")},
  };
}

// CAM family first, then the input attributions.
const std::vector<MethodRow>& methods() {
  static const std::vector<MethodRow> table = [] {
    std::vector<MethodRow> rows = cam_family_rows();
    for (MethodRow& row : input_attribution_rows()) rows.push_back(std::move(row));
    return rows;
  }();
  return table;
}

}  // namespace

const std::vector<MethodInfo>& method_catalogue() {
  static const std::vector<MethodInfo> catalogue = [] {
    std::vector<MethodInfo> infos;
    for (const MethodRow& row : methods()) infos.push_back(row.info);
    return infos;
  }();
  return catalogue;
}

const MethodInfo& method_info(const std::string& method) {
  for (const MethodInfo& info : method_catalogue())
    if (info.name == method) return info;
  throw UnknownName(unknown_name_message("method", method, method_names()));
}

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const MethodRow& row : methods()) names.push_back(row.info.name);
  return names;
}

Tensor explain(const std::string& method, Model& model, const Tensor& images, const std::vector<int>& classes,
               const MethodOptions& options) {
  for (const MethodRow& row : methods())
    if (row.info.name == method) {
      check_images("explain " + method, images);
      check_classes("explain " + method, classes, images.dim(0), model.classes());
      return row.run(model, images, classes, options);
    }
  throw UnknownName(unknown_name_message("method", method, method_names()));
}

}  // namespace gcam

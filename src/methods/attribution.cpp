// Input attributions: gradient saliency, Input × Gradient, Integrated
// Gradients, guided backpropagation and guided Grad-CAM (attribution.hpp).
// The noise-tunnel methods and GradientSHAP: sampled_gradients.cpp; DeepLIFT:
// deeplift.cpp; Occlusion: occlusion.cpp.
#include "gcam/methods/attribution.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/ops/ops.hpp"

namespace gcam {

Tensor input_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                       const MethodOptions& options, const std::map<OpKind, BackwardRule>& rules, Tensor* logits) {
  if (images.rank() != 4 || static_cast<int>(classes.size()) != images.dim(0))
    throw std::invalid_argument("input_gradients: need a batch (N, C, H, W) and one class per image, got " +
                                shape_string(images.shape()) + " and " + std::to_string(classes.size()) + " classes");
  Tape tape(options.kernels, options.pool);
  const ForwardPass pass = model.forward(tape, images);
  const Var y = class_score(tape, pass.logits, classes, ScoreKind::Logit);  // y^c
  if (logits) *logits = tape.value(pass.logits);
  BackwardOptions backward;
  backward.rules = rules;
  backward.wrt = {pass.input};                       // only ∂y^c/∂x: no weight gradients
  return tape.backward(y, backward).of(pass.input);  // seed: 1 for each image's y^c
}

Tensor abs_sum_channels(const Tensor& t) {
  const int N = t.dim(0), C = t.dim(1), H = t.dim(2), W = t.dim(3);
  Tensor out({N, 1, H, W});
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) out.at(n, 0, i, j) += std::abs(t.at(n, c, i, j));
  return out;
}

Tensor sum_channels(const Tensor& t) {
  const int N = t.dim(0), C = t.dim(1), H = t.dim(2), W = t.dim(3);
  Tensor out({N, 1, H, W});
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) out.at(n, 0, i, j) += t.at(n, c, i, j);
  return out;
}

// Saliency: M_ij = Σ_c |∂y^c/∂x_cij|.
Tensor saliency_map(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& options) {
  return abs_sum_channels(input_gradients(model, images, classes, options));
}

// Input × Gradient: φ = x ⊙ ∂y^c/∂x.
Tensor input_x_gradient(Model& model, const Tensor& images, const std::vector<int>& classes,
                        const MethodOptions& options) {
  Tensor phi = input_gradients(model, images, classes, options);
  for (std::size_t e = 0; e < phi.size(); ++e) phi[e] *= images[e];
  return phi;
}

// Integrated Gradients: (x − x') ⊙ (1/m) Σ_k ∂y^c/∂x at x' + ((k − ½)/m)(x − x'), x' = 0.
Tensor integrated_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                            const MethodOptions& options) {
  const int m = std::max(1, options.ig_steps);
  Tensor mean_gradient(images.shape());
  for (int k = 1; k <= m; ++k) {
    const Scalar t = (Scalar(k) - Scalar(0.5)) / Scalar(m);
    Tensor point(images.shape());
    for (std::size_t e = 0; e < point.size(); ++e) point[e] = t * images[e];  // x' + t(x − x') with x' = 0
    const Tensor g = input_gradients(model, point, classes, options);
    for (std::size_t e = 0; e < g.size(); ++e) mean_gradient[e] += g[e] / Scalar(m);
  }
  Tensor attributions(images.shape());
  for (std::size_t e = 0; e < attributions.size(); ++e) attributions[e] = images[e] * mean_gradient[e];
  return attributions;
}

// Guided ReLU backward: dx += dy · [x > 0] · [dy > 0].
BackwardRule guided_relu_rule() {
  return [](const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
    const Tensor& x = tape.at(r.inputs[0]).output();
    Tensor& dx = grads.accumulator(r.inputs[0]);
    for (std::size_t e = 0; e < dy.size(); ++e)
      if (x[e] > 0 && dy[e] > 0) dx[e] += dy[e];
  };
}

Tensor guided_backprop(Model& model, const Tensor& images, const std::vector<int>& classes,
                       const MethodOptions& options) {
  return input_gradients(model, images, classes, options, {{OpKind::Relu, guided_relu_rule()}});
}

// Guided Grad-CAM: guided backprop ⊙ U(L^c), pixelwise.
Tensor guided_grad_cam_map(const Tensor& guided_map, const Tensor& upsampled_grad_cam) {
  require_same_shape("guided_grad_cam_map", guided_map, upsampled_grad_cam);
  Tensor out(guided_map.shape());
  for (std::size_t e = 0; e < out.size(); ++e) out[e] = guided_map[e] * upsampled_grad_cam[e];
  return out;
}

}  // namespace gcam

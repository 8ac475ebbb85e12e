// The perturbation CAMs: Score-CAM (mask the input with each channel) and
// Ablation-CAM (zero each channel and re-run only the layers above it).
// Both weigh A's channels by forward passes, run `options.batch` at a time.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/methods/cam_methods.hpp"

namespace gcam {

// Score-CAM: s_k = y^c(x ⊙ normalize(U(A^k))), w = softmax_k(s).
Tensor score_cam_weights(Model& model, const Tensor& images, const Tensor& activations, const std::vector<int>& classes,
                         const MethodOptions& options) {
  const int N = images.dim(0), C = images.dim(1), H = images.dim(2), W = images.dim(3);
  const int K = activations.dim(1);
  if (activations.dim(0) != N || static_cast<int>(classes.size()) != N)
    throw ShapeError("score_cam_weights: activations " + shape_string(activations.shape()) + " and " +
                     std::to_string(classes.size()) + " classes do not match images " + shape_string(images.shape()));
  // M^k: every channel upsampled to the input size and scaled into [0, 1].
  const Tensor masks = upsample_bilinear(activations, H, W);  // (N, K, H, W)
  const int batch = std::max(1, options.batch);
  const std::size_t plane = static_cast<std::size_t>(H) * static_cast<std::size_t>(W);
  Tensor weights({N, K});
  std::vector<double> s(static_cast<std::size_t>(K));
  for (int n = 0; n < N; ++n) {
    // One (1, 1, H, W) mask per channel, normalized per channel.
    const Tensor image_masks = normalize_to_unit(slice_batch(masks, n, n + 1).reshaped({K, 1, H, W}));
    for (int k0 = 0; k0 < K; k0 += batch) {
      const int count = std::min(batch, K - k0);
      Tensor masked({count, C, H, W});
      for (int b = 0; b < count; ++b)
        for (int c = 0; c < C; ++c)
          for (std::size_t e = 0; e < plane; ++e)
            masked[(std::size_t(b) * C + c) * plane + e] =
                images[(std::size_t(n) * C + c) * plane + e] * image_masks[std::size_t(k0 + b) * plane + e];
      Tape tape(options.kernels, options.pool);
      const ForwardPass pass = model.forward(tape, masked);
      const Tensor& logits = tape.value(pass.logits);
      for (int b = 0; b < count; ++b) s[std::size_t(k0 + b)] = logits.at(b, classes[std::size_t(n)]);
    }
    // softmax over channels (shifted by the maximum for stability)
    const double top = *std::max_element(s.begin(), s.end());
    double total = 0;
    for (double& v : s) total += (v = std::exp(v - top));
    for (int k = 0; k < K; ++k) weights.at(n, k) = static_cast<Scalar>(s[std::size_t(k)] / total);
  }
  return weights;
}

// Ablation-CAM eq. (3): w_k = (y^c − y^c_k) / y^c, y^c_k with A^k set to 0.
Tensor ablation_cam_weights(Model& model, const LayerGradients& lg, const MethodOptions& options) {
  const Tensor& activations = lg.activations;
  const int N = activations.dim(0), K = activations.dim(1), h = activations.dim(2), w = activations.dim(3);
  if (static_cast<int>(lg.scores.size()) != N || static_cast<int>(lg.classes.size()) != N)
    throw ShapeError("ablation_cam_weights: need one score and one class per image of " +
                     shape_string(activations.shape()));
  const std::size_t item = static_cast<std::size_t>(h) * static_cast<std::size_t>(w) * static_cast<std::size_t>(K);
  const bool inside_layer = !lg.layer_input.empty();
  const int batch = std::max(1, options.batch);
  Tensor weights({N, K});
  for (int n = 0; n < N; ++n) {
    const Scalar y = lg.scores[std::size_t(n)];
    for (int k0 = 0; k0 < K; k0 += batch) {
      const int count = std::min(batch, K - k0);
      Tensor ablated({count, K, h, w});
      for (int b = 0; b < count; ++b) {
        std::copy(activations.data() + std::size_t(n) * item, activations.data() + std::size_t(n + 1) * item,
                  ablated.data() + std::size_t(b) * item);
        std::fill_n(ablated.data() + std::size_t(b) * item + std::size_t(k0 + b) * (item / std::size_t(K)),
                    item / std::size_t(K), Scalar(0));
      }
      // Only what lies above the target runs again.
      Tape tape(options.kernels, options.pool);
      const Var layer_input =
          inside_layer
              ? tape.input(concat_batch(std::vector<Tensor>(std::size_t(count), slice_batch(lg.layer_input, n, n + 1))))
              : Var{};
      ForwardPass upper;
      const Var logits = model.forward_above(tape, lg.output_index, tape.input(std::move(ablated)), layer_input, upper);
      for (int b = 0; b < count; ++b) {
        const Scalar y_k = tape.value(logits).at(b, lg.classes[std::size_t(n)]);
        weights.at(n, k0 + b) = y != 0 ? (y - y_k) / y : Scalar(0);
      }
    }
  }
  return weights;
}

}  // namespace gcam

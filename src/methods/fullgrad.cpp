// FullGrad (fullgrad.hpp): one backward pass, then the input-gradient term
// and a bias-gradient term for every conv, dense and batch-norm record.
#include "gcam/methods/fullgrad.hpp"

#include <cmath>

#include "gcam/core/error.hpp"
#include "gcam/methods/attribution.hpp"

namespace gcam {

namespace {

// The bias added at each output channel of a record, or an empty tensor if it adds none.
Tensor bias_of(const Tape& tape, const Record& r) {
  if (r.kind == OpKind::Conv2d || r.kind == OpKind::Linear) return tape.at(r.inputs[2]).output();
  if (r.kind != OpKind::BatchNorm2d) return Tensor();
  // y = γ (x − μ)/σ + β: the shift β − γ μ/σ, with μ and 1/σ as the record saved them.
  const Tensor& gamma = tape.at(r.inputs[1]).output();
  const Tensor& beta = tape.at(r.inputs[2]).output();
  Tensor shift(beta.shape());
  for (int k = 0; k < shift.dim(0); ++k)
    shift[std::size_t(k)] = beta[std::size_t(k)] - gamma[std::size_t(k)] * r.saved.at(0, k) * r.saved.at(1, k);
  return shift;
}

// b ⊙ ∂y^c/∂z, the bias broadcast over the batch and the positions.
Tensor bias_times_gradient(const Tensor& bias, const Tensor& dz) {
  Tensor term(dz.shape());
  const std::size_t K = std::size_t(dz.dim(1)), plane = dz.size() / std::size_t(dz.dim(0)) / K;
  for (std::size_t e = 0; e < term.size(); ++e) term[e] = bias[(e / plane) % K] * dz[e];
  return term;
}

// ψ: |t| upsampled to H × W, each image rescaled to [0, 1].
Tensor fullgrad_post_process(const Tensor& map, int height, int width) {
  Tensor magnitude(map.shape());
  for (std::size_t e = 0; e < map.size(); ++e) magnitude[e] = std::abs(map[e]);
  return normalize_to_unit(upsample_bilinear(magnitude, height, width));
}

}  // namespace

// FullGrad's decomposition: x ⊙ ∂y^c/∂x and b ⊙ ∂y^c/∂z for every layer with a bias.
FullGradients full_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                             const MethodOptions& options) {
  check_images("full_gradients", images);
  check_classes("full_gradients", classes, images.dim(0), model.classes());
  Tape tape(options.kernels, options.pool);
  const ForwardPass pass = model.forward(tape, images);
  const Var y = class_score(tape, pass.logits, classes, ScoreKind::Logit);
  const Gradients grads = tape.backward(y);  // seed: 1 for each image's y^c
  FullGradients out;
  out.input_term = grads.of(pass.input);
  for (std::size_t e = 0; e < out.input_term.size(); ++e) out.input_term[e] *= images[e];
  for (int id = 0; id < tape.size(); ++id) {
    const Record& r = tape.at(id);
    const Tensor bias = bias_of(tape, r);
    if (bias.empty()) continue;
    out.bias_terms.push_back({r.name, bias_times_gradient(bias, grads.of(Var{id}))});
  }
  out.scores = tape.value(y).values();
  return out;
}

// FullGrad eq. (4): S = ψ(Σ_c |x_c ∂y^c/∂x_c|) + Σ_layers Σ_k ψ(|b_k ∂y^c/∂z^k|).
Tensor fullgrad_map(const FullGradients& terms, int height, int width) {
  Tensor saliency = fullgrad_post_process(abs_sum_channels(terms.input_term), height, width);
  for (const BiasGradient& term : terms.bias_terms) {
    if (term.values.rank() != 4) continue;  // a dense layer: no position in the image
    const int N = term.values.dim(0), K = term.values.dim(1), h = term.values.dim(2), w = term.values.dim(3);
    for (int k = 0; k < K; ++k) {
      Tensor channel({N, 1, h, w});
      for (int n = 0; n < N; ++n)
        for (int i = 0; i < h; ++i)
          for (int j = 0; j < w; ++j) channel.at(n, 0, i, j) = term.values.at(n, k, i, j);
      const Tensor part = fullgrad_post_process(channel, height, width);
      for (std::size_t e = 0; e < saliency.size(); ++e) saliency[e] += part[e];
    }
  }
  return saliency;
}

}  // namespace gcam

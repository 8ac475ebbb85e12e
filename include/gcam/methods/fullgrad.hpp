// fullgrad.hpp — FullGrad (Srinivas & Fleuret 2019): the input gradient and
// the gradient at every bias together, a complete decomposition of y^c.
//
// For a net of affine layers (conv, dense, batch norm in evaluation mode) and
// piecewise-linear ones (ReLU, max-pool, pooling by averaging, sums), y^c is
// positively homogeneous in (x, every bias b) together, so
//   y^c = Σ_i x_i ∂y^c/∂x_i + Σ_layers Σ_j b_j ∂y^c/∂z_j        (completeness)
// where z is a layer's output, and b_j the bias added at output j (a conv's
// b_k at every position of channel k; a batch norm's shift β_k − γ_k μ_k/σ_k).
// The terms are read off one backward pass of the tape: grads.of(z) for every
// recorded conv, dense and batch-norm output.
// Equations, tests and caveats: docs/methods.md.
#pragma once

#include <string>
#include <vector>

#include "gcam/methods/cam_methods.hpp"

namespace gcam {

// One layer's bias-gradient term b ⊙ ∂y^c/∂z.
struct BiasGradient {
  std::string layer;  // the record's name ("conv1", "bn1", "fc")
  Tensor values;      // (N, K, h, w) for a conv or batch norm, (N, K) for a dense layer
};

// The full-gradient decomposition of y^c for each image.
struct FullGradients {
  Tensor input_term;                     // x ⊙ ∂y^c/∂x, (N, C, H, W)
  std::vector<BiasGradient> bias_terms;  // in recording order
  std::vector<Scalar> scores;            // y^c per image (the logit)
};
FullGradients full_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                             const MethodOptions& options = {});

// The FullGrad saliency map (the paper's eq. 4):
//   S = ψ(Σ_c |x_c ∂y^c/∂x_c|) + Σ_layers Σ_k ψ(|b_k ∂y^c/∂z^k|)
// over the spatial layers (conv, batch norm), with ψ = bilinear upsampling to
// H × W (Grad-CAM's step 4) and then a rescale of each image's map to [0, 1]
// (normalize_to_unit; a constant map becomes 0). Dense layers' terms have no
// place in the image and enter only the completeness sum. (N, 1, H, W), ≥ 0.
Tensor fullgrad_map(const FullGradients& terms, int height, int width);

}  // namespace gcam

// ShapleyCAM (cam_methods.hpp): Grad-CAM's weights corrected by a
// second-order term, with the Hessian-vector product taken as a central
// difference of tape gradients along A.
#include <stdexcept>
#include <string>

#include "gcam/core/error.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/ops/ops.hpp"

namespace gcam {

namespace {

// ∂s/∂A at activations A for the target s (ReST, log p_c or the logit y^c): only
// what lies above the target layer is recorded (Model::forward_above).
Tensor upper_gradient(Model& model, const LayerGradients& lg, const Tensor& A, ShapleyTarget target,
                      const MethodOptions& options) {
  Tape tape(options.kernels, options.pool);
  const Var a = tape.input(A);
  const Var layer_input = lg.layer_input.empty() ? Var{} : tape.input(lg.layer_input);
  ForwardPass upper;
  const Var logits = model.forward_above(tape, lg.output_index, a, layer_input, upper);
  Var scores = logits;
  if (target == ShapleyTarget::LogSoftmax) scores = log_softmax(tape, logits);
  if (target == ShapleyTarget::ReST) scores = add(tape, logits, log_softmax(tape, logits));  // y^c + log p_c
  const Var s = select(tape, scores, lg.classes);
  BackwardOptions backward;
  backward.wrt = {a};
  return tape.backward(s, backward).of(a);  // seed: 1 for each image's target
}

}  // namespace

// ShapleyCAM: w_k = (1/Z) Σ_ij [∂s/∂A − ½ H_s A]^k_ij, H_s A ≈ (∇s(A + εA) − ∇s(A − εA)) / 2ε.
Tensor shapley_cam_weights(Model& model, const LayerGradients& lg, ShapleyTarget target, const MethodOptions& options,
                           double step) {
  if (!(step > 0))
    throw std::invalid_argument("shapley_cam_weights: the difference step must be > 0, got " + std::to_string(step));
  const Tensor& A = lg.activations;
  Tensor up = A, down = A;
  for (std::size_t e = 0; e < A.size(); ++e) {
    up[e] += static_cast<Scalar>(step) * A[e];
    down[e] -= static_cast<Scalar>(step) * A[e];
  }
  const Tensor g = upper_gradient(model, lg, A, target, options);
  const Tensor g_up = upper_gradient(model, lg, up, target, options);
  const Tensor g_down = upper_gradient(model, lg, down, target, options);
  Tensor corrected(A.shape());
  for (std::size_t e = 0; e < A.size(); ++e) {
    const Scalar hessian_times_A = (g_up[e] - g_down[e]) / static_cast<Scalar>(2 * step);
    corrected[e] = g[e] - hessian_times_A / 2;
  }
  return channel_weights(corrected);
}

}  // namespace gcam

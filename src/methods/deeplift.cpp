// DeepLIFT with the rescale rule (attribution.hpp): a backward pass whose
// ReLU rule divides differences from a reference instead of differentiating.
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/methods/attribution.hpp"

namespace gcam {

// Rescale rule: dx += dy · Δy/Δx, with Δ = the difference from the same record on `reference`.
BackwardRule rescale_relu_rule(const Tape& reference) {
  return [&reference](const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
    const Record& twin = reference.at(tape.id_of(r));  // the same ReLU, on the reference batch
    const Tensor& x = tape.at(r.inputs[0]).output();
    const Tensor& x_ref = reference.at(twin.inputs[0]).output();
    const Tensor& y = r.output();
    const Tensor& y_ref = twin.output();
    Tensor& dx = grads.accumulator(r.inputs[0]);
    for (std::size_t e = 0; e < dy.size(); ++e) {
      const Scalar delta_x = x[e] - x_ref[e];
      const Scalar multiplier = delta_x != 0 ? (y[e] - y_ref[e]) / delta_x : Scalar(x[e] > 0);  // ReLU'(x) at Δx = 0
      dx[e] += dy[e] * multiplier;
    }
  };
}

// DeepLIFT: φ = (x − x') ⊙ m, m = the multipliers of the rescale pass, x' = 0.
Tensor deeplift(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& options) {
  check_images("deeplift", images);
  check_classes("deeplift", classes, images.dim(0), model.classes());
  const Tensor reference_images(images.shape());  // the black reference x' = 0
  Tape reference(options.kernels, options.pool);
  model.forward(reference, reference_images);
  Tape tape(options.kernels, options.pool);
  const ForwardPass pass = model.forward(tape, images);
  bool same_graph = tape.size() == reference.size();
  for (int id = 0; same_graph && id < tape.size(); ++id)
    same_graph =
        tape.at(id).kind == reference.at(id).kind && tape.value(Var{id}).shape() == reference.value(Var{id}).shape();
  if (!same_graph) throw std::logic_error("deeplift: the reference pass recorded a different graph");
  const Var y = class_score(tape, pass.logits, classes, ScoreKind::Logit);
  BackwardOptions backward;
  backward.rules[OpKind::Relu] = rescale_relu_rule(reference);
  backward.wrt = {pass.input};
  Tensor phi = tape.backward(y, backward).of(pass.input);  // seed: 1 for each image's y^c
  for (std::size_t e = 0; e < phi.size(); ++e) phi[e] *= images[e] - reference_images[e];
  return phi;
}

}  // namespace gcam

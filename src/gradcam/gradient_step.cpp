// Grad-CAM step 1: the class score y^c and its gradients ∂y^c/∂A^k_ij, read
// off the tape by a backward walk that stops at A.
#include "gradient_step.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/nn/predict.hpp"
#include "gcam/ops/ops.hpp"
#include "input_checks.hpp"

namespace gcam {

// Step 1: y^c. The logit by default: a softmax probability near 1 has almost
// no gradient left, and it also rises when other classes' logits fall.
Var class_score(Tape& tape, Var logits, const std::vector<int>& classes, ScoreKind kind) {
  const Var scores = kind == ScoreKind::Probability ? softmax(tape, logits) : logits;
  return select(tape, scores, classes);
}

// Step 1: ∂y^c/∂A^k_ij — seed y^c with 1 and stop the walk at A.
Tensor activation_gradients(const Tape& tape, Var score, Var activations, int* rules_run) {
  BackwardOptions options;
  options.stop_at = activations;
  options.wrt = {activations};                            // no weight gradients: nothing but ∂y^c/∂A is wanted
  const Gradients grads = tape.backward(score, options);  // seed: 1 for each image's y^c
  if (rules_run) *rules_run = grads.rules_run();
  return grads.of(activations);
}

Workspace* first_workspace(const GradCamOptions& options) {
  if (!options.workspaces) return nullptr;
  if (options.workspaces->empty()) options.workspaces->resize(1);
  return &options.workspaces->front();
}

LayerGradients layer_gradients(Model& model, const Tensor& images, const GradCamOptions& options) {
  return layer_gradients_on(model, images, options, first_workspace(options));
}

LayerGradients layer_gradients_on(Model& model, const Tensor& images, const GradCamOptions& options,
                                  Workspace* workspace) {
  check_images("layer_gradients", images);
  LayerGradients r;
  r.output_index = model.feature_map_output(options.layer);  // throws UnknownName listing the valid layers
  const NamedOutput& target = model.outputs()[static_cast<std::size_t>(r.output_index)];
  r.layer = target.name;
  Tape tape(options.kernels, options.pool, workspace);
  const ForwardPass pass = model.forward(tape, images);
  const Var A = pass.outputs[static_cast<std::size_t>(r.output_index)];
  if (model.inside_layer(r.output_index))  // inside a composite layer: keep that layer's input
    r.layer_input = tape.value(target.layer == 0 ? pass.input : pass.layer_outputs[std::size_t(target.layer) - 1]);
  r.logits = tape.value(pass.logits);
  check_logits(r.logits, model.architecture());
  r.classes = options.classes.empty() ? predicted_classes(r.logits) : options.classes;
  check_classes("layer_gradients", r.classes, images.dim(0), model.classes());
  const Var y = class_score(tape, pass.logits, r.classes, options.score);  // step 1: y^c
  r.scores = tape.value(y).values();
  r.activations = tape.value(A);
  r.gradients = activation_gradients(tape, y, A, &r.rules_run);  // step 1: ∂y^c/∂A
  return r;
}

}  // namespace gcam

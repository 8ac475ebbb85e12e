// Grad-CAM steps 1 and 4 (score, gradients, normalization) and the driver
// that runs all four steps; steps 2 and 3 are in channel_weights.cpp and
// weighted_map.cpp.
#include "gcam/gradcam/gradcam.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/ops/ops.hpp"
#include "gcam/core/thread_pool.hpp"

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
  options.wrt = {activations};  // no weight gradients: nothing but ∂y^c/∂A is wanted
  const Tensor ones(tape.value(score).shape(), Scalar(1));
  const Gradients grads = tape.backward(score, ones, options);
  if (rules_run) *rules_run = grads.rules_run();
  return grads.of(activations);
}

Tensor normalize_to_unit(const Tensor& maps, std::vector<bool>* constant) {
  const int N = maps.dim(0);
  const std::size_t per_image = maps.size() / static_cast<std::size_t>(std::max(N, 1));
  Tensor out(maps.shape());
  if (constant) constant->assign(static_cast<std::size_t>(N), false);
  for (int n = 0; n < N; ++n) {
    const Scalar* m = maps.data() + static_cast<std::size_t>(n) * per_image;
    Scalar* o = out.data() + static_cast<std::size_t>(n) * per_image;
    const auto [lo, hi] = std::minmax_element(m, m + per_image);
    const Scalar range = *hi - *lo;
    if (!(range > 0)) {  // constant map: nothing stands out; leave zeros
      if (constant) (*constant)[static_cast<std::size_t>(n)] = true;
      continue;
    }
    for (std::size_t e = 0; e < per_image; ++e) o[e] = (m[e] - *lo) / range;
  }
  return out;
}

namespace {

// "NaN", "+Inf" or "-Inf".
const char* non_finite_name(Scalar v) { return std::isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"; }

std::vector<int> predicted_classes(const Tensor& logits) {
  std::vector<int> classes;
  for (int n = 0; n < logits.dim(0); ++n) {
    const Scalar* row = logits.data() + static_cast<std::size_t>(n) * static_cast<std::size_t>(logits.dim(1));
    classes.push_back(static_cast<int>(std::max_element(row, row + logits.dim(1)) - row));
  }
  return classes;
}



// The model's output must be finite too: finite inputs with weights that
// overflow (a diverged training, say) give NaN or infinite logits.
void check_logits(const Tensor& logits, const std::string& architecture) {
  const int classes = logits.dim(1);
  for (std::size_t e = 0; e < logits.size(); ++e)
    if (!std::isfinite(logits[e]))
      throw NumericError("grad_cam: " + architecture + " outputs " + non_finite_name(logits[e]) + " for image " +
                         std::to_string(e / static_cast<std::size_t>(classes)) + ", class " +
                         std::to_string(e % static_cast<std::size_t>(classes)) +
                         "; its weights are not usable (did the training diverge?)");
}

}  // namespace

namespace {

// Grad-CAM of a large batch on several threads: one part of the batch per
// thread, each on its own tape, then the parts' results joined in order.
// Images do not interact, so this equals one pass over the whole batch.
GradCamResult grad_cam_in_parts(Model& model, const Tensor& images, const GradCamOptions& options, int parts) {
  std::vector<GradCamResult> results(static_cast<std::size_t>(parts));
  run_parts(options.pool, images.dim(0), parts, [&](int t, int first, int last) {
    GradCamOptions part = options;
    part.pool = nullptr;  // each part stays on its thread
    if (!options.classes.empty()) part.classes.assign(options.classes.begin() + first, options.classes.begin() + last);
    results[std::size_t(t)] = grad_cam(model, slice_batch(images, first, last), part);
  });
  GradCamResult joined = results[0];
  auto join = [&](Tensor GradCamResult::*field) {
    std::vector<Tensor> all;
    for (const GradCamResult& r : results) all.push_back(r.*field);
    joined.*field = concat_batch(all);
  };
  for (auto field : {&GradCamResult::logits, &GradCamResult::activations, &GradCamResult::gradients,
                     &GradCamResult::weights, &GradCamResult::weighted_sum, &GradCamResult::map,
                     &GradCamResult::upsampled, &GradCamResult::heatmap})
    join(field);
  for (std::size_t t = 1; t < results.size(); ++t) {
    const GradCamResult& r = results[t];
    joined.classes.insert(joined.classes.end(), r.classes.begin(), r.classes.end());
    joined.scores.insert(joined.scores.end(), r.scores.begin(), r.scores.end());
    joined.empty_map.insert(joined.empty_map.end(), r.empty_map.begin(), r.empty_map.end());
    joined.backward_steps += r.backward_steps;
  }
  return joined;
}

}  // namespace

void check_classes(const std::string& who, const std::vector<int>& classes, int images, int class_count) {
  if (static_cast<int>(classes.size()) != images)
    throw std::invalid_argument(who + ": " + std::to_string(classes.size()) + " target classes for " +
                                std::to_string(images) + " images (give one per image, or none)");
  for (int c : classes)
    if (c < 0 || c >= class_count)
      throw std::invalid_argument(who + ": class " + std::to_string(c) + " out of range: the model has " +
                                  std::to_string(class_count) + " classes (0.." + std::to_string(class_count - 1) +
                                  ")");
}


// Input checks: a batch (N, C, H, W) with N >= 1 and only finite values. A
// NaN or infinity would flow through every step and come out as a NaN map
// (or, after normalization, as a misleading blank one), so it is refused
// here, naming the image and the element.
void check_images(const std::string& who, const Tensor& images) {
  if (images.rank() != 4 || images.dim(0) < 1)
    throw ShapeError(who + ": images must be a batch (N, C, H, W) with N >= 1, got " +
                     shape_string(images.shape()));
  const int C = images.dim(1), H = images.dim(2), W = images.dim(3);
  for (std::size_t e = 0; e < images.size(); ++e) {
    if (std::isfinite(images[e])) continue;
    const std::size_t plane = static_cast<std::size_t>(H) * static_cast<std::size_t>(W);
    const std::size_t n = e / (plane * static_cast<std::size_t>(C)), c = e / plane % static_cast<std::size_t>(C);
    const std::size_t y = e % plane / static_cast<std::size_t>(W), x = e % static_cast<std::size_t>(W);
    throw NumericError(who + ": image " + std::to_string(n) + " has a non-finite value (" +
                       non_finite_name(images[e]) + ") at channel " + std::to_string(c) + ", row " +
                       std::to_string(y) + ", column " + std::to_string(x) + " (element " + std::to_string(e) +
                       " of the batch); inputs must be finite");
  }
}

GradCamResult grad_cam(Model& model, const Tensor& images, const GradCamOptions& options) {
  check_images("grad_cam", images);
  // Large batches on several threads: a part per thread scales better than
  // splitting each op (see docs/performance.md).
  const int images_count = images.rank() == 4 ? images.dim(0) : 0;
  const int parts = options.kernels == Kernels::Fast ? batch_parts(options.pool, images_count) : 1;
  if (parts > 1 && (options.classes.empty() || int(options.classes.size()) == images_count))
    return grad_cam_in_parts(model, images, options, parts);
  GradCamResult r;
  r.layer = options.layer.empty() ? model.last_conv_block() : options.layer;
  const int target = model.layer_index(r.layer);  // throws UnknownName listing the layers
  if (model.layer_output_shape(target).size() != 3)
    throw std::invalid_argument("grad_cam: layer '" + r.layer + "' outputs " +
                                shape_string(model.layer_output_shape(target)) +
                                ", not feature maps; choose a conv, relu or pool layer");

  Tape tape(options.kernels, options.pool);
  const ForwardPass pass = model.forward(tape, images);
  const Var A = pass.layer_outputs[static_cast<std::size_t>(target)];
  r.logits = tape.value(pass.logits);
  check_logits(r.logits, model.architecture());
  r.classes = options.classes.empty() ? predicted_classes(r.logits) : options.classes;
  check_classes("grad_cam", r.classes, images.dim(0), model.classes());

  const Var y = class_score(tape, pass.logits, r.classes, options.score);  // step 1
  r.scores = tape.value(y).values();
  r.activations = tape.value(A);
  r.gradients = activation_gradients(tape, y, A, &r.backward_steps);        // step 1
  if (options.counterfactual)
    for (std::size_t e = 0; e < r.gradients.size(); ++e) r.gradients[e] = -r.gradients[e];
  r.weights = channel_weights(r.gradients);                                 // step 2, eq. (8)
  r.weighted_sum = weighted_combination(r.weights, r.activations);          // step 3
  r.map = relu_map(r.weighted_sum);                                         // step 3
  r.upsampled = upsample_bilinear(r.map, images.dim(2), images.dim(3));     // step 4
  r.heatmap = normalize_to_unit(r.upsampled, &r.empty_map);                 // step 4
  return r;
}

Tensor image_map(const Tensor& maps, int n) {
  const int H = maps.dim(2), W = maps.dim(3);
  if (maps.dim(1) != 1 || n < 0 || n >= maps.dim(0))
    throw ShapeError("image_map: no single-channel map " + std::to_string(n) + " in " + shape_string(maps.shape()));
  const Scalar* first = maps.data() + static_cast<std::size_t>(n) * static_cast<std::size_t>(H * W);
  return Tensor({H, W}, std::vector<Scalar>(first, first + H * W));
}

Tensor class_activation_map(Model& model, const Tensor& images, const std::vector<int>& classes) {
  const int L = model.layer_count();
  const auto* dense = L >= 2 ? dynamic_cast<const Dense*>(&model.layer(L - 1)) : nullptr;
  const auto* gap = L >= 2 ? dynamic_cast<const GlobalAvgPool*>(&model.layer(L - 2)) : nullptr;
  if (!dense || !gap || L < 3)
    throw std::invalid_argument("CAM needs a model ending in global average pooling and one dense layer (gap-cnn, shapes-cnn); " +
                                model.architecture() + " does not");
  check_classes("class_activation_map", classes, images.dim(0), model.classes());
  Tape tape;
  const ForwardPass pass = model.forward(tape, images);
  const Tensor& A = tape.value(pass.layer_outputs[static_cast<std::size_t>(L - 3)]);
  // M^c = Σ_k w^c_k A^k: the dense weights of class c weight the maps.
  Tensor w({images.dim(0), A.dim(1)});
  for (int n = 0; n < images.dim(0); ++n)
    for (int k = 0; k < A.dim(1); ++k) w.at(n, k) = dense->weight.value.at(classes[static_cast<std::size_t>(n)], k);
  return weighted_combination(w, A);
}

int class_index(const std::string& name, const std::vector<std::string>& class_names) {
  for (std::size_t i = 0; i < class_names.size(); ++i)
    if (class_names[i] == name) return static_cast<int>(i);
  char* end = nullptr;
  const long number = std::strtol(name.c_str(), &end, 10);
  if (!name.empty() && *end == '\0' && number >= 0 && number < static_cast<long>(class_names.size()))
    return static_cast<int>(number);
  std::string valid;
  for (std::size_t i = 0; i < class_names.size(); ++i)
    valid += (i ? ", " : "") + std::to_string(i) + " " + class_names[i];
  throw UnknownName("unknown class '" + name + "'; classes are: " + valid);
}

}  // namespace gcam

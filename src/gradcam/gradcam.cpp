// The Grad-CAM driver: steps 1 to 4 for a batch, one function call per step
// (gradient_step.cpp, channel_weights.cpp, weighted_map.cpp, upsample.cpp,
// normalize.cpp), with large batches cut into one part per thread.
#include "gcam/gradcam/gradcam.hpp"

#include "gcam/core/thread_pool.hpp"
#include "gcam/core/workspace.hpp"
#include "gradient_step.hpp"

namespace gcam {

namespace {

// Steps 1–4 for one batch on this thread, the tape's buffers from `workspace`.
GradCamResult grad_cam_steps(Model& model, const Tensor& images, const GradCamOptions& options, Workspace* workspace) {
  LayerGradients step1 = layer_gradients_on(model, images, options, workspace);  // step 1
  GradCamResult r;
  r.layer = step1.layer;
  r.classes = std::move(step1.classes);
  r.scores = std::move(step1.scores);
  r.logits = std::move(step1.logits);
  r.activations = std::move(step1.activations);
  r.gradients = std::move(step1.gradients);
  r.rules_run = step1.rules_run;
  if (options.counterfactual)
    for (std::size_t e = 0; e < r.gradients.size(); ++e) r.gradients[e] = -r.gradients[e];
  r.weights = channel_weights(r.gradients);                              // step 2, eq. (8)
  r.weighted_sum = weighted_combination(r.weights, r.activations);       // step 3
  r.map = relu_map(r.weighted_sum);                                      // step 3
  r.upsampled = upsample_bilinear(r.map, images.dim(2), images.dim(3));  // step 4
  r.heatmap = normalize_to_unit(r.upsampled, &r.empty_map);              // step 4
  return r;
}

// Grad-CAM of a large batch on several threads: one part of the batch per
// thread, each on its own tape, then the parts' results joined in order.
// Images do not interact, so this equals one pass over the whole batch.
GradCamResult grad_cam_in_parts(Model& model, const Tensor& images, const GradCamOptions& options, int parts) {
  std::vector<GradCamResult> results(static_cast<std::size_t>(parts));
  if (options.workspaces && options.workspaces->size() < std::size_t(parts))
    options.workspaces->resize(std::size_t(parts));
  run_parts(options.pool, images.dim(0), parts, [&](int t, int first, int last) {
    GradCamOptions part = options;
    part.pool = nullptr;  // each part stays on its thread, with its own workspace
    part.workspaces = nullptr;
    if (!options.classes.empty()) part.classes.assign(options.classes.begin() + first, options.classes.begin() + last);
    Workspace* workspace = options.workspaces ? &(*options.workspaces)[std::size_t(t)] : nullptr;
    results[std::size_t(t)] = grad_cam_steps(model, slice_batch(images, first, last), part, workspace);
  });
  GradCamResult joined = results[0];
  auto join = [&](Tensor GradCamResult::*field) {
    std::vector<Tensor> all;
    for (const GradCamResult& r : results) all.push_back(r.*field);
    joined.*field = concat_batch(all);
  };
  for (auto field :
       {&GradCamResult::logits, &GradCamResult::activations, &GradCamResult::gradients, &GradCamResult::weights,
        &GradCamResult::weighted_sum, &GradCamResult::map, &GradCamResult::upsampled, &GradCamResult::heatmap})
    join(field);
  for (std::size_t t = 1; t < results.size(); ++t) {
    const GradCamResult& r = results[t];
    joined.classes.insert(joined.classes.end(), r.classes.begin(), r.classes.end());
    joined.scores.insert(joined.scores.end(), r.scores.begin(), r.scores.end());
    joined.empty_map.insert(joined.empty_map.end(), r.empty_map.begin(), r.empty_map.end());
    joined.rules_run += r.rules_run;
  }
  return joined;
}

}  // namespace

GradCamResult grad_cam(Model& model, const Tensor& images, const GradCamOptions& options) {
  check_images("grad_cam", images);
  // Large batches on several threads: a part per thread scales better than
  // splitting each op (see docs/performance.md).
  const int images_count = images.dim(0);
  const int parts = options.kernels == Kernels::Fast ? batch_parts(options.pool, images_count) : 1;
  if (parts > 1 && (options.classes.empty() || int(options.classes.size()) == images_count))
    return grad_cam_in_parts(model, images, options, parts);
  return grad_cam_steps(model, images, options, first_workspace(options));
}

}  // namespace gcam

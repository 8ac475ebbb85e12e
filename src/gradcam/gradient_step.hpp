// gradient_step.hpp — step 1 on a given workspace (private to src/gradcam/):
// layer_gradients (gradcam.hpp) with the tape's buffers taken from
// `workspace` (nullptr = allocate). grad_cam gives each part of a batch its own.
#pragma once

#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

// The workspace of a one-part call: the first of options.workspaces (made
// when the vector is empty), or nullptr without workspaces.
Workspace* first_workspace(const GradCamOptions& options);

LayerGradients layer_gradients_on(Model& model, const Tensor& images, const GradCamOptions& options,
                                  Workspace* workspace);

}  // namespace gcam

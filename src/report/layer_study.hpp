// layer_study.hpp — everything the report shows for one target layer,
// computed once: Grad-CAM for class c, its counterfactual, the second most
// likely class, and the tape of the run with the records its walk visited.
#pragma once

#include <string>
#include <vector>

#include "gcam/gradcam/gradcam.hpp"
#include "svg.hpp"

namespace gcam::report {

struct LayerStudy {
  std::string layer;
  GradCamResult result;          // class c
  GradCamResult counterfactual;  // class c with −∂y^c/∂A
  GradCamResult second;          // the second most likely class (the most likely one when c is not it)
  std::vector<int> bar_order;    // channels k sorted by α^c_k, largest first
  int top_channel = 0;           // bar_order[0]: the channel whose mean panel 3 writes out
  double top_gradient_sum = 0;   // Σ_i Σ_j ∂y^c/∂A^k_ij of that channel
  std::vector<TapeNode> tape;    // the tape of class c's run (parameters left out)
  std::vector<int> visited;      // ids of the records whose backward rule the walk ran
  int stop_id = -1;              // A's id on the tape
  int seed_id = -1;              // y^c's id on the tape
  double shared_max = 1;         // the largest upsampled value of the three maps (their common colour scale)
};

// The classes sorted by logit, largest first.
std::vector<int> classes_by_logit(const Tensor& logits);

// Runs the three Grad-CAM passes and records the tape for `layer` ("" = the
// model's default) and class `c` (second = the runner-up to the predicted
// class, or the predicted class when c is not it).
LayerStudy study_layer(Model& model, const Tensor& image, const std::string& layer, int c, ScoreKind score);

}  // namespace gcam::report

// panels.hpp — the report's panels, one function per step of the theory
// (report.hpp lists them). Each returns one <section> of HTML.
#pragma once

#include <string>
#include <vector>

#include "gcam/report/report.hpp"
#include "layer_study.hpp"

namespace gcam::report {

// What every panel may need besides its layer.
struct PageContext {
  const ReportRequest& request;
  const Image& picture;  // the input as the model sees it, 8-bit
  Tensor logits;         // (1, classes)
  Tensor probabilities;  // softmax of the logits, (1, classes)
  int target_class;      // c
};

std::string input_panel(const PageContext& page);                                  // step 1: y^c
std::string feature_map_panel(const PageContext& page, const LayerStudy& study);   // A^k, ∂y^c/∂A^k
std::string weights_panel(const LayerStudy& study);                                // eq. (8)
std::string weighted_sum_panel(const PageContext& page, const LayerStudy& study);  // step 3
std::string upsampled_panel(const PageContext& page, const LayerStudy& study);     // step 4
std::string contrast_panel(const PageContext& page, const LayerStudy& study);      // counterfactual, 2nd class
std::string tape_panel(const LayerStudy& study);                                   // the walk on the tape
std::string layers_side_by_side(const PageContext& page, const std::vector<LayerStudy>& studies);

// The id of panel `step` for `layer`: "panel-<step>-<layer>".
std::string panel_id(int step, const std::string& layer);

}  // namespace gcam::report

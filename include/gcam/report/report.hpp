// report.hpp — `gradcam explain --report`: one self-contained HTML page that
// walks through Grad-CAM for one image, step by step, with every number.
//
// The page (docs/gradcam.md shows each panel) has one panel per step, each
// titled with its step and equation and naming the function and file that
// computed it:
//   1  the input and the top classes (logit, probability), y^c marked
//   2  every feature map A^k beside its gradient ∂y^c/∂A^k, sorted by α^c_k
//   3  eq. (8): α^c_k as a signed bar chart, with Z and one channel's mean
//   4  Σ_k α^c_k A^k (signed) next to L^c = ReLU(...), on the h × w grid
//   5  the upsampled map and the overlay, with a colour bar in real units
//   6  the same for the counterfactual and for the second most likely class
//   7  the tape as a graph, the records the Grad-CAM walk visited highlighted
// Panels 2–7 are repeated for each target layer; with several layers the
// overlays are also shown side by side. Pictures are inline PNG (data URIs)
// or SVG; nothing is fetched and there is no script: the page opens offline.
// Its numbers are also carried as JSON in
//   <script type="application/json" id="gradcam-data"> ... </script>
// (data, not code), so tests and readers can check them.
#pragma once

#include <string>
#include <vector>

#include "gcam/core/image.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/render/heatmap.hpp"

namespace gcam {

struct ReportRequest {
  std::string source;                    // what the image is: "fashion-test #0", a file name
  std::string checkpoint;                // the checkpoint it came from (shown in the title)
  std::vector<std::string> class_names;  // one per class of the model
  std::vector<std::string> layers;       // target layers in order; empty = model.last_conv_block()
  int target_class = -1;                 // c; -1 = the predicted class
  ScoreKind score = ScoreKind::Logit;
  Colormap colours = Colormap::Jet;  // for L^c and the overlays (signed maps always use the diverging map)
};

// The page as HTML text, for one image: `image` is the (1, C, H, W) batch
// the model reads, `picture` the same image as 8-bit pixels (H × W) for the
// overlays. Throws UnknownName for an unknown layer (with "did you mean"),
// std::invalid_argument for a bad class or class-name count.
std::string gradcam_report_html(Model& model, const Tensor& image, const Image& picture, const ReportRequest& request);

// Writes gradcam_report_html to <folder>/index.html (atomically, creating the
// folder if its parent exists) and returns that path.
std::string write_gradcam_report(Model& model, const Tensor& image, const Image& picture, const ReportRequest& request,
                                 const std::string& folder);

}  // namespace gcam

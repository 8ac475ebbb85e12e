// The report's panels (panels.hpp): each names the function and file that
// computed what it shows, so a reader can go from the picture to the code.
#include "panels.hpp"

#include <algorithm>

#include "gcam/io/web_text.hpp"
#include "gcam/render/figure.hpp"
#include "pictures.hpp"
#include "svg.hpp"

namespace gcam::report {

namespace {

constexpr int kTile = 60;      // pixels per feature-map tile: room for "α=-0.0123"
constexpr int kPicture = 168;  // pixels per input-sized picture

std::string open_section(const std::string& id, const std::string& title, const std::string& code) {
  return "<section class=\"panel\" id=\"" + escape_html(id) + "\">\n<h2>" + escape_html(title) +
         "</h2>\n<p class=\"code\">" + escape_html(code) + "</p>\n";
}

std::string number(double v) { return escape_html(short_number(v)); }

std::string class_name(const PageContext& page, int c) { return page.request.class_names[std::size_t(c)]; }

// The map at the input size over the image, coloured on [0, high] like the colour bar says.
Image overlay_on_scale(const PageContext& page, const Tensor& upsampled, double high) {
  Tensor unit = image_map(upsampled, 0);
  for (std::size_t e = 0; e < unit.size(); ++e) unit[e] = Scalar(double(unit[e]) / high);
  return zoom_to(overlay(page.picture, unit, page.request.colours, 0.5), kPicture);
}

std::string bar_for(const ColourScale& scale, const std::string& caption) {
  return img_tag(colour_bar(scale, 160, caption), caption);
}

}  // namespace

std::string panel_id(int step, const std::string& layer) { return "panel-" + std::to_string(step) + "-" + layer; }

std::string input_panel(const PageContext& page) {
  std::string html = open_section("panel-1", "Step 1 · the input and the class score y^c",
                                  "class_score() in src/gradcam/gradient_step.cpp; probabilities: softmax_forward()");
  html += "<div class=\"row\">" + img_tag(zoom_to(page.picture, kPicture), "input") + "\n<table>\n";
  html += "<tr><th>rank</th><th>class</th><th>logit z</th><th>probability</th><th></th></tr>\n";
  const std::vector<int> ranked = classes_by_logit(page.logits);
  for (std::size_t r = 0; r < std::min<std::size_t>(5, ranked.size()); ++r) {
    const int k = ranked[r];
    const bool target = k == page.target_class;
    html += std::string("<tr") + (target ? " class=\"target\"" : "") + "><td>" + std::to_string(r + 1) + "</td><td>" +
            escape_html(class_name(page, k)) + "</td><td>" + number(page.logits.at(0, k)) + "</td><td>" +
            number(page.probabilities.at(0, k)) + "</td><td>" + (target ? "&larr; y^c" : "") + "</td></tr>\n";
  }
  html += "</table></div>\n<p>The target class c = " + escape_html(class_name(page, page.target_class)) +
          "; its score y^c is the " + (page.request.score == ScoreKind::Logit ? "logit" : "probability") +
          " (the row marked y^c).</p>\n</section>\n";
  return html;
}

std::string feature_map_panel(const PageContext& page, const LayerStudy& study) {
  const GradCamResult& r = study.result;
  const ColourScale a_scale = scale_for(value_range(r.activations), Colormap::Viridis);
  const ColourScale g_scale = scale_for({-1, 0}, Colormap::Diverging);  // diverging: bound set below
  const double g_bound = symmetric_bound(r.gradients);
  const ColourScale gradient_scale{g_scale.map, -g_bound, g_bound};
  std::vector<Image> tiles;
  std::vector<std::string> titles;
  for (const int k : study.bar_order) {
    tiles.push_back(zoom_to(draw_map(plane(r.activations, 0, k), a_scale), kTile));
    tiles.push_back(zoom_to(draw_map(plane(r.gradients, 0, k), gradient_scale), kTile));
    titles.push_back("k=" + std::to_string(k));
    titles.push_back("α=" + short_number(r.weights.at(0, k)));
  }
  std::string html = open_section(panel_id(2, study.layer),
                                  "Step 1 · the feature maps A^k of " + study.layer + " and their gradients ∂y^c/∂A^k",
                                  "layer_gradients(), activation_gradients() in src/gradcam/gradient_step.cpp");
  html += "<p>" + std::to_string(r.activations.dim(1)) + " channels, each " + std::to_string(r.activations.dim(2)) +
          "×" + std::to_string(r.activations.dim(3)) +
          ", sorted by α^c_k (largest first). In each pair: A^k on the left, ∂y^c/∂A^k on the right (0 is white) for "
          "class " +
          escape_html(class_name(page, page.target_class)) + ".</p>\n";
  html += img_tag(titled_montage(tiles, titles, 16), "feature maps and gradients") + "\n<div class=\"row\">";
  html += bar_for(a_scale, "A^k") + bar_for(gradient_scale, "∂y^c/∂A^k") + "</div>\n</section>\n";
  return html;
}

std::string weights_panel(const LayerStudy& study) {
  const GradCamResult& r = study.result;
  const int h = r.activations.dim(2), w = r.activations.dim(3), k = study.top_channel;
  std::vector<double> alpha;
  for (int j = 0; j < r.weights.dim(1); ++j) alpha.push_back(double(r.weights.at(0, j)));
  std::string html = open_section(panel_id(3, study.layer), "Step 2 · eq. (8): α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij",
                                  "channel_weights() in src/gradcam/channel_weights.cpp");
  html += alpha_bar_chart_svg(alpha, study.bar_order, k);
  html += "<p>Z = h·w = " + std::to_string(h) + "·" + std::to_string(w) + " = " + std::to_string(h * w) +
          ". Channel k = " + std::to_string(k) + " (the highlighted bar): Σ_i Σ_j ∂y^c/∂A^" + std::to_string(k) +
          "_ij = " + number(study.top_gradient_sum) + ", so α^c_" + std::to_string(k) + " = " +
          number(study.top_gradient_sum) + " / " + std::to_string(h * w) + " = " + number(alpha[std::size_t(k)]) +
          ".</p>\n</section>\n";
  return html;
}

std::string weighted_sum_panel(const PageContext& page, const LayerStudy& study) {
  const GradCamResult& r = study.result;
  const Range sum_range = value_range(r.weighted_sum), map_range = value_range(r.map);
  const double bound = symmetric_bound(r.weighted_sum);
  const ColourScale signed_scale{Colormap::Diverging, -bound, bound};
  const ColourScale map_scale{page.request.colours, 0.0, map_range.high > 0 ? map_range.high : 1.0};
  const int cell = std::max(1, kPicture / std::max(r.map.dim(2), r.map.dim(3)));
  const Image sum = with_grid(upscale_nearest(draw_map(image_map(r.weighted_sum, 0), signed_scale), cell), cell);
  const Image relu = with_grid(upscale_nearest(draw_map(image_map(r.map, 0), map_scale), cell), cell);
  std::string html = open_section(panel_id(4, study.layer), "Step 3 · Σ_k α^c_k A^k, then L^c = ReLU(Σ_k α^c_k A^k)",
                                  "weighted_combination(), relu_map() in src/gradcam/weighted_map.cpp");
  html += img_tag(titled_montage({sum, relu}, {"Σ_k α^c_k A^k", "L^c = ReLU(...)"}, 2, 4), "weighted sum and ReLU");
  html += "\n<div class=\"row\">" + bar_for(signed_scale, "Σ_k α^c_k A^k") + bar_for(map_scale, "L^c") + "</div>\n";
  html += "<p>On the " + std::to_string(r.map.dim(2)) + "×" + std::to_string(r.map.dim(3)) +
          " grid of the layer: the weighted sum ranges from " + number(sum_range.low) + " to " +
          number(sum_range.high) +
          "; the ReLU sets its negative cells (blue: evidence against the class) to 0, so L^c ranges from " +
          number(map_range.low) + " to " + number(map_range.high) + ".</p>\n</section>\n";
  return html;
}

std::string upsampled_panel(const PageContext& page, const LayerStudy& study) {
  const GradCamResult& r = study.result;
  const ColourScale scale{page.request.colours, 0.0, study.shared_max};
  const Image up = zoom_to(draw_map(image_map(r.upsampled, 0), scale), kPicture);
  std::string html =
      open_section(panel_id(5, study.layer), "Step 4 · L^c upsampled to the input, and the overlay",
                   "upsample_bilinear() in src/gradcam/upsample.cpp; overlay() in src/render/heatmap.cpp");
  html += img_tag(
      titled_montage({up, overlay_on_scale(page, r.upsampled, study.shared_max)}, {"upsampled L^c", "overlay"}, 2, 4),
      "upsampled map and overlay");
  html += "\n<div class=\"row\">" + bar_for(scale, "L^c (real units, as in step 6)") + "</div>\n";
  html += "<p>Bilinear, half-pixel centres, from " + std::to_string(r.map.dim(2)) + "×" + std::to_string(r.map.dim(3)) +
          " to " + std::to_string(r.upsampled.dim(2)) + "×" + std::to_string(r.upsampled.dim(3)) +
          ". The colours run from 0 to " + number(study.shared_max) +
          ", the largest value of the three maps of step 6, not to each map's own maximum: a weak map looks weak. "
          "Largest value of this map: " +
          number(value_range(r.upsampled).high) + ".</p>\n</section>\n";
  return html;
}

std::string contrast_panel(const PageContext& page, const LayerStudy& study) {
  const GradCamResult* maps[3] = {&study.result, &study.counterfactual, &study.second};
  const std::string c = class_name(page, page.target_class), second = class_name(page, study.second.classes[0]);
  const bool runner_up = classes_by_logit(page.logits)[0] == page.target_class;  // else it is the top class
  const std::vector<std::string> titles = {"c: " + c, "against " + c, (runner_up ? "2nd: " : "top: ") + second};
  std::vector<Image> overlays;
  std::string notes;
  for (int m = 0; m < 3; ++m) {
    overlays.push_back(overlay_on_scale(page, maps[m]->upsampled, study.shared_max));
    notes += "<li>" + escape_html(titles[std::size_t(m)]) + ": y^c = " + number(maps[m]->scores[0]) +
             ", largest value of L^c = " + number(value_range(maps[m]->upsampled).high) + "</li>\n";
  }
  std::string html =
      open_section(panel_id(6, study.layer), "Class-discriminative: the counterfactual and another class",
                   "grad_cam() with GradCamOptions::counterfactual, and with the second class");
  html +=
      img_tag(titled_montage(overlays, titles, 3, 4), "class, counterfactual, second class") + "\n<div class=\"row\">";
  html += bar_for({page.request.colours, 0.0, study.shared_max}, "L^c (real units)") + "</div>\n<ul>\n" + notes;
  html +=
      "</ul>\n<p>The counterfactual negates the gradients: regions whose removal would raise y^c.</p>\n</section>\n";
  return html;
}

std::string tape_panel(const LayerStudy& study) {
  std::string html = open_section(
      panel_id(7, study.layer), "The tape: the Grad-CAM walk from y^c back to A",
      "activation_gradients() in src/gradcam/gradient_step.cpp; Tape::backward in src/autograd/tape_walk.cpp");
  html += "<p>The walk ran " + std::to_string(study.result.rules_run) + " backward rules (the highlighted records, " +
          std::to_string(study.visited.size()) + ") and stopped at A = " + escape_html(study.layer) +
          ": nothing below A was computed. Parameters are not drawn.</p>\n";
  return html + "<div class=\"scroll\">" + tape_graph_svg(study.tape) + "</div>\n</section>\n";
}

std::string layers_side_by_side(const PageContext& page, const std::vector<LayerStudy>& studies) {
  std::vector<Image> overlays;
  std::vector<std::string> titles;
  for (const LayerStudy& s : studies) {
    const double high = std::max(1e-300, value_range(s.result.upsampled).high);
    overlays.push_back(overlay_on_scale(page, s.result.upsampled, high));
    titles.push_back(s.layer + " max " + short_number(high));
  }
  std::string html =
      open_section("panel-layers", "The same image at several layers", "grad_cam() with GradCamOptions::layer");
  html += img_tag(titled_montage(overlays, titles, int(overlays.size()), 4), "layers side by side");
  return html + "\n<p>Each map on its own scale, from 0 to the largest value printed in its title.</p>\n</section>\n";
}

}  // namespace gcam::report

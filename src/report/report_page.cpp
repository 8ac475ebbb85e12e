// The Grad-CAM report page (include/gcam/report/report.hpp): the panels of
// panels.cpp in the order of the theory, and the JSON data block.
#include <filesystem>
#include <stdexcept>

#include "gcam/io/files.hpp"
#include "gcam/io/web_text.hpp"
#include "gcam/nn/predict.hpp"
#include "gcam/ops/softmax.hpp"
#include "gcam/report/report.hpp"
#include "json_writer.hpp"
#include "panels.hpp"
#include "pictures.hpp"
#include "svg.hpp"

namespace gcam {

namespace {

using report::JsonWriter;
using report::LayerStudy;
using report::PageContext;

constexpr const char* kStyle = R"(<style>
body { font-family: sans-serif; max-width: 1100px; margin: 1em auto; color: #222; }
.panel { border-top: 2px solid #ccc; padding: 0.5em 0 1em; }
.code { font-family: monospace; color: #555; }
.row { display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }
.scroll { max-height: 640px; overflow: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: right; }
tr.target { background: #fdd49e; font-weight: bold; }
img { image-rendering: pixelated; }
</style>
)";

void write_range(JsonWriter& json, const std::string& name, const Tensor& t) {
  const report::Range r = report::value_range(t);
  json.key(name).begin_object().key("min").value(r.low).key("max").value(r.high).end_object();
}

void write_classes(JsonWriter& json, const PageContext& page) {
  json.key("classes").begin_array();
  for (const int k : report::classes_by_logit(page.logits))
    json.begin_object()
        .key("index")
        .value(k)
        .key("name")
        .value(page.request.class_names[std::size_t(k)])
        .key("logit")
        .value(double(page.logits.at(0, k)))
        .key("probability")
        .value(double(page.probabilities.at(0, k)))
        .end_object();
  json.end_array();
}

void write_comparison(JsonWriter& json, const std::string& name, const GradCamResult& r) {
  json.key(name).begin_object().key("class").value(r.classes[0]).key("y_c").value(double(r.scores[0]));
  write_range(json, "upsampled", r.upsampled);
  json.end_object();
}

void write_layer(JsonWriter& json, const LayerStudy& s) {
  const GradCamResult& r = s.result;
  std::vector<double> alpha;
  for (int k = 0; k < r.weights.dim(1); ++k) alpha.push_back(double(r.weights.at(0, k)));
  json.begin_object().key("name").value(s.layer);
  json.key("shape").values(std::vector<int>{r.activations.dim(1), r.activations.dim(2), r.activations.dim(3)});
  json.key("Z").value(r.activations.dim(2) * r.activations.dim(3));
  json.key("alpha").values(alpha).key("bar_order").values(s.bar_order);
  json.key("top_channel").value(s.top_channel).key("top_gradient_sum").value(s.top_gradient_sum);
  write_range(json, "weighted_sum", r.weighted_sum);
  write_range(json, "map", r.map);
  write_range(json, "upsampled", r.upsampled);
  json.key("shared_max").value(s.shared_max).key("rules_run").value(r.rules_run);
  json.key("tape").begin_object().key("records").value(int(s.tape.size())).key("visited").values(s.visited);
  json.key("stop").value(s.stop_id).key("seed").value(s.seed_id).end_object();
  write_comparison(json, "counterfactual", s.counterfactual);
  write_comparison(json, "second_class", s.second);
  std::vector<std::string> panels;
  for (int step = 2; step <= 7; ++step) panels.push_back(report::panel_id(step, s.layer));
  json.key("panels").begin_array();
  for (const std::string& p : panels) json.value(p);
  json.end_array().end_object();
}

std::string data_block(const PageContext& page, const Model& model, const std::vector<LayerStudy>& studies) {
  JsonWriter json;
  json.begin_object().key("model").value(model.architecture()).key("checkpoint").value(page.request.checkpoint);
  json.key("image").value(page.request.source);
  json.key("target").begin_object().key("class").value(page.target_class);
  json.key("name").value(page.request.class_names[std::size_t(page.target_class)]);
  json.key("score").value(std::string(page.request.score == ScoreKind::Logit ? "logit" : "probability"));
  json.key("y_c").value(double(studies[0].result.scores[0])).end_object();
  write_classes(json, page);
  json.key("layers").begin_array();
  for (const LayerStudy& s : studies) write_layer(json, s);
  json.end_array().end_object();
  return "<script type=\"application/json\" id=\"gradcam-data\">\n" + json.text() + "\n</script>\n";
}

std::string layer_sections(const PageContext& page, const LayerStudy& s) {
  return "<h1 class=\"layer\">Target layer " + escape_html(s.layer) + "</h1>\n" + report::feature_map_panel(page, s) +
         report::weights_panel(s) + report::weighted_sum_panel(page, s) + report::upsampled_panel(page, s) +
         report::contrast_panel(page, s) + report::tape_panel(s);
}

}  // namespace

std::string gradcam_report_html(Model& model, const Tensor& image, const Image& picture, const ReportRequest& request) {
  check_images("report", image);
  if (image.dim(0) != 1)
    throw std::invalid_argument("report: explains one image, got a batch of " + std::to_string(image.dim(0)));
  if (int(request.class_names.size()) != model.classes())
    throw std::invalid_argument("report: " + std::to_string(request.class_names.size()) + " class names for " +
                                std::to_string(model.classes()) + " classes");
  std::vector<std::string> layers = request.layers.empty() ? std::vector<std::string>{""} : request.layers;
  for (const std::string& l : layers) model.feature_map_output(l);  // an unknown layer is refused before any work
  const Tensor logits = predict(model, image, Kernels::Reference);
  const int c = request.target_class >= 0 ? request.target_class : report::classes_by_logit(logits)[0];
  check_classes("report", {c}, 1, model.classes());
  const PageContext page{request, picture, logits, softmax_forward(logits), c};
  std::vector<LayerStudy> studies;
  for (const std::string& l : layers) studies.push_back(report::study_layer(model, image, l, c, request.score));
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Grad-CAM: " +
                     escape_html(request.source) + "</title>\n" + kStyle + "</head>\n<body>\n";
  html += "<h1>Grad-CAM, step by step</h1>\n<p>Model " + escape_html(model.architecture()) + " from " +
          escape_html(request.checkpoint) + "; image " + escape_html(request.source) +
          ". Equations as in docs/gradcam.md.</p>\n";
  html += report::input_panel(page);
  if (studies.size() > 1) html += report::layers_side_by_side(page, studies);
  for (const LayerStudy& s : studies) html += layer_sections(page, s);
  return html + data_block(page, model, studies) + "</body>\n</html>\n";
}

std::string write_gradcam_report(Model& model, const Tensor& image, const Image& picture, const ReportRequest& request,
                                 const std::string& folder) {
  const std::string html = gradcam_report_html(model, image, picture, request);
  std::filesystem::create_directory(folder);
  const std::string path = (std::filesystem::path(folder) / "index.html").string();
  write_file_atomically(path, html);
  return path;
}

}  // namespace gcam

// gradcam explain: one image explained by any method, written as an overlay
// PNG (optionally labelled), the raw map as .npy, or a step-by-step HTML
// report of Grad-CAM (--report).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "args.hpp"
#include "commands.hpp"
#include "explain_input.hpp"
#include "gcam/core/error.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/io/npy.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/nn/predict.hpp"
#include "gcam/ops/softmax.hpp"
#include "gcam/render/figure.hpp"
#include "gcam/render/heatmap.hpp"
#include "gcam/report/report.hpp"
#include "outputs.hpp"

namespace gcam::cli {

namespace {

// What was asked, checked in full before any file is read: a typo must not
// cost a model load.
struct ExplainRequest {
  std::string ckpt, out, save_map, report;  // "" = not asked for
  std::string method = "gradcam";
  std::string score;     // "logit" or "probability"
  std::string colormap;  // "" = by the map: jet for maps ≥ 0, diverging for signed maps
  double opacity = 0.5;
  bool labels = false;
  Fit fit = Fit::Stretch;
  std::vector<std::string> layers;  // --layers (report only)
};

// The map of one method for the image, and what it was computed for.
struct Explanation {
  Tensor map;  // (1, 1, H, W): the raw map, as explain() returns it
  Tensor probabilities;
  int predicted = 0, target = 0;
  double score = 0;    // y^c (Grad-CAM only; 0 otherwise)
  std::string layer;   // the target layer (CAM family)
  bool empty = false;  // Grad-CAM's L^c was all zero
};

// One method per line: its name, padded, then what its map shows.
std::string method_lines(const std::string& indent) {
  std::string text;
  for (const MethodInfo& m : method_catalogue())
    text += indent + m.name + std::string(m.name.size() < 24 ? 24 - m.name.size() : 1, ' ') + m.summary + "\n";
  return text;
}

// --report <folder>: an existing, writable folder, or a new one in an existing folder.
void check_report_folder(const std::string& folder, const std::vector<std::string>& inputs) {
  const std::filesystem::path path(folder);
  if (std::filesystem::is_directory(path)) return check_output_file("report", (path / "index.html").string(), inputs);
  if (std::filesystem::exists(path))
    throw UsageError("--report " + folder + " is a file; give a folder for the report");
  const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  check_output_folder("report", parent.string());
}

Args explain_arguments() {
  Args args("explain",
            "Explain one prediction and write the heatmap overlay as a PNG, or a step-by-step report of Grad-CAM.\n"
            "example: gradcam explain --ckpt build/fashion.ckpt --data fashion-test --index 0 --out cam.png\n"
            "         gradcam explain --ckpt build/fashion.ckpt --data fashion-test --report build/report");
  args.option("ckpt", "file", "checkpoint written by 'gradcam train'")
      .option("image", "file", "PNG/JPEG to explain (converted to the model's input)")
      .option("data", "set-split", "a data set image instead: fashion-test, shapes-test, ...")
      .option("index", "n", "which image of --data", "0")
      .option("method", "name", "explanation method (see --list-methods)", "gradcam")
      .flag("list-methods", "print every method with a one-line description, then exit")
      .option("layer", "name", "target layer (default: the last conv block; see below)")
      .option("class", "c", "target class, by name (any letter case) or number (default: the predicted class)")
      .option("score", "kind", "logit or probability (gradcam only)", "logit")
      .flag("counterfactual", "negate the gradients: regions that speak against the class (gradcam only)")
      .option("colormap", "name", "jet, viridis or diverging (default: jet, diverging for signed maps)")
      .option("opacity", "x", "opacity of the heatmap over the image, 0 to 1 (was --alpha)", "0.5")
      .option("resize", "how", "fit an image file of another size: stretch or letterbox", "stretch")
      .flag("labels", "title the overlay (method, class, probability) and add a colour bar in the map's units")
      .option("out", "file", "overlay PNG to write")
      .option("save-map", "file", "also write the raw map (before scaling for colours) as .npy, float32 HxW")
      .option("report", "folder", "write <folder>/index.html: every step of Grad-CAM with its numbers")
      .option("layers", "a,b,...", "with --report: several target layers, side by side")
      // "alpha" is kept for α^c_k, the channel weights: scripts that still
      // pass --alpha for the opacity must hear why it is gone.
      .retired("alpha",
               "--alpha was renamed --opacity (the heatmap's opacity over the image); alpha means the "
               "channel weights α^c_k");
  args.epilog("methods (--method):\n" + method_lines("  ") + "\n" + target_layers_help());
  return args;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma == start) throw UsageError("--layers takes names separated by commas, got '" + text + "'");
    parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// The combinations that cannot work, refused before anything is loaded.
void check_combinations(const Args& args, const ExplainRequest& request) {
  if (args.given("image") == args.given("data"))
    throw UsageError("give exactly one of --image <file.png> or --data <fashion-test|shapes-test> --index <n>");
  if (args.given("image") && args.on_command_line("index"))
    throw UsageError("--index selects an image of --data; it does not apply to --image");
  if (!args.given("out") && !args.given("report"))
    throw UsageError("missing required option '--out <file>' (or --report <folder> for the HTML report)");
  const bool gradcam = request.method == "gradcam";
  if (!gradcam && (args.flag_set("counterfactual") || request.score != "logit"))
    throw UsageError(
        "--counterfactual and --score apply to --method gradcam only (or use --method "
        "gradcam-counterfactual)");
  if (args.given("layers") && !args.given("report"))
    throw UsageError("--layers is for --report; for one overlay, give one --layer");
  if (args.given("layers") && args.given("layer")) throw UsageError("give --layer or --layers, not both");
  if (args.given("report") && !gradcam) throw UsageError("--report explains Grad-CAM; it does not take --method");
}

ExplainRequest read_request(const Args& args) {
  ExplainRequest request;
  request.method = args.text("method");
  method_info(request.method);  // an unknown method is refused here, with "did you mean"
  request.score = args.text("score");
  if (request.score != "logit" && request.score != "probability")
    throw UsageError("--score must be logit or probability, got '" + request.score + "'");
  check_combinations(args, request);
  request.ckpt = args.text("ckpt");
  std::vector<std::string> inputs{request.ckpt};
  if (args.given("image")) inputs.push_back(args.text("image"));
  if (args.given("out")) request.out = args.text("out"), check_output_file("out", request.out, inputs);
  if (args.given("save-map")) {
    request.save_map = args.text("save-map");
    check_output_file("save-map", request.save_map, inputs);
    if (!request.out.empty()) check_different_outputs("out", request.out, "save-map", request.save_map);
  }
  if (args.given("report")) request.report = args.text("report"), check_report_folder(request.report, inputs);
  if (args.given("layers")) request.layers = split_commas(args.text("layers"));
  if (args.given("colormap")) request.colormap = args.text("colormap"), colormap_by_name(request.colormap);
  request.opacity = args.number("opacity", 0, 1);
  request.labels = args.flag_set("labels");
  request.fit = fit_by_name(args.text("resize"));
  return request;
}

// Grad-CAM keeps every intermediate (y^c, the layer, whether L^c was empty);
// the other methods give their map only.
Explanation explain_image(const Args& args, const ExplainRequest& request, Model& model,
                          const std::vector<std::string>& class_names, const Tensor& batch) {
  Explanation e;
  const Tensor logits = predict(model, batch);
  e.probabilities = softmax_forward(logits);
  e.predicted = predicted_classes(logits).at(0);
  e.target = args.given("class") ? class_index(args.text("class"), class_names) : e.predicted;
  if (request.method != "gradcam") {
    MethodOptions options;
    if (args.given("layer")) options.layer = e.layer = args.text("layer");
    e.map = explain(request.method, model, batch, {e.target}, options);
    return e;
  }
  GradCamOptions options;
  if (args.given("layer")) options.layer = args.text("layer");
  options.classes = {e.target};
  options.score = request.score == "logit" ? ScoreKind::Logit : ScoreKind::Probability;
  options.counterfactual = args.flag_set("counterfactual");
  const GradCamResult r = grad_cam(model, batch, options);
  e.map = r.upsampled, e.score = double(r.scores[0]), e.layer = r.layer, e.empty = r.empty_map[0];
  return e;
}

void print_explanation(const ExplainRequest& request, const Explanation& e, const std::vector<std::string>& names,
                       bool signed_map) {
  const double top = *std::max_element(e.map.data(), e.map.data() + e.map.size());
  const double low = *std::min_element(e.map.data(), e.map.data() + e.map.size());
  std::printf("predicted: %s (probability %.4f); explaining class %s (probability %.4f) with %s",
              names[std::size_t(e.predicted)].c_str(), double(e.probabilities.at(0, e.predicted)),
              names[std::size_t(e.target)].c_str(), double(e.probabilities.at(0, e.target)), request.method.c_str());
  if (request.method == "gradcam")
    std::printf(", y^c = %.4f (%s), at layer %s", e.score, request.score.c_str(), e.layer.c_str());
  std::printf("\nmap: %s from %.4g to %.4g%s\n", request.method == "gradcam" ? "L^c upsampled" : "values", low, top,
              signed_map ? " (signed: drawn on the diverging map, 0 = white)" : "");
  if (e.empty)
    std::printf(
        "note: the map is constant (all zero after the ReLU: no region raises this class's score); the "
        "heatmap is blank\n");
}

// The overlay PNG, coloured by map_colours (render/figure.hpp); with
// --labels, a title and a colour bar that states the map's real range.
Image explanation_picture(const ExplainRequest& request, const Image& base, const Explanation& e, bool signed_map,
                          const std::vector<std::string>& names) {
  const Colormap colours =
      colormap_by_name(request.colormap.empty() ? (signed_map ? "diverging" : "jet") : request.colormap);
  const MapColours drawn = map_colours(image_map(e.map, 0), signed_map, colours);
  const int zoom = std::max(1, 256 / std::max(base.height, base.width));
  const Image picture = upscale_nearest(overlay(base, drawn.heat, colours, request.opacity), zoom);
  if (!request.labels) return picture;
  const std::string title = request.method + ": " + names[std::size_t(e.target)] + " (p " +
                            short_number(e.probabilities.at(0, e.target)) + ")";
  return stack_vertically(titled_montage({picture}, {title}, 1),
                          colour_bar(drawn.scale, picture.width - 20, "map value"));
}

void write_explanation(const ExplainRequest& request, const Image& picture, const Explanation& e) {
  if (!request.out.empty()) {
    {
      OutputWrite writing;
      save_png(request.out, picture);
    }
    std::printf("wrote %s (%dx%d)\n", request.out.c_str(), picture.width, picture.height);
  }
  if (!request.save_map.empty()) {
    const int H = e.map.dim(2), W = e.map.dim(3);
    OutputWrite writing;
    save_npy(request.save_map, e.map.reshaped({H, W}));
    std::printf("wrote %s (float32 %dx%d, numpy.load reads it)\n", request.save_map.c_str(), H, W);
  }
}

void write_report(const Args& args, const ExplainRequest& request, Model& model, const std::vector<std::string>& names,
                  const InputImage& image) {
  ReportRequest report;
  report.source = image.source;
  report.checkpoint = request.ckpt;
  report.class_names = names;
  report.layers = request.layers;
  if (args.given("layer")) report.layers = {args.text("layer")};
  if (args.given("class")) report.target_class = class_index(args.text("class"), names);
  report.score = request.score == "logit" ? ScoreKind::Logit : ScoreKind::Probability;
  if (!request.colormap.empty()) report.colours = colormap_by_name(request.colormap);
  OutputWrite writing;
  std::printf("wrote %s (open it in a browser; it works offline)\n",
              write_gradcam_report(model, image.batch, image.picture, report, request.report).c_str());
}

}  // namespace

int run_explain(const std::vector<std::string>& argv) {
  Args args = explain_arguments();
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  if (args.flag_set("list-methods")) {
    std::printf("%s", method_lines("").c_str());
    return 0;
  }
  const ExplainRequest request = read_request(args);
  CheckpointInfo info;
  Model model = load_model(request.ckpt, &info);
  if (info.class_names.empty())  // the format allows unnamed classes: call them by number
    for (int k = 0; k < model.classes(); ++k) info.class_names.push_back(std::to_string(k));
  if (args.given("class")) class_index(args.text("class"), info.class_names);  // refused before any work
  for (const std::string& layer : request.layers) model.feature_map_output(layer);
  if (args.given("layer")) model.feature_map_output(args.text("layer"));
  const InputImage image = input_image(args, model.input_shape(), request.fit);
  if (!request.report.empty()) write_report(args, request, model, info.class_names, image);
  if (request.out.empty() && request.save_map.empty()) return 0;
  const Explanation e = explain_image(args, request, model, info.class_names, image.batch);
  const bool signed_map = method_info(request.method).signed_map;
  print_explanation(request, e, info.class_names, signed_map);
  write_explanation(request, explanation_picture(request, image.picture, e, signed_map, info.class_names), e);
  return 0;
}

}  // namespace gcam::cli

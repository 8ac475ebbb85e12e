// gradcam compare: every explanation method and two baselines, scored by the
// faithfulness metrics (faithfulness.hpp), written as a montage PNG, a
// Markdown and a CSV table, and an HTML page holding both.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "compare.hpp"
#include "gcam/io/checkpoint.hpp"
#include "outputs.hpp"

namespace gcam::cli {

namespace {

using namespace compare;

Args compare_arguments() {
  Args args("compare",
            "Compare explanation methods and two baselines (a random map, a Sobel edge map) with\n"
            "faithfulness metrics: pointing game, energy and IoU against the object masks, deletion and\n"
            "insertion AUC, Average Drop / Increase in Confidence, ROAD, and the cascading-randomization\n"
            "sanity check; a second table holds the Quantus families (complexity, localisation, faithfulness\n"
            "correlation, IROF, infidelity, completeness, robustness, random logit, input invariance).\n"
            "Writes compare.png (rows = images, columns = input then methods), compare.md,\n"
            "compare.csv and compare.html (both, PNG embedded) to --out-dir. Definitions: docs/metrics.md.\n"
            "example: gradcam compare --ckpt build/demo/shapes-cnn.ckpt --out-dir build/compare");
  args.option("ckpt", "file", "checkpoint (e.g. build/demo/shapes-cnn.ckpt from 'gradcam demo', build/fashion.ckpt)")
      .option("data", "set",
              "scenes (two-object scenes, seed 3, one map per object), shapes-test, any <set>-<split> such as "
              "fashion-test, or a folder of images (no masks: the mask scores are n/a)",
              "scenes")
      .option("count", "n", "how many images of --data", "32")
      .option("methods", "a,b,...", "methods to compare (default: every method and both baselines)")
      .option("layer", "name", "target layer of the CAM methods (default: the last conv block; see below)")
      .option("steps", "n", "deletion/insertion steps", "32")
      .option("montage-rows", "n", "images shown in the montage", "8")
      .option("sanity-images", "n",
              "images used by the sanity check and the Quantus metrics that re-run the method (0 = skip them)", "8")
      .option("out-dir", "folder", "where the four files go (created if missing)", "compare")
      .option("markdown", "file", "write the Markdown table here instead of <out-dir>/compare.md")
      .option("threads", "n", "worker threads", default_threads());
  args.epilog(target_layers_help());
  return args;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<std::string> chosen_methods(const Args& args) {
  std::vector<std::string> known = method_names();
  known.push_back(kRandom);
  known.push_back(kSobel);
  std::vector<std::string> methods = args.given("methods") ? split_list(args.text("methods")) : known;
  if (methods.empty()) throw UsageError("--methods is empty; choose from: " + join(known));
  for (const auto& m : methods)
    if (std::find(known.begin(), known.end(), m) == known.end())
      throw UsageError("unknown method '" + m + "'; choose from: " + join(known));
  return methods;
}

// Creates --out-dir and refuses outputs that cannot be written before
// minutes of scoring are spent.
void choose_outputs(const Args& args, const std::vector<std::string>& argv, Request& request) {
  const std::string folder = args.text("out-dir");
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  check_output_folder("out-dir", folder);
  request.png_path = folder + "/compare.png";
  request.csv_path = folder + "/compare.csv";
  request.html_path = folder + "/compare.html";
  request.md_path = args.given("markdown") ? args.text("markdown") : folder + "/compare.md";
  for (const auto& out : {request.png_path, request.csv_path, request.html_path, request.md_path})
    check_output_file("out-dir", out, {request.ckpt});
  request.command = "gradcam compare";
  for (const auto& a : argv) request.command += " " + a;
}

Request read_request(const Args& args, const std::vector<std::string>& argv) {
  Request request;
  request.ckpt = args.text("ckpt");
  request.data = args.text("data");
  request.count = int(args.integer("count", 1, 100000));
  request.steps = int(args.integer("steps", 1, 1024));
  request.montage_rows = int(args.integer("montage-rows", 0, 256));
  request.sanity_images = int(args.integer("sanity-images", 0, 1024));
  request.methods = chosen_methods(args);
  choose_outputs(args, argv, request);
  return request;
}

void check_model_fits(const Model& model, const Items& items, const std::string& data) {
  const Shape image{items.images.dim(1), items.images.dim(2), items.images.dim(3)};
  if (image != model.input_shape() || model.classes() != int(items.class_names.size()))
    throw UsageError("the checkpoint's model takes " + shape_string(model.input_shape()) + " inputs with " +
                     std::to_string(model.classes()) + " classes, but --data " + data + " has images of " +
                     shape_string(image) + " with " + std::to_string(items.class_names.size()) +
                     " classes; use a checkpoint trained on that data");
}

}  // namespace

int run_compare(const std::vector<std::string>& argv) {
  Args args = compare_arguments();
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  const Request request = read_request(args, argv);
  CheckpointInfo info;
  Model model = load_model(request.ckpt, &info);
  auto pool = make_pool(args.integer("threads", 1, 256));
  const Items items = load_items(request.data, request.count, model);
  check_model_fits(model, items, request.data);
  MethodOptions options;
  if (args.given("layer")) {
    options.layer = args.text("layer");
    model.feature_map_output(options.layer);  // refused here, before any work, listing the valid layers
  }
  options.pool = pool.get();
  const Comparison comparison = run_comparison(request, model, items, options);
  write_reports(request, items, comparison);
  std::printf("wrote %s, %s, %s, %s\n", request.png_path.c_str(), request.md_path.c_str(), request.csv_path.c_str(),
              request.html_path.c_str());
  return 0;
}

namespace compare {

bool is_baseline(const std::string& method) { return method == kRandom || method == kSobel; }

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace compare

}  // namespace gcam::cli

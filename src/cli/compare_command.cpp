// gradcam compare: every explanation method and two baselines, scored by the
// faithfulness metrics (faithfulness.hpp), written as a montage PNG, a
// Markdown and a CSV table, and an HTML page holding both.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/io/files.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/core/error.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/render/heatmap.hpp"
#include "gcam/evaluate/mask_metrics.hpp"
#include "outputs.hpp"

namespace gcam::cli {

namespace {

constexpr std::uint64_t kSceneSeed = 3;  // the demo's scenes: never trained on
const char* const kRandom = "random";    // baseline: uniform noise map
const char* const kSobel = "sobel";      // baseline: edge detector

// What is explained: image i for class classes[i], whose object is masks[i·H·W ..].
struct Items {
  std::string description;
  Tensor images;
  std::vector<int> classes;
  std::vector<std::uint8_t> masks;
  std::vector<std::string> class_names;
};

Items load_items(const std::string& data, int count) {
  Items items;
  if (data == "scenes") {
    const TwoObjectScenes scenes = make_two_object_scenes(std::size_t(count), kSceneSeed);
    const std::size_t P = scenes.images.mask_bytes();
    std::vector<std::size_t> twice;
    for (std::size_t s = 0; s < std::size_t(count); ++s)
      for (int k = 0; k < 2; ++k) {
        twice.push_back(s);
        items.classes.push_back(scenes.classes[s][std::size_t(k)]);
        const auto& m = k == 0 ? scenes.masks_a : scenes.masks_b;
        items.masks.insert(items.masks.end(), m.begin() + std::ptrdiff_t(s * P), m.begin() + std::ptrdiff_t((s + 1) * P));
      }
    items.images = scenes.images.images(twice);
    items.class_names = scenes.images.class_names;
    items.description = std::to_string(count) + " two-object scenes (make_two_object_scenes(" + std::to_string(count) +
                        ", 3)), each explained for both of its objects' classes: " +
                        std::to_string(2 * count) + " maps per method, each scored against its own object's mask";
  } else if (data == "shapes-test") {
    const Dataset test = load_dataset("shapes", "test");
    if (std::size_t(count) > test.size())
      throw UsageError("--count " + std::to_string(count) + " exceeds the " + std::to_string(test.size()) +
                       " images of shapes-test");
    std::vector<std::size_t> first;
    for (std::size_t i = 0; i < std::size_t(count); ++i) {
      first.push_back(i);
      items.masks.insert(items.masks.end(), test.mask(i), test.mask(i) + test.mask_bytes());
    }
    items.images = test.images(first);
    items.classes = test.labels_of(first);
    items.class_names = test.class_names;
    items.description = "the first " + std::to_string(count) +
                        " images of shapes-test (one object each), explained for their true class";
  } else {
    throw UsageError("--data must be scenes or shapes-test, got '" + data + "'");
  }
  return items;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// RFC 4648 base64 with padding.
std::string base64(const std::vector<std::uint8_t>& bytes) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t b0 = bytes[i], b1 = i + 1 < bytes.size() ? bytes[i + 1] : 0,
                        b2 = i + 2 < bytes.size() ? bytes[i + 2] : 0;
    const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? abc[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? abc[v & 63] : '=';
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// One column of the table: its header, whether higher is better, digits.
struct Column {
  std::string header, csv_name;
  bool higher_better;
  int digits;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> c{
      {"pointing game % ↑", "pointing_pct", true, 1},
      {"pointing ±2 px % ↑", "pointing_tol2_pct", true, 1},
      {"energy in mask ↑", "energy_inside", true, 3},
      {"IoU@0.5 ↑", "iou_at_0.5", true, 3},
      {"deletion AUC ↓", "deletion_auc", false, 3},
      {"insertion AUC ↑", "insertion_auc", true, 3},
      {"Average Drop % ↓", "average_drop_pct", false, 1},
      {"Increase in Conf. % ↑", "increase_in_confidence_pct", true, 1},
      {"ROAD MoRF ↓", "road_morf", false, 3},
      {"ROAD LeRF ↑", "road_lerf", true, 3},
      {"ROAD (LeRF−MoRF)/2 ↑", "road_combined", true, 3},
  };
  return c;
}

struct Row {
  std::string method;
  std::vector<double> values;  // one per column
  std::vector<double> sanity;  // mean Spearman per randomization stage
  double seconds = 0;
};

void progress(const char* format, ...) __attribute__((format(printf, 1, 2)));
void progress(const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vprintf(format, args);
  va_end(args);
  std::fflush(stdout);
}

}  // namespace

int run_compare(const std::vector<std::string>& argv) {
  Args args("compare",
            "Compare explanation methods and two baselines (a random map, a Sobel edge map) with\n"
            "faithfulness metrics: pointing game, energy and IoU against the object masks, deletion and\n"
            "insertion AUC, Average Drop / Increase in Confidence, ROAD, and the cascading-randomization\n"
            "sanity check. Writes compare.png (rows = images, columns = input then methods), compare.md,\n"
            "compare.csv and compare.html (both, PNG embedded) to --out-dir. Definitions: docs/metrics.md.\n"
            "example: gradcam compare --ckpt build/demo/shapes-cnn.ckpt --out-dir build/compare");
  args.option("ckpt", "file", "checkpoint of a model trained on the shapes (e.g. by 'gradcam demo')")
      .option("data", "set", "scenes (two-object scenes, seed 3, one map per object) or shapes-test", "scenes")
      .option("count", "n", "how many images of --data", "32")
      .option("methods", "a,b,...", "methods to compare (default: every method and both baselines)")
      .option("layer", "name", "target layer of the CAM methods (default: the last conv block)")
      .option("steps", "n", "deletion/insertion steps", "32")
      .option("montage-rows", "n", "images shown in the montage", "8")
      .option("sanity-images", "n", "images used by the randomization sanity check (0 = skip it)", "8")
      .option("out-dir", "folder", "where the four files go (created if missing)", "compare")
      .option("markdown", "file", "write the Markdown table here instead of <out-dir>/compare.md")
      .option("threads", "n", "worker threads", default_threads());
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;

  const std::string ckpt = args.text("ckpt");
  const std::string data = args.text("data");
  if (data != "scenes" && data != "shapes-test")
    throw UsageError("--data must be scenes or shapes-test, got '" + data + "'");
  const int count = int(args.integer("count", 1, 100000));
  const int steps = int(args.integer("steps", 1, 1024));
  const int montage_rows = int(args.integer("montage-rows", 0, 256));
  const int sanity_images = int(args.integer("sanity-images", 0, 1024));
  std::vector<std::string> known = method_names();
  known.push_back(kRandom);
  known.push_back(kSobel);
  std::vector<std::string> methods = args.given("methods") ? split_list(args.text("methods")) : known;
  if (methods.empty()) throw UsageError("--methods is empty; choose from: " + join(known));
  for (const auto& m : methods)
    if (std::find(known.begin(), known.end(), m) == known.end())
      throw UsageError("unknown method '" + m + "'; choose from: " + join(known));
  const std::string folder = args.text("out-dir");
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  check_output_folder("out-dir", folder);
  const std::string png_path = folder + "/compare.png", csv_path = folder + "/compare.csv",
                    html_path = folder + "/compare.html";
  const std::string md_path = args.given("markdown") ? args.text("markdown") : folder + "/compare.md";
  for (const auto& out : {png_path, csv_path, html_path, md_path}) check_output_file("out-dir", out, {ckpt});

  CheckpointInfo info;
  Model model = load_model(ckpt, &info);
  auto pool = make_pool(args.integer("threads", 1, 256));
  const Items items = load_items(data, count);
  if (items.images.dim(1) != model.input_shape()[0] || items.images.dim(2) != model.input_shape()[1] ||
      items.images.dim(3) != model.input_shape()[2] || model.classes() != int(items.class_names.size()))
    throw UsageError("the checkpoint's model takes " + shape_string(model.input_shape()) + " inputs with " +
                     std::to_string(model.classes()) + " classes; --data " + data +
                     " needs a model trained on the synthetic shapes (1×32×32, 4 classes)");
  MethodOptions options;
  if (args.given("layer")) {
    options.layer = args.text("layer");
    model.layer_index(options.layer);  // throws UnknownName listing the layers
  }
  options.pool = pool.get();

  const int N = items.images.dim(0), H = items.images.dim(2), W = items.images.dim(3);
  const std::size_t P = std::size_t(H) * std::size_t(W);
  const ScoreFunction score = probability_scorer(model, Kernels::Fast, pool.get());

  std::printf("compare: %s on %s\n", model.architecture().c_str(), items.description.c_str());
  std::printf("methods: %s\n", join(methods).c_str());
  const int tolerance = pointing_game_tolerance(std::max(H, W));
  const Tensor sanity_images_tensor = slice_batch(items.images, 0, std::min(N, sanity_images));
  const std::vector<int> sanity_classes(items.classes.begin(), items.classes.begin() + std::min(N, sanity_images));
  std::vector<std::string> stage_names;
  std::vector<Row> rows;
  std::vector<Tensor> all_maps;
  for (std::size_t mi = 0; mi < methods.size(); ++mi) {
    const auto start = std::chrono::steady_clock::now();
    const std::string& method = methods[mi];
    const ExplainFunction method_fn = [&](Model& m, const Tensor& images, const std::vector<int>& classes) -> Tensor {
      if (method == kRandom) return random_map(images);
      if (method == kSobel) return sobel_map(images);
      std::vector<Tensor> parts;
      const int chunk = 64;
      for (int b = 0; b < images.dim(0); b += chunk) {
        const int e = std::min(images.dim(0), b + chunk);
        parts.push_back(explain(method, m, slice_batch(images, b, e),
                                std::vector<int>(classes.begin() + b, classes.begin() + e), options));
      }
      return concat_batch(parts);
    };
    progress("  [%2zu/%zu] %-24s", mi + 1, methods.size(), method.c_str());
    const Tensor maps = method_fn(model, items.images, items.classes);
    Row row;
    row.method = method;
    double hit = 0, hit_tol = 0, energy = 0, iou = 0;
    for (int n = 0; n < N; ++n) {
      const Tensor m = image_map(maps, n);
      const std::uint8_t* mask = items.masks.data() + std::size_t(n) * P;
      hit += pointing_game_hit(m, mask) ? 100.0 / N : 0;
      hit_tol += pointing_game_hit(m, mask, tolerance) ? 100.0 / N : 0;
      energy += positive_energy_inside(m, mask) / N;
      iou += threshold_iou(m, mask, 0.5) / N;
    }
    const PerturbationCurve del = deletion_curve(score, items.images, maps, items.classes, steps);
    const PerturbationCurve ins = insertion_curve(score, items.images, maps, items.classes, steps);
    const ConfidenceChange conf = confidence_change(score, items.images, maps, items.classes);
    const RoadResult rd = road(score, items.images, maps, items.classes);
    row.values = {hit, hit_tol, energy, iou, del.mean_auc, ins.mean_auc, conf.average_drop, 100 * conf.increase,
                  rd.morf_mean, rd.lerf_mean, rd.combined};
    if (sanity_images > 0) {
      const auto stages = cascading_randomization(model, method_fn, sanity_images_tensor, sanity_classes);
      if (stage_names.empty())
        for (const auto& s : stages) stage_names.push_back(s.layer.empty() ? "original" : s.layer);
      for (const auto& s : stages) row.sanity.push_back(s.mean_spearman);
    }
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress(" %6.1f s  pointing %5.1f%%  deletion %.3f  insertion %.3f\n", row.seconds, hit, del.mean_auc,
             ins.mean_auc);
    rows.push_back(std::move(row));
    all_maps.push_back(maps);
  }

  // ---- montage: rows = images, columns = the input, then each method ----
  const int shown = std::min(N, montage_rows);
  const int zoom = 3;
  std::vector<Image> tiles;
  for (int n = 0; n < shown; ++n) {
    const Tensor x = slice_batch(items.images, n, n + 1);
    const Image base = tensor_to_image(x.reshaped({x.dim(1), H, W}));
    Image rgb = overlay(base, Tensor({H, W}, 0), Colormap::Jet, 0.0);  // the input itself, as RGB
    tiles.push_back(upscale_nearest(rgb, zoom));
    for (const Tensor& maps : all_maps) {
      const Tensor unit = normalize_to_unit(slice_batch(maps, n, n + 1));
      tiles.push_back(upscale_nearest(overlay(base, image_map(unit, 0), Colormap::Jet, 0.5), zoom));
    }
  }

  // ---- tables ----
  std::string command = "gradcam compare";
  for (const auto& a : argv) command += " " + a;
  std::vector<std::size_t> best(columns().size(), 0);
  for (std::size_t c = 0; c < columns().size(); ++c)
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const double v = rows[r].values[c], b = rows[best[c]].values[c];
      if (columns()[c].higher_better ? v > b : v < b) best[c] = r;
    }
  std::ostringstream md, csv, table_html;
  md << "# Explanation methods compared\n\n"
     << "Generated by `" << command << "` (" << model.architecture() << ", " << scalar_name()
     << " build). Data: " << items.description
     << ". Scores are softmax probabilities of the explained class; every value is the mean over the maps. "
     << "↑ = higher is better, ↓ = lower is better; the best value of each column is in bold. "
     << "Definitions: [metrics.md](metrics.md).\n\n| method |";
  csv << "method";
  for (const auto& c : columns()) md << " " << c.header << " |", csv << "," << c.csv_name;
  md << "\n|---|";
  csv << ",seconds\n";
  for (std::size_t c = 0; c < columns().size(); ++c) md << "---:|";
  md << "\n";
  table_html << "<table><tr><th>method</th>";
  for (const auto& c : columns()) table_html << "<th>" << html_escape(c.header) << "</th>";
  table_html << "</tr>\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const bool baseline = rows[r].method == kRandom || rows[r].method == kSobel;
    md << "| " << rows[r].method << (baseline ? " (baseline)" : "") << " |";
    csv << rows[r].method;
    table_html << "<tr><td>" << html_escape(rows[r].method) << (baseline ? " (baseline)" : "") << "</td>";
    for (std::size_t c = 0; c < columns().size(); ++c) {
      const std::string v = fixed(rows[r].values[c], columns()[c].digits);
      const bool top = best[c] == r;
      md << " " << (top ? "**" + v + "**" : v) << " |";
      csv << "," << fixed(rows[r].values[c], 6);
      table_html << "<td>" << (top ? "<b>" + v + "</b>" : v) << "</td>";
    }
    md << "\n";
    csv << "," << fixed(rows[r].seconds, 3) << "\n";
    table_html << "</tr>\n";
  }
  table_html << "</table>\n";
  if (!stage_names.empty()) {
    md << "\n## Sanity check: cascading randomization\n\n"
       << "Mean Spearman rank correlation between each method's map and its map on the trained model, on the first "
       << sanity_images_tensor.dim(0) << " maps, as the parameters are re-initialized from the top layer down "
       << "(each column re-initializes one more layer, cumulatively). A method that explains the model should "
       << "fall towards 0; one that stays near 1 does not depend on the learned weights.\n\n| method |";
    table_html << "<h2>Sanity check: cascading randomization (Spearman &rho; with the original map)</h2>\n<table><tr>"
                  "<th>method</th>";
    for (const auto& s : stage_names) {
      md << " " << (s == "original" ? s : "→ " + s) << " |";
      table_html << "<th>" << html_escape(s == "original" ? s : "→ " + s) << "</th>";
    }
    md << "\n|---|";
    for (std::size_t s = 0; s < stage_names.size(); ++s) md << "---:|";
    md << "\n";
    table_html << "</tr>\n";
    for (const auto& row : rows) {
      md << "| " << row.method << " |";
      table_html << "<tr><td>" << html_escape(row.method) << "</td>";
      for (double v : row.sanity) md << " " << fixed(v, 3) << " |", table_html << "<td>" << fixed(v, 3) << "</td>";
      md << "\n";
      table_html << "</tr>\n";
    }
    table_html << "</table>\n";
  }
  md << "\nMontage (`compare.png`): rows = the first " << shown << " maps, columns = the input, then "
     << join(methods) << "; each map scaled to [0, 1] per image, jet colormap over the input.\n";

  std::ostringstream html;
  {
    OutputWrite writing;
    save_png(png_path, montage(tiles, int(all_maps.size()) + 1));
  }
  html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>gradcam compare</title><style>"
          "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
          "padding:3px 8px;text-align:right}td:first-child{text-align:left}img{image-rendering:pixelated}"
          "</style></head><body>\n<h1>Explanation methods compared</h1>\n<p>"
       << html_escape(command) << "<br>" << html_escape(model.architecture()) << "; "
       << html_escape(items.description) << ".</p>\n"
       << table_html.str() << "<h2>Maps</h2>\n<p>Columns: input, " << html_escape(join(methods))
       << ".</p>\n<img alt=\"montage\" src=\"data:image/png;base64," << base64(read_file_bytes(png_path))
       << "\">\n</body></html>\n";
  {
    OutputWrite writing;
    write_file_atomically(md_path, md.str());
    write_file_atomically(csv_path, csv.str());
    write_file_atomically(html_path, html.str());
  }
  std::printf("wrote %s, %s, %s, %s\n", png_path.c_str(), md_path.c_str(), csv_path.c_str(), html_path.c_str());
  return 0;
}

}  // namespace gcam::cli

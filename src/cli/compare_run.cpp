// gradcam compare, the work: the images to explain, each method's maps, and
// their scores.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include "args.hpp"
#include "commands.hpp"
#include "compare.hpp"
#include "explain_input.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/evaluate/mask_metrics.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/nn/predict.hpp"

namespace gcam::cli::compare {

namespace {

// Each scene twice, once for each of its objects, so that every map has its
// own object's mask to be scored against.
Items scene_items(int count) {
  Items items;
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
                      ", " + std::to_string(kSceneSeed) +
                      ")), each explained for both of its objects' classes: " + std::to_string(2 * count) +
                      " maps per method, each scored against its own object's mask";
  return items;
}

Items test_items(int count) {
  Items items;
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
  items.description =
      "the first " + std::to_string(count) + " images of shapes-test (one object each), explained for their true class";
  return items;
}

// Any other data set "<set>-<split>" (fashion-test, ...): the first `count`
// images for their true class, with no object masks.
Items dataset_items(const std::string& data, int count) {
  const auto dash = data.rfind('-');
  if (dash == std::string::npos)
    throw UsageError("--data takes scenes, <set>-<split> (fashion-test) or a folder of images");
  const Dataset set = load_dataset(data.substr(0, dash), data.substr(dash + 1));
  std::vector<std::size_t> first;
  for (std::size_t i = 0; i < std::min(set.size(), std::size_t(count)); ++i) first.push_back(i);
  Items items;
  items.images = set.images(first);
  items.classes = set.labels_of(first);
  items.class_names = set.class_names;
  items.description = "the first " + std::to_string(first.size()) + " images of " + data +
                      ", explained for their true class (no object masks: the mask scores are n/a)";
  return items;
}

// Every PNG/JPEG/BMP of a folder (sorted by name), converted to the model's
// input like `gradcam explain --image` does; explained for the predicted class.
Items folder_items(const std::string& folder, int count, Model& model) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::string ext = entry.path().extension().string();
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp"))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UsageError("--data " + folder + ": the folder holds no .png, .jpg or .bmp image");
  files.resize(std::min(files.size(), std::size_t(count)));
  const Shape& shape = model.input_shape();
  Items items;
  items.images = Tensor({int(files.size()), shape[0], shape[1], shape[2]});
  for (std::size_t n = 0; n < files.size(); ++n) {
    const Tensor x = image_to_tensor(to_model_input(load_image(files[n]), shape, Fit::Stretch, false));
    std::copy(x.data(), x.data() + x.size(), items.images.data() + n * x.size());
  }
  items.classes = predicted_classes(predict(model, items.images));
  for (int k = 0; k < model.classes(); ++k) items.class_names.push_back(std::to_string(k));
  items.description = std::to_string(files.size()) + " images of the folder " + folder +
                      " (resized to the model's input), explained for their predicted class (no object masks: the "
                      "mask scores are n/a)";
  return items;
}

void progress(const char* format, ...) __attribute__((format(printf, 1, 2)));
void progress(const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vprintf(format, args);
  va_end(args);
  std::fflush(stdout);
}

// The maps of `method`; the methods run 64 images at a time so that their
// intermediates stay small whatever --count is.
Tensor method_maps(const std::string& method, Model& model, const Tensor& images, const std::vector<int>& classes,
                   const MethodOptions& options) {
  if (method == kRandom) return random_map(images);
  if (method == kSobel) return sobel_map(images);
  std::vector<Tensor> parts;
  const int chunk = 64;
  for (int b = 0; b < images.dim(0); b += chunk) {
    const int e = std::min(images.dim(0), b + chunk);
    parts.push_back(explain(method, model, slice_batch(images, b, e),
                            std::vector<int>(classes.begin() + b, classes.begin() + e), options));
  }
  return concat_batch(parts);
}

// The scores against the object masks: no model needed. Without masks they
// are NaN, which the tables print as "n/a (no masks)".
void score_against_masks(const Items& items, const Tensor& maps, MethodScores& s) {
  if (items.masks.empty()) {
    for (double MethodScores::*field : {&MethodScores::pointing_pct, &MethodScores::pointing_tol2_pct,
                                        &MethodScores::energy_inside, &MethodScores::iou_at_half})
      s.*field = std::nan("");
    return;
  }
  const int N = items.images.dim(0), H = items.images.dim(2), W = items.images.dim(3);
  const std::size_t P = std::size_t(H) * std::size_t(W);
  const int tolerance = pointing_game_tolerance(std::max(H, W));
  for (int n = 0; n < N; ++n) {
    const Tensor m = image_map(maps, n);
    const std::uint8_t* mask = items.masks.data() + std::size_t(n) * P;
    s.pointing_pct += pointing_game_hit(m, mask) ? 100.0 / N : 0;
    s.pointing_tol2_pct += pointing_game_hit(m, mask, tolerance) ? 100.0 / N : 0;
    s.energy_inside += positive_energy_inside(m, mask) / N;
    s.iou_at_half += threshold_iou(m, mask, 0.5) / N;
  }
}

// The scores that perturb the images and ask the model again.
void score_by_perturbation(const Items& items, const Tensor& maps, const ScoreFunction& score, int steps,
                           MethodScores& s) {
  s.deletion_auc = deletion_curve(score, items.images, maps, items.classes, steps).mean_auc;
  s.insertion_auc = insertion_curve(score, items.images, maps, items.classes, steps).mean_auc;
  const ConfidenceChange conf = confidence_change(score, items.images, maps, items.classes);
  s.average_drop_pct = conf.average_drop;
  s.increase_in_confidence_pct = 100 * conf.increase;
  const RoadResult rd = road(score, items.images, maps, items.classes);
  s.road_morf = rd.morf_mean;
  s.road_lerf = rd.lerf_mean;
  s.road_combined = rd.combined;
}

// What every method is scored with.
struct Bench {
  Model& model;
  const Items& items;
  const MethodOptions& options;
  ScoreFunction score, logit;
  int steps;
  Tensor sanity_images;
  std::vector<int> sanity_classes;  // empty: no sanity check
};

MethodResult evaluate_method(const Bench& bench, const std::string& method, Comparison& comparison) {
  const auto start = std::chrono::steady_clock::now();
  const ExplainFunction method_fn = [&](Model& m, const Tensor& images, const std::vector<int>& classes) {
    return method_maps(method, m, images, classes, bench.options);
  };
  MethodResult result;
  result.method = method;
  result.maps = method_fn(bench.model, bench.items.images, bench.items.classes);
  score_against_masks(bench.items, result.maps, result.scores);
  score_by_perturbation(bench.items, result.maps, bench.score, bench.steps, result.scores);
  score_quantus_maps(bench.items, result.maps, bench.score, bench.logit, result.scores);
  comparison.shift_logit_change =
      score_quantus_reruns(bench.model, method_fn, bench.sanity_images, bench.sanity_classes, result.scores);
  if (!bench.sanity_classes.empty()) {
    const auto stages = cascading_randomization(bench.model, method_fn, bench.sanity_images, bench.sanity_classes);
    if (comparison.stage_names.empty())
      for (const auto& s : stages) comparison.stage_names.push_back(s.layer.empty() ? "original" : s.layer);
    for (const auto& s : stages) result.sanity.push_back(s.mean_spearman);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

Items load_items(const std::string& data, int count, Model& model) {
  if (data == "scenes") return scene_items(count);
  if (data == "shapes-test") return test_items(count);
  if (std::filesystem::is_directory(data)) return folder_items(data, count, model);
  return dataset_items(data, count);
}

Comparison run_comparison(const Request& request, Model& model, const Items& items, const MethodOptions& options) {
  const int N = items.images.dim(0), sanity_count = std::min(N, request.sanity_images);
  Bench bench{model,
              items,
              options,
              probability_scorer(model, Kernels::Fast, options.pool),
              logit_scorer(model, Kernels::Fast, options.pool),
              request.steps,
              slice_batch(items.images, 0, sanity_count),
              std::vector<int>(items.classes.begin(), items.classes.begin() + sanity_count)};
  Comparison comparison;
  comparison.architecture = model.architecture();
  comparison.sanity_maps = sanity_count;
  std::printf("compare: %s on %s\n", model.architecture().c_str(), items.description.c_str());
  std::printf("methods: %s\n", join(request.methods).c_str());
  for (std::size_t mi = 0; mi < request.methods.size(); ++mi) {
    progress("  [%2zu/%zu] %-24s", mi + 1, request.methods.size(), request.methods[mi].c_str());
    MethodResult result = evaluate_method(bench, request.methods[mi], comparison);
    progress(" %6.1f s  pointing %s%%  deletion %.3f  insertion %.3f\n", result.seconds,
             score_text(result.scores.pointing_pct, 1, "n/a").c_str(), result.scores.deletion_auc,
             result.scores.insertion_auc);
    comparison.results.push_back(std::move(result));
  }
  return comparison;
}

}  // namespace gcam::cli::compare

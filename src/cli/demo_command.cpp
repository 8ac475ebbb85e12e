// gradcam demo: the whole story in one command. Train shapes-cnn on synthetic
// shapes, then explain two-object scenes once for each object's class.
#include <sys/stat.h>
#include <chrono>
#include <cstdio>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/evaluate/mask_metrics.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/render/figure.hpp"
#include "gcam/render/heatmap.hpp"
#include "gcam/report/report.hpp"
#include "gcam/train/train.hpp"
#include "outputs.hpp"
#include "progress.hpp"

namespace gcam::cli {

namespace {

constexpr int kZoom = 8;  // 32×32 inputs shown at 256×256

void make_folder(const std::string& path) {
  std::string partial;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!partial.empty()) mkdir(partial.c_str(), 0755);  // existing folders are fine
    }
    if (i < path.size()) partial += path[i];
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error("cannot create the output folder '" + path + "'");
}

// The scenes, the colours and where everything goes; the training settings
// are in the TrainOptions beside it.
struct DemoRequest {
  std::string dir;
  Colormap colors = Colormap::Jet;
  std::size_t scene_count = 0;
};

Args demo_arguments() {
  Args args("demo",
            "Train shapes-cnn on synthetic shapes (seconds), then write Grad-CAM overlays for\n"
            "two-object scenes: one overlay per object class, plus a montage of all of them.");
  args.option("out-dir", "folder", "where to write the checkpoint and the PNGs", "build/demo")
      .option("epochs", "n", "training epochs", "5")
      .option("scenes", "n", "two-object scenes to explain", "6")
      .option("seed", "n", "seed for weights and shuffling", "1")
      .option("threads", "n", "worker threads", default_threads())
      .option("colormap", "name", "jet or viridis", "jet");
  return args;
}

Model train_demo_model(const DemoRequest& request, const TrainOptions& options, const Dataset& train_set) {
  const Dataset test_set = load_dataset("shapes", "test");
  Model model = make_model("shapes-cnn", train_set.image_shape, train_set.classes(), options.seed);
  std::printf("step 1: training shapes-cnn on %zu synthetic images (%s)\n", train_set.size(), scalar_name());
  const TrainingRun run = train_with_progress(model, train_set, test_set, options);
  std::printf("        test accuracy %.2f%% in %.1f s\n", 100 * run.reports.back().test.accuracy, run.seconds);
  CheckpointInfo info;
  info.class_names = train_set.class_names;
  info.metadata = {{"data", "shapes"}, {"epochs", std::to_string(options.epochs)}};
  {
    OutputWrite writing;
    save_checkpoint(request.dir + "/shapes-cnn.ckpt", model, info);
  }
  return model;
}

// The montage's pictures with their column titles.
struct MontageCells {
  std::vector<Image> tiles;
  std::vector<std::string> titles;
};

// Grad-CAM for both objects of scene `s` in one batch: writes one overlay per
// object, appends the input and both overlays to `cells`, and returns how many
// of the two maps peak inside their own object.
int explain_scene(const DemoRequest& request, Model& model, ThreadPool* pool, const TwoObjectScenes& scenes,
                  std::size_t s, const std::vector<std::string>& class_names, MontageCells& cells) {
  const Tensor pair = scenes.images.images({s, s});
  GradCamOptions cam;
  cam.classes = {scenes.classes[s][0], scenes.classes[s][1]};
  cam.pool = pool;
  const GradCamResult r = grad_cam(model, pair, cam);
  const Image base = dataset_image(scenes.images, s);
  const std::size_t plane = base.pixels.size();
  // The input itself (an overlay with opacity 0 is the image in RGB).
  cells.tiles.push_back(upscale_nearest(overlay(base, image_map(r.heatmap, 0), request.colors, 0), kZoom));
  cells.titles.push_back("scene " + std::to_string(s));
  int hits = 0;
  for (int k = 0; k < 2; ++k) {
    const Tensor one = image_map(r.heatmap, k);
    const std::string name = class_names[std::size_t(cam.classes[std::size_t(k)])];
    const std::vector<std::uint8_t>& masks = k == 0 ? scenes.masks_a : scenes.masks_b;
    hits += pointing_game_hit(one, masks.data() + s * plane);
    const Image tile = upscale_nearest(overlay(base, one, request.colors, 0.5), kZoom);
    const std::string file = request.dir + "/scene" + std::to_string(s) + "_" + name + ".png";
    {
      OutputWrite writing;
      save_png(file, tile);
    }
    cells.tiles.push_back(tile);
    cells.titles.push_back("Grad-CAM: " + name);
    std::printf("  scene %zu: %-8s y^c = %7.3f  -> %s\n", s, name.c_str(), double(r.scores[std::size_t(k)]),
                file.c_str());
  }
  return hits;
}

// The step-by-step page for the first object of scene 0 (docs/gradcam.md shows its panels).
// Returns the page's path.
std::string write_demo_report(const DemoRequest& request, Model& model, const TwoObjectScenes& scenes,
                              const std::vector<std::string>& class_names) {
  ReportRequest report;
  report.source = "two-object scene 0";
  report.checkpoint = request.dir + "/shapes-cnn.ckpt";
  report.class_names = class_names;
  report.target_class = scenes.classes[0][0];
  report.colours = request.colors;
  OutputWrite writing;
  return write_gradcam_report(model, scenes.images.images({0}), dataset_image(scenes.images, 0), report,
                              request.dir + "/report");
}

void write_montage_and_summary(const DemoRequest& request, const MontageCells& cells, int hits,
                               const std::string& report) {
  {
    const Image all =
        stack_vertically(titled_montage(cells.tiles, cells.titles, 3, 4),
                         colour_bar({request.colors, 0, 1}, 200, "heatmap: L^c scaled to [0, 1] per map"));
    OutputWrite writing;
    save_png(request.dir + "/montage.png", all);
  }
  std::printf("step 3: pointing game on these scenes: %d of %zu maps peak inside the right object\n\n", hits,
              2 * request.scene_count);
  std::printf(
      "Open %s/montage.png: each row is one scene — the input, then the Grad-CAM overlay for the\n"
      "first object's class, then for the second. Each map should light up its own object and\n"
      "leave the other one dark: Grad-CAM is class-discriminative.\n"
      "Open %s in a browser: every step of Grad-CAM for scene 0, with its numbers.\n",
      request.dir.c_str(), report.c_str());
}

}  // namespace

int run_demo(const std::vector<std::string>& argv) {
  Args args = demo_arguments();
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  DemoRequest request;
  request.dir = args.text("out-dir");
  request.colors = colormap_by_name(args.text("colormap"));
  request.scene_count = std::size_t(args.integer("scenes", 1, 100));
  TrainOptions options;
  options.epochs = int(args.integer("epochs", 1, 100));
  options.batch = 32;
  options.seed = std::uint64_t(args.integer("seed", 0, 1LL << 62));
  const auto pool = make_pool(args.integer("threads", 1, 256));
  options.pool = pool.get();
  make_folder(request.dir);
  check_output_folder("out-dir", request.dir);

  const Dataset train_set = load_dataset("shapes", "train");
  Model model = train_demo_model(request, options, train_set);
  const TwoObjectScenes scenes = make_two_object_scenes(request.scene_count, kSceneSeed);
  std::printf("step 2: Grad-CAM at layer %s for both objects of %zu two-object scenes\n",
              model.last_conv_block().c_str(), request.scene_count);
  MontageCells cells;
  int hits = 0;
  for (std::size_t s = 0; s < request.scene_count; ++s)
    hits += explain_scene(request, model, pool.get(), scenes, s, train_set.class_names, cells);
  write_montage_and_summary(request, cells, hits, write_demo_report(request, model, scenes, train_set.class_names));
  return 0;
}

}  // namespace gcam::cli

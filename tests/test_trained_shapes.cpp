// End-to-end checks on a trained shapes-cnn: accuracy, and whether Grad-CAM
// points at the right object in two-object scenes. Training takes a few
// seconds in the float32 build, which is where these run ([float][trained];
// the double build skips them).
#include <unistd.h>
#include <cstdio>
#include <filesystem>

#include "gcam/core/thread_pool.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/evaluate/mask_metrics.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/render/heatmap.hpp"
#include "gcam/train/train.hpp"
#include "helpers.hpp"

using namespace gcam;

namespace {

// The `make demo` recipe, trained once per test run.
Model& trained_shapes_cnn(ThreadPool& pool) {
  static Model model = [&] {
    const Dataset train_set = shapes_training_set();
    Model m = make_model("shapes-cnn", train_set.image_shape, train_set.classes(), 1);
    TrainOptions options;
    options.epochs = 5;
    options.batch = 32;
    options.pool = &pool;
    train(m, train_set, nullptr, options);
    return m;
  }();
  return model;
}

}  // namespace

TEST_CASE("shapes-cnn reaches at least 98% test accuracy", "[float][trained]") {
  ThreadPool pool(2);
  Model& model = trained_shapes_cnn(pool);
  const Evaluation ev = evaluate(model, load_dataset("shapes", "test"), 256, Kernels::Fast, &pool);
  INFO("test accuracy " << ev.accuracy);
  CHECK(ev.accuracy >= 0.98);
}

TEST_CASE("Grad-CAM points at the right object in 200 two-object scenes", "[float][trained]") {
  ThreadPool pool(2);
  Model& model = trained_shapes_cnn(pool);
  const std::size_t count = 200;
  const TwoObjectScenes scenes = make_two_object_scenes(count, 3);  // seed 3: never trained on
  int hits = 0, tolerant_hits = 0, own_wins = 0, maps = 0;
  for (std::size_t s = 0; s < count; ++s) {
    GradCamOptions options;
    options.classes = {scenes.classes[s][0], scenes.classes[s][1]};
    options.pool = &pool;
    const GradCamResult r = grad_cam(model, scenes.images.images({s, s}), options);
    for (int k = 0; k < 2; ++k) {
      const Tensor map = image_map(r.upsampled, k);
      const std::uint8_t* own = (k == 0 ? scenes.masks_a : scenes.masks_b).data() + s * 1024;
      const std::uint8_t* other = (k == 0 ? scenes.masks_b : scenes.masks_a).data() + s * 1024;
      hits += pointing_game_hit(map, own);  // the maximum lies inside the mask
      tolerant_hits += pointing_game_hit(map, own, pointing_game_tolerance(32));
      own_wins += energy_inside(map, own) > energy_inside(map, other);
      ++maps;
    }
  }
  const double pointing = double(hits) / maps, energy = double(own_wins) / maps;
  std::printf(
      "trained shapes-cnn, %d maps: pointing game %.1f%% (%.1f%% within 2 px); "
      "more energy on its own object than on the other: %.1f%%\n",
      maps, 100 * pointing, 100.0 * tolerant_hits / maps, 100 * energy);
  CHECK(pointing >= 0.90);
  CHECK(energy >= 0.90);
}

TEST_CASE("overlay PNGs are written and read back with the expected size and channels", "[float][trained]") {
  ThreadPool pool(2);
  Model& model = trained_shapes_cnn(pool);
  const TwoObjectScenes scenes = make_two_object_scenes(1, 3);
  GradCamOptions options;
  options.pool = &pool;
  const GradCamResult r = grad_cam(model, scenes.images.images({0}), options);
  const auto dir = std::filesystem::temp_directory_path() / ("gcam_png_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "overlay.png").string();
  save_png(file, upscale_nearest(overlay(dataset_image(scenes.images, 0), image_map(r.heatmap, 0), Colormap::Jet), 4));
  const Image back = load_image(file);
  CHECK(back.width == 128);
  CHECK(back.height == 128);
  CHECK(back.channels == 3);
  std::filesystem::remove_all(dir);
}

// gradcam samples: write synthetic images and their masks as PNG files.
#include <cstdio>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/render/heatmap.hpp"
#include "outputs.hpp"

namespace gcam::cli {

namespace {

constexpr int kZoom = 4;  // "shown 4x enlarged", as the help says

void write_shapes(const std::string& dir, std::size_t count) {
  const Dataset shapes = make_shapes(count, 2);  // the test split's first images
  for (std::size_t i = 0; i < count; ++i) {
    const std::string stem =
        dir + "/shape" + std::to_string(i) + "_" + shapes.class_names[std::size_t(shapes.labels[i])];
    save_png(stem + ".png", upscale_nearest(dataset_image(shapes, i), kZoom));
    save_png(stem + "_mask.png", upscale_nearest(mask_image(shapes, i), kZoom));
  }
}

void write_scenes(const std::string& dir, std::size_t count) {
  const TwoObjectScenes scenes = make_two_object_scenes(count, kSceneSeed);
  const std::vector<std::string>& names = scenes.images.class_names;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string stem = dir + "/scene" + std::to_string(i) + "_" + names[std::size_t(scenes.classes[i][0])] + "_" +
                             names[std::size_t(scenes.classes[i][1])];
    save_png(stem + ".png", upscale_nearest(dataset_image(scenes.images, i), kZoom));
  }
}

}  // namespace

int run_samples(const std::vector<std::string>& argv) {
  Args args("samples",
            "Write a few synthetic shapes, their ground-truth masks and two-object scenes as PNGs\n"
            "(shown 4x enlarged). The repository's data/ folder was made with the defaults.");
  args.option("out-dir", "folder", "an existing folder", "data").option("count", "n", "images per kind", "4");
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  const std::string dir = args.text("out-dir");
  const auto count = std::size_t(args.integer("count", 1, 100));
  check_output_folder("out-dir", dir);
  OutputWrite writing;  // a few small PNGs: Ctrl-C takes effect after the last one
  write_shapes(dir, count);
  write_scenes(dir, count);
  std::printf("wrote %zu shapes with masks and %zu two-object scenes to %s/\n", count, count, dir.c_str());
  return 0;
}

}  // namespace gcam::cli

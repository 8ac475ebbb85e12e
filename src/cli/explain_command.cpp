// gradcam explain: Grad-CAM for one image, written as an overlay PNG.
#include <algorithm>
#include <cstdio>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/checkpoint.hpp"
#include "gcam/error.hpp"
#include "gcam/gradcam.hpp"
#include "gcam/heatmap.hpp"

namespace gcam::cli {

namespace {

// The image to explain as a (1, C, H, W) tensor of the model's input shape.
// Files of another size or channel count are converted, and we say so.
Tensor input_image(const Args& args, const Shape& input_shape) {
  const int C = input_shape[0], H = input_shape[1], W = input_shape[2];
  if (args.given("image") == args.given("data"))
    throw UsageError("give exactly one of --image <file.png> or --data <fashion-test|shapes-test> --index <n>");
  if (args.given("data")) {
    const std::string source = args.text("data");
    const auto dash = source.rfind('-');
    if (dash == std::string::npos) throw UsageError("--data takes <set>-<split>, e.g. fashion-test or shapes-test");
    const Dataset data = load_dataset(source.substr(0, dash), source.substr(dash + 1));
    const auto index = std::size_t(args.integer("index", 0, (long long)data.size() - 1));
    std::printf("image: %s #%zu (true class %s)\n", source.c_str(), index,
                data.class_names[std::size_t(data.labels[index])].c_str());
    return data.images({index});
  }
  Image image = load_image(args.text("image"));
  std::printf("image: %s, %dx%d, %d channel(s)\n", args.text("image").c_str(), image.width, image.height,
              image.channels);
  if (C == 1 && image.channels != 1) {
    image = to_grayscale(image);
    std::printf("  converted to grayscale (0.299 R + 0.587 G + 0.114 B): the model takes 1 channel\n");
  }
  if (C == 3 && image.channels != 3) throw FormatError("the model takes RGB images; this image has " +
                                                       std::to_string(image.channels) + " channel(s)");
  if (image.width != W || image.height != H) {
    image = resize_bilinear(image, W, H);
    std::printf("  resized to %dx%d (bilinear): the model's input size\n", W, H);
  }
  return image_to_tensor(image).reshaped({1, C, H, W});
}

}  // namespace

int run_explain(const std::vector<std::string>& argv) {
  Args args("explain", "Explain one prediction with Grad-CAM and write the heatmap overlay as a PNG.\n"
                       "example: gradcam explain --ckpt build/fashion.ckpt --data fashion-test --index 0 --out cam.png");
  args.option("ckpt", "file", "checkpoint written by 'gradcam train'")
      .option("image", "file", "PNG/JPEG to explain (converted to the model's input)")
      .option("data", "set-split", "a data set image instead: fashion-test, shapes-test, ...")
      .option("index", "n", "which image of --data", "0")
      .option("layer", "name", "target layer (default: the last conv block)")
      .option("class", "c", "target class, by name or number (default: the predicted class)")
      .option("score", "kind", "logit or probability", "logit")
      .flag("counterfactual", "negate the gradients: regions that speak against the class")
      .option("colormap", "name", "jet or viridis", "jet")
      .option("alpha", "x", "opacity of the heatmap over the image", "0.5")
      .option("out", "file", "overlay PNG to write")
      .option("save-map", "file", "also write the upsampled map L^c (before scaling to [0,1]) as .npy, float32 HxW");
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  const std::string out = args.text("out");
  const Colormap colors = colormap_by_name(args.text("colormap"));
  const double alpha = args.number("alpha", 0, 1);
  const std::string score = args.text("score");
  if (score != "logit" && score != "probability") throw UsageError("--score must be logit or probability");

  CheckpointInfo info;
  Model model = load_model(args.text("ckpt"), &info);
  if (info.class_names.empty())  // the format allows unnamed classes: call them by number
    for (int k = 0; k < model.classes(); ++k) info.class_names.push_back(std::to_string(k));
  const Tensor image = input_image(args, model.input_shape());
  GradCamOptions options;
  if (args.given("layer")) options.layer = args.text("layer");
  if (args.given("class")) options.classes = {class_index(args.text("class"), info.class_names)};
  options.score = score == "logit" ? ScoreKind::Logit : ScoreKind::Probability;
  options.counterfactual = args.flag_set("counterfactual");
  const GradCamResult r = grad_cam(model, image, options);

  const int c = r.classes[0];
  const Scalar* logits = r.logits.data();
  const int predicted = int(std::max_element(logits, logits + model.classes()) - logits);
  std::printf("predicted: %s; explaining class %s (y^c = %.4f, %s) at layer %s %s\n",
              info.class_names[std::size_t(predicted)].c_str(), info.class_names[std::size_t(c)].c_str(),
              double(r.scores[0]), score.c_str(), r.layer.c_str(), shape_string(r.activations.shape()).c_str());
  if (r.empty_map[0])
    std::printf("note: the map is all zero after the ReLU (no region raises this class's score); the heatmap is blank\n");

  const int H = image.dim(2), W = image.dim(3);
  const Image base = tensor_to_image(image.reshaped({image.dim(1), H, W}));
  const int zoom = std::max(1, 256 / std::max(H, W));
  save_png(out, upscale_nearest(overlay(base, r.heatmap, colors, alpha), zoom));
  std::printf("wrote %s (%dx%d)\n", out.c_str(), W * zoom, H * zoom);
  if (args.given("save-map")) {
    save_npy(args.text("save-map"), r.upsampled.reshaped({H, W}));
    std::printf("wrote %s (float32 %dx%d, numpy.load reads it)\n", args.text("save-map").c_str(), H, W);
  }
  return 0;
}

}  // namespace gcam::cli

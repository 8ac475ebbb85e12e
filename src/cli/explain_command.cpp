// gradcam explain: Grad-CAM for one image, written as an overlay PNG.
#include <algorithm>
#include <cstdio>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/io/npy.hpp"
#include "gcam/core/error.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/render/heatmap.hpp"
#include "outputs.hpp"

namespace gcam::cli {

namespace {

// `image` with exactly `channels` (1 or 3) channels, converted explicitly:
// RGB(A) → gray by luminance, gray → RGB by copying the value to R, G and B;
// alpha is dropped (not composited). Each conversion is reported.
Image with_channels(Image image, int channels) {
  if (channels == 1 && image.channels != 1) {
    image = to_grayscale(image);
    std::printf("  converted to grayscale (0.299 R + 0.587 G + 0.114 B, alpha dropped): the model takes 1 channel\n");
  } else if (channels == 3 && image.channels != 3) {
    Image rgb;
    rgb.width = image.width;
    rgb.height = image.height;
    rgb.channels = 3;
    rgb.pixels.resize(static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3);
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        for (int c = 0; c < 3; ++c) rgb.at(y, x, c) = image.at(y, x, image.channels >= 3 ? c : 0);
    std::printf("  converted to RGB (%s): the model takes 3 channels\n",
                image.channels >= 3 ? "alpha dropped" : "gray copied to R, G and B");
    image = std::move(rgb);
  }
  return image;
}

// The image to explain as a (1, C, H, W) tensor of the model's input shape.
// Files of another size or channel count are converted, and we say so.
Tensor input_image(const Args& args, const Shape& input_shape) {
  const int C = input_shape[0], H = input_shape[1], W = input_shape[2];
  if (args.given("data")) {
    const std::string source = args.text("data");
    const auto dash = source.rfind('-');
    if (dash == std::string::npos) throw UsageError("--data takes <set>-<split>, e.g. fashion-test or shapes-test");
    const Dataset data = load_dataset(source.substr(0, dash), source.substr(dash + 1));
    if (data.image_shape != input_shape)
      throw UsageError("--data " + source + " has images of shape " + shape_string(data.image_shape) +
                       " but the model takes " + shape_string(input_shape) + "; use the data set it was trained on");
    const auto index = std::size_t(args.integer("index", 0, (long long)data.size() - 1));
    std::printf("image: %s #%zu (true class %s)\n", source.c_str(), index,
                data.class_names[std::size_t(data.labels[index])].c_str());
    return data.images({index});
  }
  if (C != 1 && C != 3)
    throw FormatError("the model takes " + std::to_string(C) + "-channel inputs; image files can only be explained "
                      "with models of 1 (gray) or 3 (RGB) channels");
  Image image = load_image(args.text("image"));
  std::printf("image: %s, %dx%d, %d channel(s)\n", args.text("image").c_str(), image.width, image.height,
              image.channels);
  image = with_channels(std::move(image), C);
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
  // The arguments first, then the files: nothing is read before the command
  // line is known to be complete and consistent.
  if (args.given("image") == args.given("data"))
    throw UsageError("give exactly one of --image <file.png> or --data <fashion-test|shapes-test> --index <n>");
  if (args.given("image") && args.on_command_line("index"))
    throw UsageError("--index selects an image of --data; it does not apply to --image");
  const std::string ckpt = args.text("ckpt");
  const std::string out = args.text("out");
  std::vector<std::string> inputs{ckpt};
  if (args.given("image")) inputs.push_back(args.text("image"));
  check_output_file("out", out, inputs);
  if (args.given("save-map")) {
    check_output_file("save-map", args.text("save-map"), inputs);
    check_different_outputs("out", out, "save-map", args.text("save-map"));
  }
  const Colormap colors = colormap_by_name(args.text("colormap"));
  const double alpha = args.number("alpha", 0, 1);
  const std::string score = args.text("score");
  if (score != "logit" && score != "probability")
    throw UsageError("--score must be logit or probability, got '" + score + "'");

  CheckpointInfo info;
  Model model = load_model(ckpt, &info);
  if (info.class_names.empty())  // the format allows unnamed classes: call them by number
    for (int k = 0; k < model.classes(); ++k) info.class_names.push_back(std::to_string(k));
  GradCamOptions options;
  if (args.given("layer")) {
    options.layer = args.text("layer");
    const int index = model.layer_index(options.layer);  // throws UnknownName listing the layers
    if (model.layer_output_shape(index).size() != 3) {
      std::string maps;
      for (int l = 0; l < model.layer_count(); ++l)
        if (model.layer_output_shape(l).size() == 3) maps += (maps.empty() ? "" : ", ") + model.layer(l).name();
      throw UsageError("layer '" + options.layer + "' outputs " + shape_string(model.layer_output_shape(index)) +
                       ", not feature maps; Grad-CAM layers of " + model.architecture() + " are: " + maps);
    }
  }
  if (args.given("class")) options.classes = {class_index(args.text("class"), info.class_names)};
  const Tensor image = input_image(args, model.input_shape());
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
    std::printf("note: the map is constant (all zero after the ReLU: no region raises this class's score); the "
                "heatmap is blank\n");

  const int H = image.dim(2), W = image.dim(3);
  const Image base = tensor_to_image(image.reshaped({image.dim(1), H, W}));
  const int zoom = std::max(1, 256 / std::max(H, W));
  const Image picture = upscale_nearest(overlay(base, r.heatmap, colors, alpha), zoom);
  {
    OutputWrite writing;
    save_png(out, picture);
  }
  std::printf("wrote %s (%dx%d)\n", out.c_str(), W * zoom, H * zoom);
  if (args.given("save-map")) {
    OutputWrite writing;
    save_npy(args.text("save-map"), r.upsampled.reshaped({H, W}));
    std::printf("wrote %s (float32 %dx%d, numpy.load reads it)\n", args.text("save-map").c_str(), H, W);
  }
  return 0;
}

}  // namespace gcam::cli

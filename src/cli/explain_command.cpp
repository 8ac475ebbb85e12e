// gradcam explain: Grad-CAM for one image, written as an overlay PNG.
#include <algorithm>
#include <cstdio>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/core/error.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/io/npy.hpp"
#include "gcam/render/heatmap.hpp"
#include "outputs.hpp"

namespace gcam::cli {

namespace {

// `image` with exactly `channels` (1 or 3) channels, converted explicitly:
// RGB(A) → gray by luminance, gray → RGB by copying the value to R, G and B;
// the alpha (transparency) channel is dropped, not composited. Each
// conversion is reported.
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

// The image to explain, as the model sees it (a (1, C, H, W) batch of its
// input shape) and as the overlay shows it (its 8-bit pixels).
struct InputImage {
  Image picture;
  Tensor batch;
};

// Files of another size or channel count are converted, and we say so.
InputImage input_image(const Args& args, const Shape& input_shape) {
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
    return {dataset_image(data, index), data.images({index})};
  }
  if (C != 1 && C != 3)
    throw FormatError("the model takes " + std::to_string(C) +
                      "-channel inputs; image files can only be explained "
                      "with models of 1 (gray) or 3 (RGB) channels");
  Image image = load_image(args.text("image"));
  std::printf("image: %s, %dx%d, %d channel(s)\n", args.text("image").c_str(), image.width, image.height,
              image.channels);
  image = with_channels(std::move(image), C);
  if (image.width != W || image.height != H) {
    image = resize_bilinear(image, W, H);
    std::printf("  resized to %dx%d (bilinear): the model's input size\n", W, H);
  }
  Tensor batch = image_to_tensor(image).reshaped({1, C, H, W});
  return {std::move(image), std::move(batch)};
}

// What was asked, checked in full before any file is read: a typo must not
// cost a model load.
struct ExplainRequest {
  std::string ckpt, out, save_map;  // save_map: "" = not asked for
  std::string score;                // "logit" or "probability"
  Colormap colors = Colormap::Jet;
  double opacity = 0.5;
};

Args explain_arguments() {
  Args args("explain",
            "Explain one prediction with Grad-CAM and write the heatmap overlay as a PNG.\n"
            "example: gradcam explain --ckpt build/fashion.ckpt --data fashion-test --index 0 --out cam.png");
  args.option("ckpt", "file", "checkpoint written by 'gradcam train'")
      .option("image", "file", "PNG/JPEG to explain (converted to the model's input)")
      .option("data", "set-split", "a data set image instead: fashion-test, shapes-test, ...")
      .option("index", "n", "which image of --data", "0")
      .option("layer", "name", "target layer (default: the last conv block; see below)")
      .option("class", "c", "target class, by name or number (default: the predicted class)")
      .option("score", "kind", "logit or probability", "logit")
      .flag("counterfactual", "negate the gradients: regions that speak against the class")
      .option("colormap", "name", "jet or viridis", "jet")
      .option("opacity", "x", "opacity of the heatmap over the image, 0 to 1 (was --alpha)", "0.5")
      .option("out", "file", "overlay PNG to write")
      .option("save-map", "file", "also write the upsampled map L^c (before scaling to [0,1]) as .npy, float32 HxW")
      // "alpha" is kept for α^c_k, the channel weights: scripts that still
      // pass --alpha for the opacity must hear why it is gone.
      .retired("alpha",
               "--alpha was renamed --opacity (the heatmap's opacity over the image); alpha means the "
               "channel weights α^c_k");
  args.epilog(target_layers_help());
  return args;
}

ExplainRequest read_request(const Args& args) {
  if (args.given("image") == args.given("data"))
    throw UsageError("give exactly one of --image <file.png> or --data <fashion-test|shapes-test> --index <n>");
  if (args.given("image") && args.on_command_line("index"))
    throw UsageError("--index selects an image of --data; it does not apply to --image");
  ExplainRequest request;
  request.ckpt = args.text("ckpt");
  request.out = args.text("out");
  std::vector<std::string> inputs{request.ckpt};
  if (args.given("image")) inputs.push_back(args.text("image"));
  check_output_file("out", request.out, inputs);
  if (args.given("save-map")) {
    request.save_map = args.text("save-map");
    check_output_file("save-map", request.save_map, inputs);
    check_different_outputs("out", request.out, "save-map", request.save_map);
  }
  request.colors = colormap_by_name(args.text("colormap"));
  request.opacity = args.number("opacity", 0, 1);
  request.score = args.text("score");
  if (request.score != "logit" && request.score != "probability")
    throw UsageError("--score must be logit or probability, got '" + request.score + "'");
  return request;
}

GradCamOptions cam_options(const Args& args, const ExplainRequest& request, const Model& model,
                           const std::vector<std::string>& class_names) {
  GradCamOptions options;
  if (args.given("layer")) {
    options.layer = args.text("layer");
    model.feature_map_output(options.layer);  // refused here, before any work, listing the valid layers
  }
  if (args.given("class")) options.classes = {class_index(args.text("class"), class_names)};
  options.score = request.score == "logit" ? ScoreKind::Logit : ScoreKind::Probability;
  options.counterfactual = args.flag_set("counterfactual");
  return options;
}

void print_prediction(const GradCamResult& r, const std::vector<std::string>& class_names, const std::string& score) {
  const int c = r.classes[0];
  const Scalar* logits = r.logits.data();
  const int predicted = int(std::max_element(logits, logits + r.logits.dim(1)) - logits);
  std::printf("predicted: %s; explaining class %s (y^c = %.4f, %s) at layer %s %s\n",
              class_names[std::size_t(predicted)].c_str(), class_names[std::size_t(c)].c_str(), double(r.scores[0]),
              score.c_str(), r.layer.c_str(), shape_string(r.activations.shape()).c_str());
  if (r.empty_map[0])
    std::printf(
        "note: the map is constant (all zero after the ReLU: no region raises this class's score); the "
        "heatmap is blank\n");
}

void write_explanation(const ExplainRequest& request, const Image& base, const GradCamResult& r) {
  const int H = base.height, W = base.width;
  const int zoom = std::max(1, 256 / std::max(H, W));
  const Image picture = upscale_nearest(overlay(base, r.heatmap, request.colors, request.opacity), zoom);
  {
    OutputWrite writing;
    save_png(request.out, picture);
  }
  std::printf("wrote %s (%dx%d)\n", request.out.c_str(), W * zoom, H * zoom);
  if (!request.save_map.empty()) {
    OutputWrite writing;
    save_npy(request.save_map, r.upsampled.reshaped({H, W}));
    std::printf("wrote %s (float32 %dx%d, numpy.load reads it)\n", request.save_map.c_str(), H, W);
  }
}

}  // namespace

int run_explain(const std::vector<std::string>& argv) {
  Args args = explain_arguments();
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  const ExplainRequest request = read_request(args);
  CheckpointInfo info;
  Model model = load_model(request.ckpt, &info);
  if (info.class_names.empty())  // the format allows unnamed classes: call them by number
    for (int k = 0; k < model.classes(); ++k) info.class_names.push_back(std::to_string(k));
  const GradCamOptions options = cam_options(args, request, model, info.class_names);
  const InputImage image = input_image(args, model.input_shape());
  const GradCamResult r = grad_cam(model, image.batch, options);
  print_prediction(r, info.class_names, request.score);
  write_explanation(request, image.picture, r);
  return 0;
}

}  // namespace gcam::cli

// The image `gradcam explain` explains (explain_input.hpp).
#include "explain_input.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/io/image_codec.hpp"

namespace gcam::cli {

namespace {

// `image` with exactly `channels` (1 or 3) channels, converted explicitly:
// RGB(A) → gray by luminance, gray → RGB by copying the value to R, G and B;
// the alpha (transparency) channel is dropped, not composited. Each
// conversion is reported when `say` is set.
Image with_channels(Image image, int channels, bool say) {
  if (channels == 1 && image.channels != 1) {
    image = to_grayscale(image);
    if (say)
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
    if (say)
      std::printf("  converted to RGB (%s): the model takes 3 channels\n",
                  image.channels >= 3 ? "alpha dropped" : "gray copied to R, G and B");
    image = std::move(rgb);
  }
  return image;
}

InputImage dataset_input(const Args& args, const Shape& input_shape) {
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
  return {dataset_image(data, index), data.images({index}), source + " #" + std::to_string(index)};
}

// A file of another size is resized (stretched or letterboxed); a change of
// aspect ratio is reported, since it distorts the shapes the model sees.
Image fitted(const Image& image, int W, int H, Fit fit, bool say) {
  if (image.width == W && image.height == H) return image;
  const bool same_aspect = std::lround(double(image.width) * H) == std::lround(double(image.height) * W);
  if (fit == Fit::Letterbox) {
    if (say) std::printf("  letterboxed to %dx%d: scaled to fit (bilinear), padded with black\n", W, H);
    return letterbox(image, W, H);
  }
  if (say) std::printf("  resized to %dx%d (bilinear): the model's input size\n", W, H);
  if (say && !same_aspect)
    std::printf(
        "  note: this changes the aspect ratio (%dx%d to %dx%d) and distorts shapes; --resize letterbox "
        "keeps it\n",
        image.width, image.height, W, H);
  return resize_bilinear(image, W, H);
}

}  // namespace

InputImage input_image(const Args& args, const Shape& input_shape, Fit fit) {
  if (args.given("data")) return dataset_input(args, input_shape);
  const int C = input_shape[0], H = input_shape[1], W = input_shape[2];
  if (C != 1 && C != 3)
    throw FormatError("the model takes " + std::to_string(C) +
                      "-channel inputs; image files can only be explained "
                      "with models of 1 (gray) or 3 (RGB) channels");
  const std::string path = args.text("image");
  Image image = load_image(path);
  std::printf("image: %s, %dx%d, %d channel(s)\n", path.c_str(), image.width, image.height, image.channels);
  image = to_model_input(std::move(image), input_shape, fit, true);
  Tensor batch = image_to_tensor(image).reshaped({1, C, H, W});
  return {std::move(image), std::move(batch), path};
}

Image to_model_input(Image image, const Shape& input_shape, Fit fit, bool say) {
  return fitted(with_channels(std::move(image), input_shape[0], say), input_shape[2], input_shape[1], fit, say);
}

Fit fit_by_name(const std::string& name) {
  if (name == "stretch") return Fit::Stretch;
  if (name == "letterbox") return Fit::Letterbox;
  throw UsageError("--resize: " + unknown_name_message("way to resize", name, {"stretch", "letterbox"}, "the ways"));
}

Image letterbox(const Image& image, int width, int height) {
  const double scale = std::min(double(width) / image.width, double(height) / image.height);
  const int w = std::max(1, int(std::lround(image.width * scale))),
            h = std::max(1, int(std::lround(image.height * scale)));
  const Image inner = resize_bilinear(image, w, h);
  Image out{width, height, image.channels,
            std::vector<std::uint8_t>(std::size_t(width) * std::size_t(height) * std::size_t(image.channels), 0)};
  const int x0 = (width - w) / 2, y0 = (height - h) / 2;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < image.channels; ++c) out.at(y0 + y, x0 + x, c) = inner.at(y, x, c);
  return out;
}

}  // namespace gcam::cli

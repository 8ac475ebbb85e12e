// Grad-CAM needs no special architecture: the same Fashion-MNIST images
// explained by a plain CNN that ends in flatten + dense (where CAM is
// impossible) and by a residual network, at two depths, with CAM beside it.
//
//   make fashion resnet
//   build/float/examples/gradcam_any_cnn [fashion.ckpt] [resnet.ckpt] [out folder]
//
// Defaults: build/fashion.ckpt, build/resnet.ckpt, build/any-cnn. Writes
// montage.png (rows: images; columns: input, fashion-cnn Grad-CAM at relu2,
// resnet-mini Grad-CAM at layer2 and layer3, resnet-mini CAM) and
// residual-block.dot, the tape of one residual block (dot -Tsvg).
#include <cstdio>
#include <filesystem>
#include <string>

#include "gcam/data/dataset.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/files.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/render/figure.hpp"
#include "gcam/render/heatmap.hpp"

using namespace gcam;

// Grad-CAM of `model` at `layer` for each image's predicted class, as overlays.
static std::vector<Image> grad_cam_overlays(Model& model, const Tensor& images, const std::string& layer,
                                            const std::vector<Image>& inputs) {
  GradCamOptions options;
  options.layer = layer;
  const GradCamResult r = grad_cam(model, images, options);
  std::vector<Image> tiles;
  for (int n = 0; n < images.dim(0); ++n)
    tiles.push_back(upscale_nearest(overlay(inputs[std::size_t(n)], image_map(r.heatmap, n), Colormap::Jet), 4));
  std::printf("  %-12s %-7s %2dx%-2d maps, predicted:", model.architecture().c_str(), r.layer.c_str(),
              r.activations.dim(2), r.activations.dim(3));
  for (int c : r.classes) std::printf(" %d", c);
  std::printf("\n");
  return tiles;
}

int main(int argc, char** argv) {
  const std::string fashion_path = argc > 1 ? argv[1] : "build/fashion.ckpt";
  const std::string resnet_path = argc > 2 ? argv[2] : "build/resnet.ckpt";
  const std::string out = argc > 3 ? argv[3] : "build/any-cnn";
  if (!std::filesystem::exists(fashion_path) || !std::filesystem::exists(resnet_path)) {
    std::fprintf(stderr, "needs %s and %s: run `make fashion resnet` first (or name two checkpoints)\n",
                 fashion_path.c_str(), resnet_path.c_str());
    return 2;
  }
  Model plain = load_model(fashion_path), resnet = load_model(resnet_path);
  const Dataset test = load_dataset("fashion", "test");
  const std::vector<std::size_t> picks = {0, 1, 2, 3, 4, 5};
  const Tensor images = test.images(picks);
  std::vector<Image> inputs;
  for (std::size_t i : picks) inputs.push_back(dataset_image(test, i));

  // 1. CAM needs GAP + one dense layer: fashion-cnn has flatten + two dense layers.
  try {
    class_activation_map(plain, images, std::vector<int>(picks.size(), 0));
  } catch (const std::exception& e) {
    std::printf("CAM on fashion-cnn: %s\n\n", e.what());
  }
  // 2. Grad-CAM on both nets, at any layer with feature maps.
  std::printf("Grad-CAM:\n");
  const auto plain_tiles = grad_cam_overlays(plain, images, "relu2", inputs);
  const auto layer2_tiles = grad_cam_overlays(resnet, images, "layer2", inputs);
  const auto layer3_tiles = grad_cam_overlays(resnet, images, "layer3", inputs);
  // 3. On resnet-mini CAM applies too, and Grad-CAM at layer3 is CAM / Z (Z = 7·7).
  const GradCamResult g = grad_cam(resnet, images, {});
  const Tensor cam = class_activation_map(resnet, images, g.classes);
  const Scalar Z = Scalar(g.activations.dim(2) * g.activations.dim(3));
  Tensor cam_over_z = cam;
  for (Scalar& v : cam_over_z.values()) v /= Z;
  std::printf("\nresnet-mini: largest |Grad-CAM - CAM/Z| at layer3 = %.2g (float32)\n",
              max_abs_difference(g.weighted_sum, cam_over_z));
  const Tensor cam_heat = normalize_to_unit(relu_map(upsample_bilinear(cam, 28, 28)));

  std::vector<Image> tiles;
  for (std::size_t n = 0; n < picks.size(); ++n) {
    tiles.push_back(
        upscale_nearest(overlay(inputs[n], image_map(cam_heat, int(n)), Colormap::Jet, 0), 4));  // input, RGB
    tiles.push_back(plain_tiles[n]), tiles.push_back(layer2_tiles[n]), tiles.push_back(layer3_tiles[n]);
    tiles.push_back(upscale_nearest(overlay(inputs[n], image_map(cam_heat, int(n)), Colormap::Jet), 4));
  }
  std::filesystem::create_directories(out);
  save_png(out + "/montage.png", montage(tiles, 5));
  // 4. One residual block on the tape: x feeds conv1 and the shortcut, the add joins them.
  BasicBlock block("layer2", 2, 4, 2);
  Tape tape;
  ForwardPass pass;
  block.forward(tape, tape.input(Tensor({1, 2, 4, 4}, 1), "x"), pass);
  write_file_atomically(out + "/residual-block.dot", tape.to_dot());
  std::printf("wrote %s/montage.png and %s/residual-block.dot\n", out.c_str(), out.c_str());
  return 0;
}

// Grad-CAM, step by step, with every intermediate printed.
//
//   build/float/examples/gradcam_walkthrough [checkpoint]
//
// With a checkpoint (e.g. build/demo/shapes-cnn.ckpt from `make demo`) it
// explains that model; without one it first trains shapes-cnn for a few
// seconds. Then it takes a scene with two objects and runs the four steps of
// docs/gradcam.md one function at a time, for each object's class.
#include <algorithm>
#include <cstdio>

#include "gcam/core/thread_pool.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/ops/ops.hpp"
#include "gcam/render/heatmap.hpp"
#include "gcam/train/train.hpp"

using namespace gcam;

static void print_matrix(const char* title, const Tensor& m, int n, int k) {
  std::printf("%s\n", title);
  for (int i = 0; i < m.dim(2); ++i) {
    std::printf("    ");
    for (int j = 0; j < m.dim(3); ++j) std::printf("%7.3f", double(m.at(n, k, i, j)));
    std::printf("\n");
  }
}

static Model trained_model(int argc, char** argv, ThreadPool& pool) {
  if (argc > 1) return load_model(argv[1]);
  std::printf("no checkpoint given: training shapes-cnn for 2 epochs (about 10 s)...\n");
  const Dataset data = shapes_training_set();  // the demo's recipe, with fewer epochs
  Model model = make_model("shapes-cnn", data.image_shape, data.classes(), 1);
  TrainOptions options;
  options.epochs = 2;
  options.batch = 32;
  options.pool = &pool;
  train(model, data, nullptr, options);
  return model;
}

int main(int argc, char** argv) {
  ThreadPool pool(2);
  Model model = trained_model(argc, argv, pool);
  const TwoObjectScenes scenes = make_two_object_scenes(1, 3);
  const Tensor x = scenes.images.images({0});
  const std::vector<std::string> names = shape_classes();
  const std::string layer = model.last_conv_block();  // the last conv block: deep, yet still spatial
  std::printf("\nimage: a %s and a %s; target layer A = %s\n", names[std::size_t(scenes.classes[0][0])].c_str(),
              names[std::size_t(scenes.classes[0][1])].c_str(), layer.c_str());

  for (int object = 0; object < 2; ++object) {
    const int c = scenes.classes[0][std::size_t(object)];
    std::printf("\n==================== class c = %d (%s) ====================\n", c, names[std::size_t(c)].c_str());

    // Step 1: forward pass, the score y^c, and ∂y^c/∂A by walking the tape back to A.
    Tape tape(Kernels::Reference);
    const ForwardPass pass = model.forward(tape, x);
    const Var A = model.output_of(pass, layer);
    const Var y = class_score(tape, pass.logits, {c}, ScoreKind::Logit);
    const Tensor gradients = activation_gradients(tape, y, A);
    const Tensor& activations = tape.value(A);
    std::printf("step 1  class_score():          y^c = %.4f (the logit of class %d)\n", double(tape.value(y)[0]), c);
    std::printf("        activation_gradients(): dy^c/dA has shape %s\n", shape_string(gradients.shape()).c_str());
    print_matrix("        dy^c/dA^0 (channel 0):", gradients, 0, 0);

    // Step 2: eq. (8), the channel weights.
    const Tensor alpha = channel_weights(gradients);
    std::printf("step 2  channel_weights():      alpha^c_k = (1/Z) sum_ij dy^c/dA^k_ij, Z = %d\n        alpha =",
                activations.dim(2) * activations.dim(3));
    for (int k = 0; k < alpha.dim(1); ++k) std::printf("%s%.3f", k % 8 ? " " : "\n          ", double(alpha.at(0, k)));
    std::printf("\n");

    // Step 3: the weighted sum of the maps, then the ReLU.
    const Tensor weighted = weighted_combination(alpha, activations);
    const Tensor L = relu_map(weighted);
    print_matrix("step 3  weighted_combination(): sum_k alpha^c_k A^k", weighted, 0, 0);
    print_matrix("        relu_map():             L^c = ReLU(...)", L, 0, 0);

    // Step 4: upsample to the input size, scale to [0,1], colour, overlay.
    const Tensor up = upsample_bilinear(L, x.dim(2), x.dim(3));
    const Tensor heat = normalize_to_unit(up);
    const std::string file = "walkthrough_" + names[std::size_t(c)] + ".png";
    save_png(file, upscale_nearest(overlay(dataset_image(scenes.images, 0), image_map(heat, 0), Colormap::Jet), 8));
    std::printf("step 4  upsample_bilinear() %dx%d -> %dx%d, normalize_to_unit(), overlay(): wrote %s\n", L.dim(2),
                L.dim(3), up.dim(2), up.dim(3), file.c_str());
  }
  return 0;
}

// Grad-CAM, step by step, with every number needed to redo it by hand.
//
//   build/float/examples/gradcam_walkthrough [checkpoint | -] [layer]
//
// With a checkpoint (e.g. build/demo/shapes-cnn.ckpt from `make demo`) it
// explains that model; without one (or with "-") it first trains shapes-cnn
// for a few seconds. It takes a scene with two objects and runs the four steps
// of docs/gradcam.md one function at a time, for each object's class, and
// prints what goes into and comes out of each step: every feature map A^k,
// every gradient dy^c/dA^k, every weight alpha^c_k with its k, the weighted
// sum, L^c, three upsampled pixels with their four bilinear taps, and the
// normalisation's min and max. `layer` picks the target layer; the default is
// model.last_conv_block(), Grad-CAM's usual choice.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "gcam/core/bilinear.hpp"
#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/render/heatmap.hpp"
#include "gcam/train/train.hpp"

using namespace gcam;

namespace {

// One entry of a printed matrix. An exact zero (where a ReLU cut) prints as
// "0", so that it stands apart from a small value rounded to 0.000.
void print_entry(double v, int decimals) {
  if (v == 0)
    std::printf("%*s", decimals + 4, "0");
  else
    std::printf("%*.*f", decimals + 4, decimals, v);
}

// Every channel of t, (1, K, h, w), as an h×w matrix labelled "symbol^k"
// (just "symbol" when K = 1), `per_row` matrices side by side.
void print_maps(const char* symbol, const Tensor& t, int per_row, int decimals = 3) {
  const int K = t.dim(1), h = t.dim(2), w = t.dim(3);
  for (int k0 = 0; k0 < K; k0 += per_row) {
    const int k1 = std::min(K, k0 + per_row);
    for (int k = k0; k < k1; ++k) {
      const std::string label = K == 1 ? symbol : std::string(symbol) + "^" + std::to_string(k);
      std::printf("  %-*s", k + 1 < k1 ? (decimals + 4) * w : 0, label.c_str());
    }
    std::printf("\n");
    for (int i = 0; i < h; ++i) {
      for (int k = k0; k < k1; ++k) {
        std::printf("  ");
        for (int j = 0; j < w; ++j) print_entry(double(t.at(0, k, i, j)), decimals);
      }
      std::printf("\n");
    }
  }
}

double mean_of_channel(const Tensor& t, int k) {
  double sum = 0;
  for (int i = 0; i < t.dim(2); ++i)
    for (int j = 0; j < t.dim(3); ++j) sum += double(t.at(0, k, i, j));
  return sum / (t.dim(2) * t.dim(3));
}

// True when every entry of each channel of t equals that channel's first
// entry, as happens to dy^c/dA when A feeds a global average pool.
bool constant_per_channel(const Tensor& t) {
  for (int k = 0; k < t.dim(1); ++k)
    for (int i = 0; i < t.dim(2); ++i)
      for (int j = 0; j < t.dim(3); ++j)
        if (t.at(0, k, i, j) != t.at(0, k, 0, 0)) return false;
  return true;
}

// The dense layer of a "global average pool, then one dense layer" head
// (shapes-cnn, gap-cnn, resnet-mini) when `layer` is the pool's input, else
// nullptr. Only then is y^c = Σ_k w^c_k mean(A^k) + b^c exactly, which lets
// the walkthrough check each step against the model's own weights.
const Dense* gap_head(const Model& model, const std::string& layer) {
  const int L = model.layer_count();
  if (L < 3) return nullptr;
  const auto* dense = dynamic_cast<const Dense*>(&model.layer(L - 1));
  const bool gap = dynamic_cast<const GlobalAvgPool*>(&model.layer(L - 2)) != nullptr;
  const int index = model.output_index(layer);
  const bool feeds_gap = model.outputs()[std::size_t(index)].layer == L - 3 && !model.inside_layer(index);
  return dense && gap && feeds_gap ? dense : nullptr;
}

Model trained_model(int argc, char** argv, ThreadPool& pool) {
  if (argc > 1 && std::string(argv[1]) != "-") return load_model(argv[1]);
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

// Everything one class's run produces, step by step.
struct ClassRun {
  int c = 0;
  double y = 0;            // y^c
  Tensor A, gradients;     // (1, K, h, w)
  Tensor alpha;            // (1, K)
  Tensor weighted, L;      // (1, 1, h, w)
  Tensor upsampled, heat;  // (1, 1, H, W)
};

// Step 1: forward pass, y^c, and dy^c/dA by walking the tape back to A.
ClassRun step1(Model& model, const Tensor& x, const std::string& layer, int c, const std::vector<std::string>& names,
               const Dense* head) {
  ClassRun run;
  run.c = c;
  Tape tape(Kernels::Reference);
  const ForwardPass pass = model.forward(tape, x);
  const Var A = model.output_of(pass, layer);
  const Var y = class_score(tape, pass.logits, {c}, ScoreKind::Logit);
  run.gradients = activation_gradients(tape, y, A);
  run.A = tape.value(A);
  run.y = double(tape.value(y)[0]);
  std::printf("step 1  class_score(): y^c = %.3f, the logit of class %d (%s), taken before the softmax\n", run.y, c,
              names[std::size_t(c)].c_str());
  std::printf("        all logits:");
  for (int k = 0; k < model.classes(); ++k)
    std::printf("  %s %.3f", names[std::size_t(k)].c_str(), double(tape.value(pass.logits).at(0, k)));
  std::printf("\n");
  const int K = run.A.dim(1), Z = run.A.dim(2) * run.A.dim(3);
  if (head) {
    double sum = 0;
    for (int k = 0; k < K; ++k) sum += double(head->weight.value.at(c, k)) * mean_of_channel(run.A, k);
    const double b = double(head->bias.value[std::size_t(c)]);
    std::printf(
        "        where it comes from: the pool averages each A^k, then the dense layer computes\n"
        "        y^c = sum_k w^c_k mean(A^k) + b^c = %.4f + (%.4f) = %.4f\n"
        "        (w^c_k and mean(A^k) are in the table of step 2; b^c is the dense layer's bias)\n",
        sum, b, sum + b);
  }
  std::printf("        activation_gradients(): dy^c/dA, shape %s\n", shape_string(run.gradients.shape()).c_str());
  if (constant_per_channel(run.gradients)) {
    std::printf(
        "        each dy^c/dA^k is one number repeated in all Z = %d cells (table of step 2)%s\n", Z,
        head ? ":\n        the pool gives every cell of A^k the same share 1/Z of w^c_k, so it is w^c_k/Z" : "");
  } else {
    print_maps("dy^c/dA", run.gradients, 1, 5);
  }
  return run;
}

// Step 2, eq. (8): alpha^c_k = (1/Z) Σ_ij dy^c/dA^k_ij, printed with its k.
void step2(ClassRun& run, const Dense* head) {
  run.alpha = channel_weights(run.gradients);
  const int K = run.A.dim(1), Z = run.A.dim(2) * run.A.dim(3);
  const bool constant = constant_per_channel(run.gradients);
  std::printf("step 2  channel_weights(): alpha^c_k = (1/Z) sum_ij dy^c/dA^k_ij, Z = %d\n", Z);
  std::printf("        %4s %10s", "k", "mean(A^k)");
  if (head) std::printf(" %10s %10s", "w^c_k", "w^c_k/Z");
  if (constant) std::printf(" %14s", "dy^c/dA^k_ij");
  std::printf(" %10s\n", "alpha^c_k");
  for (int k = 0; k < K; ++k) {
    std::printf("        %4d %10.3f", k, mean_of_channel(run.A, k));
    if (head) {
      const double w = double(head->weight.value.at(run.c, k));
      std::printf(" %10.4f %10.5f", w, w / Z);
    }
    if (constant) std::printf(" %14.5f", double(run.gradients.at(0, k, 0, 0)));
    std::printf(" %10.5f\n", double(run.alpha.at(0, k)));
  }
}

// Step 3: the weighted sum, how it adds up to y^c, and the ReLU. Returns
// false if the sum disagrees with y^c − b^c where it must agree.
bool step3(ClassRun& run, const Dense* head) {
  run.weighted = weighted_combination(run.alpha, run.A);
  run.L = relu_map(run.weighted);
  const int Z = run.A.dim(2) * run.A.dim(3);
  std::printf("step 3  weighted_combination(): S = sum_k alpha^c_k A^k (signed)\n");
  print_maps("S", run.weighted, 1);
  double total = 0;
  for (int i = 0; i < run.weighted.dim(2); ++i)
    for (int j = 0; j < run.weighted.dim(3); ++j) total += double(run.weighted.at(0, 0, i, j));
  std::printf("        sum of the %d entries of S (Z mean(S)) = %.4f\n", Z, total);
  bool ok = true;
  if (head) {
    // Σ_ij S_ij = Σ_k alpha_k Σ_ij A^k_ij = Σ_k (w^c_k/Z)(Z mean(A^k)) = y^c − b^c.
    const double b = double(head->bias.value[std::size_t(run.c)]);
    ok = std::abs(total - (run.y - b)) <= 1e-4 * (1 + std::abs(run.y));
    std::printf("        y^c - b^c = %.4f - (%.4f) = %.4f%s\n", run.y, b, run.y - b, ok ? "" : "  <-- MISMATCH");
    std::printf(
        "        the two agree: sum_ij S_ij = sum_k alpha^c_k sum_ij A^k_ij = sum_k (w^c_k/Z) Z mean(A^k)\n"
        "        = y^c - b^c, so y^c = Z mean(S) + b^c. The bias adds the same b^c to y^c whatever the\n"
        "        image; it belongs to no cell, so the map accounts for all of y^c except b^c.\n");
  } else {
    std::printf(
        "        (A is not the input of a global average pool followed by one dense layer: ReLUs and\n"
        "        pools lie between, y^c is not linear in A, and this sum need not equal y^c - b^c)\n");
  }
  std::printf("        relu_map(): L^c = ReLU(S), keeping only what raises y^c\n");
  print_maps("L^c", run.L, 1);
  return ok;
}

// One upsampled pixel by hand: the four cells of L^c that upsample_bilinear
// reads, from the project's own bilinear_axis_sample, and their weights.
bool explain_pixel(const ClassRun& run, int i, int j) {
  const int h = run.L.dim(2), w = run.L.dim(3), H = run.upsampled.dim(2), W = run.upsampled.dim(3);
  const AxisSample<Scalar> r = bilinear_axis_sample<Scalar>(i, h, H);
  const AxisSample<Scalar> c = bilinear_axis_sample<Scalar>(j, w, W);
  // Where the pixel's centre falls on L^c's grid, before clamping at the border.
  const double row = (i + 0.5) * h / H - 0.5, col = (j + 0.5) * w / W - 0.5;
  std::printf("        pixel (%d, %d): centre at row %.3f, column %.3f of L^c%s\n", i, j, row, col,
              row < 0 || col < 0 || row > h - 1 || col > w - 1 ? " (clamped to the border)" : "");
  const int rows[4] = {r.lo, r.lo, r.hi, r.hi}, cols[4] = {c.lo, c.hi, c.lo, c.hi};
  const double weights[4] = {(1 - double(r.t)) * (1 - double(c.t)), (1 - double(r.t)) * double(c.t),
                             double(r.t) * (1 - double(c.t)), double(r.t) * double(c.t)};
  double sum = 0;
  for (int tap = 0; tap < 4; ++tap) {
    const double v = double(run.L.at(0, 0, rows[tap], cols[tap]));
    std::printf("          L^c[%d][%d] =", rows[tap], cols[tap]);
    print_entry(v, 3);
    std::printf("  x weight %.4f\n", weights[tap]);
    sum += weights[tap] * v;
  }
  const double got = double(run.upsampled.at(0, 0, i, j));
  const bool same = std::abs(sum - got) <= 1e-5 * (1 + std::abs(got));
  std::printf("          weighted sum = %.4f; upsample_bilinear gave %.4f%s\n", sum, got, same ? "" : "  <-- MISMATCH");
  return same;
}

// Step 4: upsample L^c to the input size, scale to [0, 1], overlay.
bool step4(ClassRun& run, const TwoObjectScenes& scenes, const std::string& name) {
  const int H = scenes.images.image_shape[1], W = scenes.images.image_shape[2];
  run.upsampled = upsample_bilinear(run.L, H, W);
  std::vector<bool> constant;
  run.heat = normalize_to_unit(run.upsampled, &constant);
  std::printf(
      "step 4  upsample_bilinear(): %dx%d -> %dx%d, half-pixel centres: pixel (i, j) reads L^c at\n"
      "        ((i + 0.5) h/H - 0.5, (j + 0.5) w/W - 0.5), from its four nearest cells\n",
      run.L.dim(2), run.L.dim(3), H, W);
  const Scalar* u = run.upsampled.data();
  const int peak = int(std::max_element(u, u + run.upsampled.size()) - u);
  const int pixels[3][2] = {{0, 0}, {H / 6, W / 3}, {peak / W, peak % W}};  // a corner, an inner pixel, the peak
  bool ok = true;
  for (const auto& p : pixels) ok = explain_pixel(run, p[0], p[1]) && ok;
  const auto [lo, hi] = std::minmax_element(u, u + run.upsampled.size());
  std::printf("        normalize_to_unit(): min = %.4f, max = %.4f; heat = (U - min) / (max - min)\n", double(*lo),
              double(*hi));
  if (constant[0])
    std::printf("        max = min: the map is constant (all 0 after the ReLU), so the heat map is all 0\n");
  for (const auto& p : pixels)
    if (!constant[0])
      std::printf("          pixel (%d, %d): (%.4f - %.4f) / (%.4f - %.4f) = %.4f\n", p[0], p[1],
                  double(run.upsampled.at(0, 0, p[0], p[1])), double(*lo), double(*hi), double(*lo),
                  double(run.heat.at(0, 0, p[0], p[1])));
  const std::string file = "walkthrough_" + name + ".png";
  save_png(file, upscale_nearest(overlay(dataset_image(scenes.images, 0), image_map(run.heat, 0), Colormap::Jet), 8));
  std::printf("        overlay(): wrote %s\n", file.c_str());
  return ok;
}

int walkthrough(int argc, char** argv) {
  ThreadPool pool(2);
  Model model = trained_model(argc, argv, pool);
  const TwoObjectScenes scenes = make_two_object_scenes(1, 3);
  if (model.input_shape() != scenes.images.image_shape)
    throw ShapeError("the walkthrough's scenes are " + shape_string(scenes.images.image_shape) + " but " +
                     model.architecture() + " takes " + shape_string(model.input_shape()) +
                     ": give it a model trained on shapes, e.g. build/demo/shapes-cnn.ckpt");
  const Tensor x = scenes.images.images({0});
  const std::vector<std::string> names = shape_classes();
  const std::string layer = argc > 2 ? argv[2] : model.last_conv_block();
  model.feature_map_output(layer);  // throws UnknownName, listing the layers with feature maps
  const Dense* head = gap_head(model, layer);
  std::printf("\nimage: a %s and a %s; model %s\n", names[std::size_t(scenes.classes[0][0])].c_str(),
              names[std::size_t(scenes.classes[0][1])].c_str(), model.architecture().c_str());
  std::printf(
      "target layer A = %s%s\n", layer.c_str(),
      argc > 2 ? " (chosen on the command line)" : " (model.last_conv_block(): the deepest maps, still spatial)");
  if (head)
    std::printf(
        "it feeds the global average pool and the dense layer '%s', so y^c is a weighted sum of the maps'\n"
        "means plus a bias, and every step below can be checked against the weights\n",
        head->name().c_str());
  if (argc <= 2)
    std::printf("(another layer: give its name after the checkpoint, or after \"-\" to train, e.g. \"- pool2\")\n");

  // A depends on the image only, not on the class: print it once.
  Tape tape(Kernels::Reference);
  const Tensor A = tape.value(model.output_of(model.forward(tape, x), layer));
  std::printf("\nthe feature maps A^k, k = 0..%d, each %dx%d (exact zeros, cut by a ReLU, print as 0):\n", A.dim(1) - 1,
              A.dim(2), A.dim(3));
  print_maps("A", A, 2);

  bool ok = true;
  for (int object = 0; object < 2; ++object) {
    const int c = scenes.classes[0][std::size_t(object)];
    std::printf("\n==================== class c = %d (%s) ====================\n", c, names[std::size_t(c)].c_str());
    ClassRun run = step1(model, x, layer, c, names, head);
    step2(run, head);
    ok = step3(run, head) && ok;
    ok = step4(run, scenes, names[std::size_t(c)]) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return walkthrough(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gradcam_walkthrough: %s\n", e.what());
    return 1;
  }
}

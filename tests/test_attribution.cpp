// Input attributions (attribution.hpp): the guided ReLU rule, guided
// backprop against plain gradients, Integrated Gradients' completeness,
// SmoothGrad's reproducibility and the saliency reduction.
#include <cmath>
#include <cstdio>
#include <memory>

#include "gcam/methods/attribution.hpp"
#include "gcam/nn/layers.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

// conv1 (1→3, 3×3, pad 1, positive weights) → relu1 → flatten → fc (positive
// weights): the gradient arriving at relu1 from above is positive everywhere.
Model positive_net(int size) {
  Model model("positive-net", {1, size, size}, 2);
  auto conv = std::make_unique<Conv2d>("conv1", 1, 3, 3, 1, 1);
  conv->weight.value = random_tensor(conv->weight.value.shape(), 21, 0.1, 1);
  conv->bias.value = random_tensor(conv->bias.value.shape(), 22, -0.5, 0.5);
  model.add(std::move(conv));
  model.add(std::make_unique<ReLU>("relu1"));
  model.add(std::make_unique<Flatten>("flatten"));
  auto fc = std::make_unique<Dense>("fc", 3 * size * size, 2);
  fc->weight.value = random_tensor(fc->weight.value.shape(), 23, 0.1, 1);
  model.add(std::move(fc));
  return model;
}

}  // namespace

TEST_CASE("guided ReLU rule: dx = dy where x > 0 and dy > 0, else 0", "[attribution][float]") {
  Tape tape;
  const Var x = tape.input(Tensor({1, 4}, {1, 2, -1, 3}));
  const Var y = relu(tape, x);
  const Tensor seed({1, 4}, {5, -2, 7, 0.5});
  BackwardOptions guided;
  guided.rules[OpKind::Relu] = guided_relu_rule();
  CHECK(tape.backward(y, seed, guided).of(x).values() == std::vector<Scalar>{5, 0, 0, 0.5});
  CHECK(tape.backward(y, seed).of(x).values() == std::vector<Scalar>{5, -2, 0, 0.5});  // plain gradient
}

TEST_CASE("guided backprop equals the plain gradient when every upstream gradient is positive", "[attribution]") {
  Model model = positive_net(6);
  const Tensor images = random_tensor({3, 1, 6, 6}, 24, -1, 1);
  const std::vector<int> classes = {0, 1, 0};
  const Tensor plain = input_gradients(model, images, classes);
  const Tensor guided = guided_backprop(model, images, classes);
  CHECK(max_abs_difference(plain, guided) == 0);
  // ...and differs on a generic net (mixed-sign weights above its ReLUs),
  // for every image of the batch.
  Model generic = make_model("shapes-cnn", {1, 16, 16}, 4, 3);
  const Tensor batch = random_tensor({2, 1, 16, 16}, 25, 0, 1);
  const Tensor p = input_gradients(generic, batch, {1, 3});
  const Tensor g = guided_backprop(generic, batch, {1, 3});
  for (int n = 0; n < 2; ++n) CHECK(max_abs_difference(slice_batch(p, n, n + 1), slice_batch(g, n, n + 1)) > 1e-6);
}

TEST_CASE("guided backprop on a batch equals guided backprop image by image", "[attribution]") {
  Model model = make_model("shapes-cnn", {1, 16, 16}, 4, 3);
  const Tensor batch = random_tensor({3, 1, 16, 16}, 26, 0, 1);
  const Tensor all = guided_backprop(model, batch, {0, 1, 2});
  for (int n = 0; n < 3; ++n)
    CHECK(max_abs_difference(slice_batch(all, n, n + 1), guided_backprop(model, slice_batch(batch, n, n + 1), {n})) <
          1e-12);
}

TEST_CASE("Integrated Gradients completeness: sum = y(x) - y(0), error shrinking with steps", "[attribution]") {
  // The layers are piecewise linear, so ∂y^c/∂x jumps along the path wherever a
  // ReLU switches: the midpoint rule's error is O(1/m) per jump, with signs
  // that vary. Averaged over a batch of images it falls steadily with m.
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 13);
  for (Parameter* p : model.parameters())  // non-zero biases: y^c(0) ≠ 0
    if (p->name.find("bias") != std::string::npos) p->value = random_tensor(p->value.shape(), 27, -0.2, 0.2);
  const int N = 4;
  const Tensor images = random_tensor({N, 1, 32, 32}, 28, 0, 1);
  const std::vector<int> classes = {2, 0, 1, 3};
  Tape t1, t0;
  const Tensor y_x = t1.value(model.forward(t1, images).logits);
  const Tensor y_0 = t0.value(model.forward(t0, Tensor(images.shape())).logits);
  double previous = HUGE_VAL;
  for (int steps : {8, 32, 128}) {
    MethodOptions options;
    options.ig_steps = steps;
    const Tensor ig = integrated_gradients(model, images, classes, options);
    const Tensor map = sum_channels(ig);  // the map explain() returns keeps each image's total
    double error = 0;                     // mean relative completeness error over the batch
    for (int n = 0; n < N; ++n) {
      double total = 0, map_total = 0;
      const Tensor item = slice_batch(ig, n, n + 1), item_map = slice_batch(map, n, n + 1);
      for (Scalar v : item.values()) total += v;
      for (Scalar v : item_map.values()) map_total += v;
      CHECK(map_total == Approx(total).epsilon(1e-12));
      const int c = classes[std::size_t(n)];
      const double delta = y_x.at(n, c) - y_0.at(n, c);
      error += std::abs(total - delta) / std::abs(delta) / N;
    }
    std::printf("integrated gradients: %3d steps, mean relative completeness error %.3e\n", steps, error);
    CAPTURE(steps, error);
    CHECK(error < previous);
    previous = error;
  }
  CHECK(previous < 1e-2);
}

TEST_CASE("saliency is the channel sum of |dy/dx|; SmoothGrad is reproducible and averages it", "[attribution]") {
  Model model = make_model("shapes-cnn", {2, 8, 8}, 3, 4);
  const Tensor images = random_tensor({2, 2, 8, 8}, 29, 0, 1);
  const Tensor g = input_gradients(model, images, {0, 2});
  const Tensor s = saliency_map(model, images, {0, 2});
  REQUIRE(s.shape() == Shape{2, 1, 8, 8});
  CHECK(s.at(1, 0, 3, 5) == Approx(std::abs(g.at(1, 0, 3, 5)) + std::abs(g.at(1, 1, 3, 5))));
  MethodOptions options;
  options.smoothgrad_samples = 4;
  const Tensor a = smoothgrad_map(model, images, {0, 2}, options);
  CHECK(max_abs_difference(a, smoothgrad_map(model, images, {0, 2}, options)) == 0);     // fixed seed
  CHECK(max_abs_difference(a, smoothgrad_map(model, images, {0, 2}, options, 99)) > 0);  // other noise
  options.smoothgrad_sigma = 0;  // no noise: the mean of identical saliency maps
  CHECK(max_abs_difference(smoothgrad_map(model, images, {0, 2}, options), s) < 1e-12);
}

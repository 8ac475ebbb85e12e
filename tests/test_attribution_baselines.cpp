// The attributions added with issue 16 (attribution.hpp, fullgrad.hpp), each
// pinned by an identity or a hand-built case: Input × Gradient = LRP-0 and
// w ⊙ x; DeepLIFT's summation-to-delta; GradientSHAP and Occlusion on a
// linear model; the noise tunnel's SmoothGrad² and VarGrad; FullGrad's
// completeness.
#include <cmath>
#include <memory>

#include "gcam/core/error.hpp"
#include "gcam/methods/attribution.hpp"
#include "gcam/methods/fullgrad.hpp"
#include "gcam/methods/lrp.hpp"
#include "gcam/nn/layers.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

// y = W·flatten(x) + b: every gradient is a row of W, whatever x.
Model linear_model(const Shape& input, int classes, std::uint64_t seed) {
  Model model("linear", input, classes);
  model.add(std::make_unique<Flatten>("flatten"));
  auto fc = std::make_unique<Dense>("fc", input[0] * input[1] * input[2], classes);
  fc->weight.value = random_tensor(fc->weight.value.shape(), seed, -1, 1);
  fc->bias.value = random_tensor(fc->bias.value.shape(), seed + 1, -1, 1);
  model.add(std::move(fc));
  return model;
}

// w^c ⊙ x for the linear model: the exact attribution of each input value.
Tensor weight_times_input(Model& model, const Tensor& images, const std::vector<int>& classes) {
  const Tensor& W = model.parameters().front()->value;  // fc.weight (classes, C·H·W)
  Tensor out(images.shape());
  const std::size_t per_image = images.size() / std::size_t(images.dim(0));
  for (std::size_t e = 0; e < out.size(); ++e) out[e] = W.at(classes[e / per_image], int(e % per_image)) * images[e];
  return out;
}

// Random biases everywhere (and random batch-norm shifts and statistics), so
// that y^c(0) ≠ 0 and every bias term of FullGrad is non-zero.
void randomize_biases(Model& model, std::uint64_t seed) {
  for (Parameter* p : model.parameters())
    if (p->name.find("bias") != std::string::npos) p->value = random_tensor(p->value.shape(), seed++, -0.3, 0.3);
  for (Parameter* p : model.state()) {
    if (p->name.find("running_mean") != std::string::npos)
      p->value = random_tensor(p->value.shape(), seed++, -0.3, 0.3);
    if (p->name.find("running_var") != std::string::npos) p->value = random_tensor(p->value.shape(), seed++, 0.5, 1.5);
  }
}

Tensor squared(Tensor t) {
  for (Scalar& v : t.values()) v *= v;
  return t;
}

double total(const Tensor& t) {
  double sum = 0;
  for (Scalar v : t.values()) sum += v;
  return sum;
}

// y^c for each image, by a plain forward pass.
std::vector<double> class_scores(Model& model, const Tensor& images, const std::vector<int>& classes) {
  Tape tape;
  const Tensor logits = tape.value(model.forward(tape, images).logits);
  std::vector<double> y;
  for (int n = 0; n < images.dim(0); ++n) y.push_back(logits.at(n, classes[std::size_t(n)]));
  return y;
}

}  // namespace

TEST_CASE("Input x Gradient is w * x on a linear model and LRP-0 on a bias-free ReLU/max-pool net", "[attribution]") {
  Model linear = linear_model({2, 4, 4}, 3, 51);
  const Tensor x = random_tensor({2, 2, 4, 4}, 52, 0, 1);
  CHECK(max_abs_difference(input_x_gradient(linear, x, {2, 0}), weight_times_input(linear, x, {2, 0})) < 1e-12);

  Model model = make_model("shapes-cnn", {1, 16, 16}, 4, 53);
  for (Parameter* p : model.parameters())
    if (p->name.find("bias") != std::string::npos) p->value.fill(0);
  const Tensor images = random_tensor({2, 1, 16, 16}, 54, 0, 1);
  LrpOptions lrp0;
  lrp0.epsilon = 0;
  const Tensor relevance = lrp_relevance(model, images, {1, 3}, lrp0);
  const Tensor ixg = input_x_gradient(model, images, {1, 3});
  REQUIRE(max_abs(ixg) > 0);
  CHECK(max_abs_difference(relevance, ixg) < 1e-9 * max_abs(ixg));
}

TEST_CASE("DeepLIFT rescale rule by hand: dx = dy * (ReLU(x) - ReLU(x')) / (x - x')", "[attribution][float]") {
  // x = (2, −1, 3, 0.5), x' = (−1, −2, 3, 0.25):
  //   Δx = 3, Δy = 2 − 0 = 2:   multiplier 2/3
  //   Δx = 1, Δy = 0 − 0 = 0:   0
  //   Δx = 0:                   ReLU'(3) = 1
  //   Δx = 0.25, Δy = 0.25:     1
  Tape reference, tape;
  relu(reference, reference.input(Tensor({1, 4}, {-1, -2, 3, 0.25})));
  const Var x = tape.input(Tensor({1, 4}, {2, -1, 3, 0.5}));
  const Var y = relu(tape, x);
  BackwardOptions rescale;
  rescale.rules[OpKind::Relu] = rescale_relu_rule(reference);
  const Tensor m = tape.backward(y, Tensor({1, 4}, {3, 3, 3, 3}), rescale).of(x);
  CHECK(m[0] == Approx(2.0));  // 3 · 2/3
  CHECK(m[1] == 0);
  CHECK(m[2] == 3);
  CHECK(m[3] == 3);
}

TEST_CASE("DeepLIFT summation-to-delta is exact on resnet-mini, and not for Input x Gradient",
          "[attribution][resnet]") {
  Model model = make_model("resnet-mini", {1, 16, 16}, 4, 55);
  randomize_biases(model, 56);
  const Tensor images = random_tensor({3, 1, 16, 16}, 57, 0, 1);
  const std::vector<int> classes = {0, 3, 1};
  const std::vector<double> y = class_scores(model, images, classes);
  const std::vector<double> y0 = class_scores(model, Tensor(images.shape()), classes);
  const Tensor phi = deeplift(model, images, classes), ixg = input_x_gradient(model, images, classes);
  for (int n = 0; n < 3; ++n) {
    const double delta = y[std::size_t(n)] - y0[std::size_t(n)];
    CAPTURE(n, delta);
    REQUIRE(std::abs(delta) > 1e-3);
    CHECK(total(slice_batch(phi, n, n + 1)) == Approx(delta).epsilon(1e-10));
    // The plain gradient in the ReLUs' place misses the reference: its sum is off.
    CHECK(std::abs(total(slice_batch(ixg, n, n + 1)) - delta) > 1e-3 * std::abs(delta));
  }
}

TEST_CASE("GradientSHAP on a linear model is w * (x - b) for one baseline and reproducible", "[attribution]") {
  Model model = linear_model({1, 4, 4}, 2, 58);
  const Tensor x = random_tensor({2, 1, 4, 4}, 59, 0, 1), b = random_tensor({1, 1, 4, 4}, 60, 0, 1);
  Tensor difference = x;
  for (std::size_t e = 0; e < x.size(); ++e) difference[e] -= b[e % b.size()];
  MethodOptions options;
  options.shap_samples = 5;
  const Tensor phi = gradient_shap(model, x, {1, 0}, b, options);
  CHECK(max_abs_difference(phi, weight_times_input(model, difference, {1, 0})) < 1e-12);
  // On a ReLU net the random points matter: the seed fixes them.
  Model net = make_model("shapes-cnn", {1, 16, 16}, 3, 61);
  const Tensor images = random_tensor({1, 1, 16, 16}, 62, 0, 1), baselines = random_tensor({2, 1, 16, 16}, 63, 0, 1);
  const Tensor a = gradient_shap(net, images, {2}, baselines, options);
  CHECK(max_abs_difference(a, gradient_shap(net, images, {2}, baselines, options)) == 0);
  CHECK(max_abs_difference(a, gradient_shap(net, images, {2}, baselines, options, 7)) > 0);
  CHECK_THROWS_AS(gradient_shap(net, images, {2}, Tensor({1, 2, 16, 16})), ShapeError);
}

TEST_CASE("Occlusion on a linear model: 1x1 patches give sum_c w_c x_c, larger ones the patch mean", "[attribution]") {
  Model model = linear_model({2, 4, 4}, 2, 64);
  const Tensor x = random_tensor({1, 2, 4, 4}, 65, 0, 1);
  const Tensor wx = weight_times_input(model, x, {1});
  MethodOptions options;
  options.occlusion_window = 1;
  options.occlusion_stride = 1;
  CHECK(max_abs_difference(occlusion_map(model, x, {1}, options), sum_channels(wx)) < 1e-12);
  // Window 3, stride 2 on 4 pixels: corners 0, then 2 does not fit, so one
  // flush with the edge at 1. Rows/columns 1–2 lie in both patches, 0 only in
  // the first and 3 only in the last. Δ of a patch = Σ of w·x over it.
  options.occlusion_window = 3;
  options.occlusion_stride = 2;
  const Tensor pixel = sum_channels(wx);
  const auto patch = [&](int top, int left) {
    double sum = 0;
    for (int i = top; i < top + 3; ++i)
      for (int j = left; j < left + 3; ++j) sum += pixel.at(0, 0, i, j);
    return sum;
  };
  const Tensor map = occlusion_map(model, x, {1}, options);
  CHECK(map.at(0, 0, 0, 0) == Approx(patch(0, 0)).epsilon(1e-12));
  CHECK(map.at(0, 0, 3, 0) == Approx(patch(1, 0)).epsilon(1e-12));
  CHECK(map.at(0, 0, 0, 2) == Approx((patch(0, 0) + patch(0, 1)) / 2).epsilon(1e-12));
  CHECK(map.at(0, 0, 1, 1) == Approx((patch(0, 0) + patch(0, 1) + patch(1, 0) + patch(1, 1)) / 4).epsilon(1e-12));
  options.occlusion_window = 5;
  CHECK_THROWS_AS(occlusion_map(model, x, {1}, options), std::invalid_argument);
  options.occlusion_window = 2;  // stride 2: every pixel still covered; stride 3 would leave gaps
  CHECK(std::isfinite(max_abs(occlusion_map(model, x, {1}, options))));
  options.occlusion_stride = 3;
  CHECK_THROWS_AS(occlusion_map(model, x, {1}, options), std::invalid_argument);
}

TEST_CASE("SmoothGrad squared and VarGrad: g^2 and 0 without noise, w^2 and 0 on a linear model", "[attribution]") {
  Model net = make_model("shapes-cnn", {2, 8, 8}, 3, 66);
  const Tensor images = random_tensor({2, 2, 8, 8}, 67, 0, 1);
  MethodOptions options;
  options.smoothgrad_samples = 3;
  options.smoothgrad_sigma = 0;  // every sample is the image itself
  const Tensor g = input_gradients(net, images, {0, 2});
  const NoisyGradients still = noisy_gradients(net, images, {0, 2}, options);
  CHECK(max_abs_difference(smoothgrad_squared_map(still), sum_channels(squared(g))) < 1e-12);
  CHECK(max_abs(vargrad_map(still)) < 1e-12);
  // With noise: on a linear model the gradient never changes (VarGrad 0,
  // SmoothGrad² Σ_c w²); on the ReLU net it does (VarGrad > 0).
  options.smoothgrad_sigma = 0.3;
  Model linear = linear_model({2, 8, 8}, 3, 68);
  const Tensor ones(images.shape(), Scalar(1));
  const Tensor w2 = squared(weight_times_input(linear, ones, {0, 2}));
  const NoisyGradients flat = noisy_gradients(linear, images, {0, 2}, options);
  CHECK(max_abs_difference(smoothgrad_squared_map(flat), sum_channels(w2)) < 1e-12);
  CHECK(max_abs(vargrad_map(flat)) < 1e-12);
  CHECK(max_abs(vargrad_map(noisy_gradients(net, images, {0, 2}, options))) > 1e-6);
}

TEST_CASE("FullGrad completeness: the input and bias terms add up to y^c", "[attribution][resnet]") {
  for (const char* architecture : {"shapes-cnn", "resnet-mini"}) {
    INFO(architecture);
    Model model = make_model(architecture, {1, 16, 16}, 4, 69);
    randomize_biases(model, 70);
    const Tensor images = random_tensor({2, 1, 16, 16}, 71, 0, 1);
    const std::vector<int> classes = {2, 1};
    const FullGradients terms = full_gradients(model, images, classes);
    const std::vector<double> y = class_scores(model, images, classes);
    for (int n = 0; n < 2; ++n) {
      double sum = total(slice_batch(terms.input_term, n, n + 1)), biases = 0;
      for (const BiasGradient& term : terms.bias_terms) biases += total(slice_batch(term.values, n, n + 1));
      CHECK(sum + biases == Approx(y[std::size_t(n)]).epsilon(1e-10));
      CHECK(std::abs(biases) > 1e-3);  // the bias terms carry part of y^c
      CHECK(terms.scores[std::size_t(n)] == Approx(y[std::size_t(n)]).epsilon(1e-12));
    }
  }
  // Without biases, the map is ψ of |x ⊙ ∂y^c/∂x| alone.
  Model model = make_model("shapes-cnn", {1, 16, 16}, 4, 72);
  const Tensor images = random_tensor({2, 1, 16, 16}, 73, 0, 1);
  const FullGradients terms = full_gradients(model, images, {0, 3});
  const Tensor expected = normalize_to_unit(abs_sum_channels(input_x_gradient(model, images, {0, 3})));
  CHECK(max_abs_difference(fullgrad_map(terms, 16, 16), expected) < 1e-12);
}

TEST_CASE("FullGrad map by hand: conv bias term = where the conv output is positive", "[attribution]") {
  // conv (1→1, 3×3, pad 1, bias b) → ReLU → GAP → dense (1→2): ∂y^c/∂z = w_c/Z · [z > 0],
  // so the bias term |b · ∂y^c/∂z| is |b w_c/Z| where z > 0 and 0 elsewhere; ψ scales it to
  // the indicator of z > 0. The map is ψ(|x ⊙ ∂y^c/∂x|) + that indicator (the dense
  // layer's bias has no place in the image).
  Model model("one-conv", {1, 6, 6}, 2);
  auto conv = std::make_unique<Conv2d>("conv1", 1, 1, 3, 1, 1);
  conv->weight.value = random_tensor(conv->weight.value.shape(), 74, -1, 1);
  conv->bias.value = Tensor({1}, {0.1});
  model.add(std::move(conv));
  model.add(std::make_unique<ReLU>("relu1"));
  model.add(std::make_unique<GlobalAvgPool>("gap"));
  auto fc = std::make_unique<Dense>("fc", 1, 2);
  fc->weight.value = Tensor({2, 1}, {0.7, -0.4});
  fc->bias.value = Tensor({2}, {0.2, 0.3});
  model.add(std::move(fc));
  const Tensor image = random_tensor({1, 1, 6, 6}, 75, 0, 1);
  Tape tape;
  const ForwardPass pass = model.forward(tape, image);
  const Tensor z = tape.value(model.output_of(pass, "conv1"));
  Tensor expected = normalize_to_unit(abs_sum_channels(input_x_gradient(model, image, {0})));
  int positive = 0;
  for (std::size_t e = 0; e < z.size(); ++e)
    if (z[e] > 0) expected[e] += 1, ++positive;
  REQUIRE(positive > 0);
  REQUIRE(positive < 36);  // both kinds of pixel: the indicator is not constant
  CHECK(max_abs_difference(fullgrad_map(full_gradients(model, image, {0}), 6, 6), expected) < 1e-12);
}

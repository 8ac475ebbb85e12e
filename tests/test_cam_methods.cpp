// The CAM-family methods of cam_methods.hpp: each weight/map equation on
// hand-computed numbers, identities tying them to Grad-CAM, CAM and each
// other, and a hand-built net on which every method of explain() must point
// at the one quadrant of the image that holds the object.
#include <cmath>
#include <memory>

#include "gcam/core/error.hpp"
#include "gcam/methods/attribution.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/methods/lrp.hpp"
#include "gcam/nn/layers.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

// A net whose answer is known. Input (1, 8, 8) with values ≥ 0.
//   conv1 (1→2, 3×3, pad 1): channel 0 = x (centre tap 1), channel 1 = −x
//   relu1, pool1 (2×2 max), conv2 (2→2, 1×1, identity), relu2 (the target, 4×4)
//   gap, fc: class 0 = A⁰ − A¹ (means), class 1 = −A⁰ + A¹.
// For x ≥ 0, A¹ = 0 and A⁰ is x max-pooled: y⁰ = mean(A⁰) > 0 grows with x
// wherever x > 0, and y¹ = −y⁰.
Model quadrant_net() {
  Model model("quadrant-net", {1, 8, 8}, 2);
  auto conv1 = std::make_unique<Conv2d>("conv1", 1, 2, 3, 1, 1);
  conv1->weight.value.at(0, 0, 1, 1) = 1;
  conv1->weight.value.at(1, 0, 1, 1) = -1;
  model.add(std::move(conv1));
  model.add(std::make_unique<ReLU>("relu1"));
  model.add(std::make_unique<Pool2d>("pool1", Pool2d::Mode::Max, 2, 2));
  auto conv2 = std::make_unique<Conv2d>("conv2", 2, 2, 1, 1, 0);
  conv2->weight.value.at(0, 0, 0, 0) = 1;
  conv2->weight.value.at(1, 1, 0, 0) = 1;
  model.add(std::move(conv2));
  model.add(std::make_unique<ReLU>("relu2"));
  model.add(std::make_unique<GlobalAvgPool>("gap"));
  auto fc = std::make_unique<Dense>("fc", 2, 2);
  fc->weight.value = Tensor({2, 2}, {1, -1, -1, 1});
  model.add(std::move(fc));
  return model;
}

// Two 8×8 images, zero except one quadrant filled with distinct values in
// [0.5, 1]: image 0 top-left, image 1 bottom-right.
Tensor quadrant_images() {
  Tensor images({2, 1, 8, 8});
  const Tensor values = random_tensor({2, 4, 4}, 7, 0.5, 1);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      images.at(0, 0, i, j) = values[std::size_t(i * 4 + j)];
      images.at(1, 0, 4 + i, 4 + j) = values[std::size_t(16 + i * 4 + j)];
    }
  return images;
}

// Row and column of the first maximum of image n's map (N, 1, H, W).
std::pair<int, int> argmax(const Tensor& maps, int n) {
  const Tensor m = image_map(maps, n);
  std::size_t best = 0;
  for (std::size_t e = 1; e < m.size(); ++e)
    if (m[e] > m[best]) best = e;
  return {int(best) / m.dim(1), int(best) % m.dim(1)};
}

}  // namespace

TEST_CASE("explain: every method points at the quadrant that holds the object", "[cam_methods][float]") {
  Model model = quadrant_net();
  const Tensor images = quadrant_images();
  MethodOptions options;
  options.smoothgrad_samples = 8;
  // FEM keeps the pixels k standard deviations above their channel's mean:
  // with 4 lit positions out of 16 none reaches μ + 2σ (≈ 0.9 here), all
  // reach μ + σ (≈ 0.55).
  options.fem_k = 1;
  for (const std::string& method : method_names()) {
    INFO(method);
    // VarGrad shows where the gradient is unstable under noise: on this
    // piecewise-linear net that is the empty background, where noise decides
    // which pixel wins each max-pool window, not the object, where the
    // winners are fixed. Its own tests are in test_attribution_baselines.cpp.
    if (method == "vargrad") continue;
    // Counterfactual Grad-CAM shows what speaks AGAINST the class: explain
    // class 1 (y¹ = −y⁰), against which the object speaks.
    const int c = method == "gradcam-counterfactual" ? 1 : 0;
    const Tensor maps = explain(method, model, images, {c, c}, options);
    REQUIRE(maps.shape() == Shape{2, 1, 8, 8});
    const auto [r0, c0] = argmax(maps, 0);
    const auto [r1, c1] = argmax(maps, 1);
    CHECK((r0 < 4 && c0 < 4));    // top-left
    CHECK((r1 >= 4 && c1 >= 4));  // bottom-right
    CHECK(image_map(maps, 0).values() != std::vector<Scalar>(64, Scalar(0)));
  }
}

TEST_CASE("explain: an unknown method name lists the valid ones", "[cam_methods][float]") {
  Model model = quadrant_net();
  const std::vector<std::string> names = method_names();
  CHECK(names.size() == 35);
  try {
    explain("grad-cam", model, quadrant_images(), {0, 0});
    FAIL("no exception");
  } catch (const UnknownName& e) {
    const std::string message = e.what();
    for (const std::string& name : names) CHECK(message.find(name) != std::string::npos);
  }
  CHECK_THROWS_AS(explain("gradcam", model, quadrant_images(), {0}), std::invalid_argument);
  CHECK_THROWS_AS(explain("gradcam", model, quadrant_images(), {0, 2}), std::invalid_argument);
}

TEST_CASE("Grad-CAM++ eq. (19) by hand", "[cam_methods]") {
  // One channel, 1×2: A = (1, 3), g = (2, −1).  Σ A = 4.
  // α_1 = 4 / (8 + 4·8) = 0.1, α_2 = 1 / (2 + 4·(−1)) = −0.5;
  // w = 0.1·ReLU(2) + (−0.5)·ReLU(−1) = 0.2.
  const Tensor A({1, 1, 1, 2}, {1, 3}), g({1, 1, 1, 2}, {2, -1});
  CHECK(grad_cam_plus_plus_weights(A, g)[0] == Approx(0.2));
  // g = 0 everywhere: the denominator is 0, α is taken as 0, no NaN.
  CHECK(grad_cam_plus_plus_weights(A, Tensor({1, 1, 1, 2}))[0] == 0);
  // Constant gradients g on a channel: α = 1 / (2 + Σ A·g), so w = Z·g/(2 + ΣA·g).
  const Tensor g2({1, 1, 1, 2}, {0.5, 0.5});
  CHECK(grad_cam_plus_plus_weights(A, g2)[0] == Approx(2 * 0.5 / (2 + 4 * 0.5)));
}

TEST_CASE("XGrad-CAM eq. (12), HiResCAM and LayerCAM by hand", "[cam_methods]") {
  // Two channels, 1×2 maps.
  const Tensor A({1, 2, 1, 2}, {1, 3, 0, 0}), g({1, 2, 1, 2}, {2, -1, 5, 5});
  const Tensor x = xgrad_cam_weights(A, g);
  CHECK(x[0] == Approx((1 * 2 + 3 * -1) / 4.0));
  CHECK(x[1] == 0);  // Σ A = 0: weight 0, not NaN
  const Tensor h = hires_cam_map(Tensor({1, 2, 1, 2}, {1, 3, 2, 1}), g);
  CHECK(h.shape() == Shape{1, 1, 1, 2});
  CHECK(h[0] == Approx(1 * 2 + 2 * 5));
  CHECK(h[1] == Approx(3 * -1 + 1 * 5));
  const Tensor l = layer_cam_map(Tensor({1, 2, 1, 2}, {1, 3, 2, 1}), g);
  CHECK(l[0] == Approx(1 * 2 + 2 * 5));
  CHECK(l[1] == Approx(0 + 1 * 5));  // the negative gradient is dropped
}

TEST_CASE("HiResCAM equals Grad-CAM's weighted sum when the gradients are constant per channel", "[cam_methods]") {
  // With gap + fc above A, g^k_ij = w^c_k / Z at every position, so
  // Σ_k g^k_ij A^k_ij = Σ_k mean(g^k) A^k_ij (Draelos & Carin's equivalence).
  Model model = quadrant_net();
  const Tensor images = quadrant_images();
  const LayerGradients lg = layer_gradients(model, images, target_options({0, 0}, {}));
  const Tensor hires = hires_cam_map(lg.activations, lg.gradients);
  const Tensor grad = weighted_combination(channel_weights(lg.gradients), lg.activations);
  CHECK(max_abs_difference(hires, grad) < 1e-12);
}

TEST_CASE("explain: Grad-CAM = CAM / Z on gap-cnn", "[cam_methods]") {
  Model model = make_model("gap-cnn", {1, 16, 16}, 3, 5);
  const Tensor images = random_tensor({2, 1, 16, 16}, 6, 0, 1);
  const Tensor cam = explain("cam", model, images, {0, 2});
  const Tensor gradcam = explain("gradcam", model, images, {0, 2});
  const LayerGradients lg = layer_gradients(model, images, target_options({0, 2}, {}));
  const Scalar Z = Scalar(lg.activations.dim(2) * lg.activations.dim(3));
  Tensor scaled = cam;
  for (Scalar& v : scaled.values()) v /= Z;
  REQUIRE(max_abs(gradcam) > 1e-3);  // both all zero would agree trivially
  CHECK(max_abs_difference(gradcam, scaled) < 1e-12);
}

TEST_CASE("Ablation-CAM on a GAP head: w_k = w^c_k mean(A^k) / y^c exactly", "[cam_methods]") {
  // Above gap-cnn's relu3 and resnet-mini's layer3 (a block's output) the
  // nets are linear (pooling, fc): zeroing A^k lowers y^c by exactly
  // w^c_k · mean(A^k), and only those layers run again.
  for (const char* architecture : {"gap-cnn", "resnet-mini"}) {
    INFO(architecture);
    Model model = make_model(architecture, {1, 16, 16}, 3, 5);
    const Tensor images = random_tensor({2, 1, 16, 16}, 8, 0, 1);
    const std::vector<int> classes = {1, 2};
    MethodOptions options;
    options.batch = 5;  // several batches, the last one partial
    const LayerGradients lg = layer_gradients(model, images, target_options(classes, options));
    const Tensor w = ablation_cam_weights(model, lg, options);
    const Tensor means = channel_weights(lg.activations);  // spatial means of A^k
    const auto& fc = dynamic_cast<const Dense&>(model.layer(model.layer_count() - 1));
    REQUIRE(max_abs(w) > 1e-6);
    for (int n = 0; n < 2; ++n)
      for (int k = 0; k < lg.activations.dim(1); ++k)
        CHECK(w.at(n, k) ==
              Approx(fc.weight.value.at(classes[std::size_t(n)], k) * means.at(n, k) / lg.scores[std::size_t(n)])
                  .margin(1e-12));
  }
}

TEST_CASE("every method runs on resnet-mini, at its default target and inside a block", "[cam_methods][resnet]") {
  Model model = make_model("resnet-mini", {1, 16, 16}, 3, 7);
  const Tensor images = random_tensor({2, 1, 16, 16}, 9, 0, 1);
  MethodOptions options;
  options.smoothgrad_samples = 3;
  options.ig_steps = 4;
  for (const char* layer : {"", "layer2.0.conv2"}) {
    options.layer = layer;
    for (const std::string& method : method_names()) {
      INFO(method << " at '" << layer << "'");
      const Tensor maps = explain(method, model, images, {0, 2}, options);
      REQUIRE(maps.shape() == Shape{2, 1, 16, 16});
      CHECK(max_abs(maps) > 0);
      for (Scalar v : maps.values()) REQUIRE(std::isfinite(double(v)));
    }
  }
  // CAM on a net without the pooling head says why, and points to Grad-CAM.
  Model flat = make_model("fashion-cnn", {1, 16, 16}, 3, 7);
  CHECK_THROWS_WITH(
      explain("cam", flat, images, {0, 2}),
      Catch::Contains("global average pooling followed by one dense layer") && Catch::Contains("Grad-CAM"));
}

TEST_CASE("Score-CAM weights are a softmax over the masked images' scores", "[cam_methods]") {
  Model model = make_model("gap-cnn", {1, 16, 16}, 3, 5);
  const Tensor images = random_tensor({1, 1, 16, 16}, 9, 0, 1);
  MethodOptions options;
  options.batch = 7;
  const LayerGradients lg = layer_gradients(model, images, target_options({2}, options));
  const Tensor w = score_cam_weights(model, images, lg.activations, {2}, options);
  const int K = lg.activations.dim(1);
  double total = 0;
  for (int k = 0; k < K; ++k) total += w.at(0, k);
  CHECK(total == Approx(1).epsilon(1e-12));
  // Channel k by hand: mask = min-max normalized upsampled A^k, one forward,
  // the score of class 2.
  const auto masked_score = [&](int k) {
    Tensor a({1, 1, lg.activations.dim(2), lg.activations.dim(3)});
    for (int i = 0; i < a.dim(2); ++i)
      for (int j = 0; j < a.dim(3); ++j) a.at(0, 0, i, j) = lg.activations.at(0, k, i, j);
    const Tensor mask = normalize_to_unit(upsample_bilinear(a, 16, 16));
    Tensor masked = images;
    for (std::size_t e = 0; e < masked.size(); ++e) masked[e] *= mask[e];
    Tape tape;
    return tape.value(model.forward(tape, masked).logits).at(0, 2);
  };
  // w_3 / w_0 = exp(s_3 − s_0)
  CHECK(w.at(0, 3) / w.at(0, 0) == Approx(std::exp(double(masked_score(3) - masked_score(0)))).epsilon(1e-9));
}

TEST_CASE("Eigen-CAM finds the principal direction of complementary channels", "[cam_methods]") {
  // A² = 1 − A¹: the centred channels are c and −c, so CᵀC = ‖c‖²·[[1, −1], [−1, 1]]
  // and (1, 1)/√2, a power iteration's usual start, is orthogonal to the top
  // eigenvector (1, −1)/√2. The map is C·v = √2·c (its largest value, 0.525·√2, positive).
  const std::vector<double> p = {0.1, 0.9, 0.3, 0.2};  // mean 0.375
  Tensor A({1, 2, 2, 2});
  for (int z = 0; z < 4; ++z) {
    A.at(0, 0, z / 2, z % 2) = Scalar(p[std::size_t(z)]);
    A.at(0, 1, z / 2, z % 2) = Scalar(1 - p[std::size_t(z)]);
  }
  const Tensor map = eigen_cam_map(A);
  for (int z = 0; z < 4; ++z)
    CHECK(map.at(0, 0, z / 2, z % 2) == Approx(std::sqrt(2.0) * (p[std::size_t(z)] - 0.375)).margin(1e-6));
  // A third channel 2·q with q = (1, −1, −1, 1) carries far more variance (16 against 0.78):
  // the principal direction follows it, and the map takes q's pattern (its sign is the sign rule's).
  const std::vector<double> q = {1, -1, -1, 1};
  Tensor B({1, 3, 2, 2});
  for (int z = 0; z < 4; ++z) {
    B.at(0, 0, z / 2, z % 2) = Scalar(p[std::size_t(z)]);
    B.at(0, 1, z / 2, z % 2) = Scalar(1 - p[std::size_t(z)]);
    B.at(0, 2, z / 2, z % 2) = Scalar(2 * q[std::size_t(z)]);
  }
  const Tensor strong = eigen_cam_map(B);
  const double orientation = strong.at(0, 0, 0, 0) > 0 ? 1 : -1;
  for (int z = 0; z < 4; ++z) CHECK(orientation * strong.at(0, 0, z / 2, z % 2) * q[std::size_t(z)] > 1);
}

TEST_CASE("Eigen-CAM recovers a rank-one pattern with a positive peak", "[cam_methods]") {
  // A^k = u_k · p + m_k: after centring, every channel is u_k (p − mean p), so
  // the first principal component's projection is ±‖u‖ (p − mean p).
  const int K = 4, h = 3, w = 3;
  const std::vector<double> u = {1, -2, 0.5, 3}, m = {0.3, -1, 2, 0};
  const std::vector<double> p = {0, 1, 0, 0, 5, 0, 0, -1, 0};  // peak 5 at the centre
  Tensor A({1, K, h, w});
  for (int k = 0; k < K; ++k)
    for (int z = 0; z < h * w; ++z)
      A.at(0, k, z / w, z % w) = Scalar(u[std::size_t(k)] * p[std::size_t(z)] + m[std::size_t(k)]);
  const Tensor map = eigen_cam_map(A);
  double norm_u = 0, mean_p = 0;
  for (double v : u) norm_u += v * v;
  for (double v : p) mean_p += v / (h * w);
  norm_u = std::sqrt(norm_u);
  for (int z = 0; z < h * w; ++z)
    CHECK(map.at(0, 0, z / w, z % w) == Approx(norm_u * (p[std::size_t(z)] - mean_p)).margin(1e-9));
  // The sign rule: negate the pattern and the map is still positive at the peak.
  for (Scalar& v : A.values()) v = -v;
  CHECK(max_abs_difference(eigen_cam_map(A), map) < 1e-9);
  // Constant channels: no principal direction, an all-zero map (no NaN).
  const Tensor flat = eigen_cam_map(Tensor({1, 2, 2, 2}, Scalar(3)));
  for (Scalar v : flat.values()) CHECK(v == 0);
}

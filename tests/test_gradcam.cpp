// Grad-CAM: each step by hand, the gradient of A against finite differences,
// Grad-CAM = CAM / Z on gap-cnn, and a walk that stops at A.
#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

TEST_CASE("eq. (8): channel weights are the spatial mean of the gradients", "[gradcam]") {
  // One image, two channels of 2×2 gradients.
  Tensor g({1, 2, 2, 2}, {1, 2, 3, 4, -1, -1, 1, 5});
  const Tensor alpha = channel_weights(g);
  CHECK(alpha.shape() == Shape{1, 2});
  CHECK(alpha[0] == Approx(10.0 / 4));
  CHECK(alpha[1] == Approx(4.0 / 4));
}

TEST_CASE("step 3: weighted combination and ReLU by hand", "[gradcam]") {
  Tensor alpha({1, 2}, {2, -1});
  Tensor A({1, 2, 1, 3}, {1, 2, 3, 4, 1, 0});
  const Tensor sum = weighted_combination(alpha, A);
  CHECK(sum.values() == std::vector<Scalar>{2 - 4, 4 - 1, 6 - 0});
  CHECK(relu_map(sum).values() == std::vector<Scalar>{0, 3, 6});
  CHECK_THROWS_AS(weighted_combination(Tensor({1, 3}), A), ShapeError);
}

TEST_CASE("step 4: bilinear upsampling uses half-pixel centres (align_corners=False)", "[gradcam]") {
  Tensor m({1, 1, 2, 2}, {0, 1, 2, 3});
  const Tensor up = upsample_bilinear(m, 4, 4);
  // The values PyTorch's interpolate(scale_factor=2, mode="bilinear", align_corners=False) gives.
  const std::vector<Scalar> expected = {0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3};
  REQUIRE(up.size() == expected.size());
  for (std::size_t e = 0; e < expected.size(); ++e) CHECK(up[e] == Approx(expected[e]));
  // Same size is the identity; a 1×1 map becomes constant.
  CHECK(upsample_bilinear(m, 2, 2).values() == m.values());
  const Tensor flat = upsample_bilinear(Tensor({1, 1, 1, 1}, Scalar(7)), 3, 5);
  for (Scalar v : flat.values()) CHECK(v == 7);
}

TEST_CASE("step 4: normalization to [0,1]; a constant map becomes zeros, not NaN", "[gradcam]") {
  Tensor maps({2, 1, 1, 3}, {1, 3, 2, 0, 0, 0});
  std::vector<bool> constant;
  const Tensor n = normalize_to_unit(maps, &constant);
  CHECK(n.values() == std::vector<Scalar>{0, 1, 0.5, 0, 0, 0});
  CHECK(constant == std::vector<bool>{false, true});
}

TEST_CASE("step 4: every non-constant normalized map has min exactly 0 and max exactly 1", "[gradcam]") {
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 71);
  const Tensor images = random_tensor({6, 1, 32, 32}, 72, 0, 1);
  for (const char* layer : {"conv2", "relu3", "relu4"}) {
    GradCamOptions options;
    options.layer = layer;
    const GradCamResult r = grad_cam(model, images, options);
    int non_empty = 0;
    for (int n = 0; n < images.dim(0); ++n) {
      const Tensor heat = image_map(r.heatmap, n);
      const auto [lo, hi] = std::minmax_element(heat.values().begin(), heat.values().end());
      INFO(layer << ", image " << n);
      if (r.empty_map[std::size_t(n)]) {
        CHECK(*hi == 0);
        continue;
      }
      ++non_empty;
      CHECK(*lo == 0);
      CHECK(*hi == 1);
    }
    CHECK(non_empty > 0);  // else the loop checked nothing
  }
}

namespace {

// ∂y^c/∂A from the tape against central differences of y^c with A perturbed
// and only what lies above A re-run (Model::forward_above). The layers above
// A are piecewise linear (or smooth): where the one-sided slopes differ, a
// ReLU switched within ±h (a kink, no derivative), and that coordinate is
// skipped. Checks at most `limit` coordinates, spread over A, with step h
// (piecewise linear: a large step costs no accuracy, only more skipped kinks).
void check_gradients_against_rerun(Model& model, const Tensor& image, const std::string& layer, int c,
                                   std::size_t limit, double h) {
  GradCamOptions options;
  options.layer = layer;
  options.classes = {c};
  options.kernels = Kernels::Reference;
  const LayerGradients r = layer_gradients(model, image, options);
  Tensor a = r.activations;
  auto y_of = [&](std::size_t e, double t) {
    const Scalar keep = a[e];
    a[e] = Scalar(t);
    Tape rest;
    ForwardPass upper;
    const Var below = r.layer_input.empty() ? Var{} : rest.input(r.layer_input);
    const Var logits = model.forward_above(rest, r.output_index, rest.input(a), below, upper);
    a[e] = keep;
    return double(rest.value(logits).at(0, c));
  };
  double worst = 0;
  std::size_t checked = 0, kinks = 0, tried = 0;
  const std::size_t stride = std::max<std::size_t>(1, a.size() / limit);
  for (std::size_t e = 0; e < a.size(); e += stride) {
    // A ReLU output that feeds a max-pool: at A = 0 ties of zeros leave y^c without a derivative.
    if (layer == "relu2" && a[e] == 0) continue;
    ++tried;
    const double y0 = y_of(e, a[e]), up = y_of(e, a[e] + h), down = y_of(e, a[e] - h);
    const double right = (up - y0) / h, left = (y0 - down) / h;
    if (relative_error(right, left, 1e-3) > 1e-5) {
      ++kinks;
      continue;
    }
    worst = std::max(worst, relative_error(r.gradients[e], (up - down) / (2 * h), 1e-7));
    ++checked;
  }
  INFO("layer " << layer << ": " << kinks << " kinks skipped, " << checked << " coordinates checked");
  CHECK(kinks * 50 < checked);
  CHECK(checked > tried / 4);
  CHECK(worst <= 1e-6);
}

}  // namespace

TEST_CASE("the gradient Grad-CAM reads for A equals finite differences through the layers above A", "[gradcam]") {
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 11);
  const Tensor image = random_tensor({1, 1, 32, 32}, 12, 0, 1);
  for (const char* layer : {"relu2", "conv3", "relu4"})
    check_gradients_against_rerun(model, image, layer, 2, 1 << 20, 1e-3);
}

TEST_CASE("resnet-mini: dy/dA equals finite differences at block outputs and inside a block", "[gradcam][resnet]") {
  Model model = make_model("resnet-mini", {1, 16, 16}, 4, 13);
  for (Parameter* p : model.state())  // trained-looking batch norms: not the identity of a fresh net
    if (p->name.find("running_var") != std::string::npos) p->value = random_tensor(p->value.shape(), 14, 0.5, 2);
  const Tensor image = random_tensor({1, 1, 16, 16}, 15, 0, 1);
  for (const char* layer : {"layer3", "layer2", "layer3.0.conv1", "layer2.0.sum"})
    check_gradients_against_rerun(model, image, layer, 1, 400, 1e-5);  // A moves hundreds of ReLUs: a small step
}

TEST_CASE("re-running above a value inside a block with that value unchanged gives the same logits",
          "[gradcam][resnet]") {
  Model model = make_model("resnet-mini", {1, 16, 16}, 4, 17);
  const Tensor image = random_tensor({1, 1, 16, 16}, 18, 0, 1);
  GradCamOptions options;
  options.kernels = Kernels::Reference;
  for (const char* layer : {"layer2.0.bn1", "layer2.0.downsample.0", "layer1", "conv1"}) {
    options.layer = layer;
    const LayerGradients r = layer_gradients(model, image, options);
    CHECK(r.layer_input.empty() == (std::string(layer) == "layer1" || std::string(layer) == "conv1"));
    Tape rest;
    ForwardPass upper;
    const Var below = r.layer_input.empty() ? Var{} : rest.input(r.layer_input);
    const Var logits = model.forward_above(rest, r.output_index, rest.input(r.activations), below, upper);
    INFO(layer);
    CHECK(max_abs_difference(rest.value(logits), r.logits) == 0);
  }
}

TEST_CASE("on gap-cnn Z·alpha equals the dense weights and Grad-CAM equals CAM / Z", "[gradcam][cam]") {
  Model model = make_model("gap-cnn", {1, 32, 32}, 4, 21);
  const Tensor images = random_tensor({3, 1, 32, 32}, 22, 0, 1);
  const std::vector<int> classes = {0, 3, 1};
  GradCamOptions options;
  options.layer = "relu3";  // the input of the global average pooling
  options.classes = classes;
  options.kernels = Kernels::Reference;
  const GradCamResult r = grad_cam(model, images, options);
  const Tensor& w = dynamic_cast<Dense&>(model.layer(model.layer_index("fc"))).weight.value;
  const double Z = r.activations.dim(2) * r.activations.dim(3);
  for (int n = 0; n < 3; ++n)
    for (int k = 0; k < r.weights.dim(1); ++k)
      CHECK(std::fabs(Z * r.weights.at(n, k) - w.at(classes[std::size_t(n)], k)) <= 1e-12);
  const Tensor cam = class_activation_map(model, images, classes);
  REQUIRE(cam.shape() == r.weighted_sum.shape());
  REQUIRE(max_abs(cam) > 1e-3);  // an all-zero CAM would make the comparison empty
  for (std::size_t e = 0; e < cam.size(); ++e) CHECK(std::fabs(r.weighted_sum[e] - cam[e] / Z) <= 1e-12);
  // CAM refuses a model without global average pooling.
  Model other = make_model("fashion-cnn", {1, 32, 32}, 4, 1);
  CHECK_THROWS_WITH(class_activation_map(other, images, classes), Catch::Contains("global average pooling"));
}

TEST_CASE("on resnet-mini Grad-CAM at layer3 equals CAM / Z", "[gradcam][cam][resnet]") {
  Model model = make_model("resnet-mini", {1, 28, 28}, 10, 23);
  for (Parameter* p : model.state())  // batch norms and a head that are not a fresh net's
    if (p->value.rank() == 1) p->value = random_tensor(p->value.shape(), 24 + p->value.size(), 0.5, 1.5);
  const Tensor images = random_tensor({2, 1, 28, 28}, 25, 0, 1);
  const std::vector<int> classes = {7, 2};
  GradCamOptions options;
  options.classes = classes;  // the default target: layer3, the input of the average pooling
  options.kernels = Kernels::Reference;
  const GradCamResult r = grad_cam(model, images, options);
  REQUIRE(r.layer == "layer3");
  const Tensor cam = class_activation_map(model, images, classes);
  const double Z = r.activations.dim(2) * r.activations.dim(3);
  REQUIRE(Z == 49);
  REQUIRE(max_abs(cam) > 1e-3);
  for (std::size_t e = 0; e < cam.size(); ++e) CHECK(std::fabs(r.weighted_sum[e] - cam[e] / Z) <= 1e-12);
}

TEST_CASE("the Grad-CAM backward walk computes nothing below A", "[gradcam]") {
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 31);
  const Tensor image = random_tensor({2, 1, 32, 32}, 32, 0, 1);
  GradCamOptions options;
  options.layer = "relu3";
  options.kernels = Kernels::Reference;
  const GradCamResult r = grad_cam(model, image, options);
  // Above relu3 and depending on it: conv4, relu4, gap, fc, select. The
  // parameters' gradients are not wanted, so their records are skipped too.
  CHECK(r.rules_run == 5);
  // A full walk would visit every record of the forward pass.
  Tape tape;
  const ForwardPass pass = model.forward(tape, image);
  const Gradients full = tape.backward(select(tape, pass.logits, r.classes));
  // The images, 4 convs with weight and bias (12), 4 ReLUs, 2 pools, gap, fc
  // with weight and bias (3), select: 24 records, every one visited.
  CHECK(tape.size() == 24);
  CHECK(full.rules_run() == 24);
}

TEST_CASE("grad_cam options: predicted class, counterfactual, probability score, batch", "[gradcam]") {
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 41);
  const Tensor images = random_tensor({2, 1, 32, 32}, 42, 0, 1);
  GradCamOptions options;
  options.kernels = Kernels::Reference;
  const GradCamResult r = grad_cam(model, images, options);
  CHECK(r.layer == "relu4");
  for (int n = 0; n < 2; ++n) {
    const Scalar* row = r.logits.data() + 4 * n;
    CHECK(r.classes[std::size_t(n)] == int(std::max_element(row, row + 4) - row));
    CHECK(r.scores[std::size_t(n)] == row[r.classes[std::size_t(n)]]);
  }
  CHECK(r.heatmap.shape() == Shape{2, 1, 32, 32});
  for (Scalar v : r.heatmap.values()) CHECK((v >= 0 && v <= 1));

  GradCamOptions counter = options;
  counter.counterfactual = true;
  const GradCamResult c = grad_cam(model, images, counter);
  for (std::size_t e = 0; e < c.weights.size(); ++e) CHECK(c.weights[e] == -r.weights[e]);

  // A batch gives the same maps as one image at a time.
  GradCamOptions single = options;
  single.classes = {r.classes[1]};
  Tensor second({1, 1, 32, 32});
  std::copy(images.data() + 32 * 32, images.data() + 2 * 32 * 32, second.data());
  const GradCamResult one = grad_cam(model, second, single);
  for (std::size_t e = 0; e < one.map.size(); ++e) CHECK(one.map[e] == Approx(r.map[one.map.size() + e]));

  GradCamOptions prob = options;
  prob.score = ScoreKind::Probability;
  const GradCamResult p = grad_cam(model, images, prob);
  CHECK(p.scores[0] > 0);
  CHECK(p.scores[0] < 1);
}

TEST_CASE("grad_cam rejects unknown layers and classes with the valid choices", "[gradcam][errors]") {
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 51);
  const Tensor image = random_tensor({1, 1, 32, 32}, 52, 0, 1);
  GradCamOptions options;
  options.layer = "conv9";
  CHECK_THROWS_WITH(grad_cam(model, image, options),
                    Catch::Contains("unknown layer 'conv9'") && Catch::Contains("conv1, relu1"));
  options.layer = "fc";
  CHECK_THROWS_WITH(grad_cam(model, image, options), Catch::Contains("not feature maps"));
  options.layer = "";
  options.classes = {7};
  CHECK_THROWS_WITH(grad_cam(model, image, options), Catch::Contains("class 7 out of range"));
  const std::vector<std::string> names = {"circle", "square"};
  CHECK(class_index("square", names) == 1);
  CHECK(class_index("0", names) == 0);
  CHECK_THROWS_WITH(class_index("hexagon", names), Catch::Contains("0 circle, 1 square"));
}

TEST_CASE("Grad-CAM of a batch split over threads equals Grad-CAM of the whole batch", "[gradcam][float]") {
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 61);
  const Tensor images = random_tensor({20, 1, 32, 32}, 62, 0, 1);
  GradCamOptions one_thread;
  const GradCamResult whole = grad_cam(model, images, one_thread);
  ThreadPool pool(2);
  GradCamOptions two_threads;
  two_threads.pool = &pool;
  const GradCamResult parts = grad_cam(model, images, two_threads);
  CHECK(parts.classes == whole.classes);
  CHECK(parts.heatmap.shape() == whole.heatmap.shape());
  REQUIRE(max_abs(whole.map) > 0);
  CHECK(max_abs_difference(parts.map, whole.map) <=
        1e-5 * (1 + max_abs_difference(whole.map, Tensor(whole.map.shape()))));
  CHECK(parts.empty_map == whole.empty_map);
}

// The CAM-family methods added after the first ten (cam_methods.hpp), each on
// an identity or numbers computed by hand: Eigen-Grad-CAM, Grad-CAM
// element-wise, FEM, KPCA-CAM, Finer-CAM, multi-layer fusion and ShapleyCAM.
// The quadrant test of test_cam_methods.cpp runs every one of them too.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/nn/layers.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

TEST_CASE("Eigen-Grad-CAM is Eigen-CAM when every gradient is the same positive constant", "[cam_methods]") {
  const Tensor A = random_tensor({2, 5, 4, 3}, 41, 0, 1);
  Tensor ones(A.shape()), twos(A.shape());
  ones.fill(1);
  twos.fill(2);
  const Tensor eigen = eigen_cam_map(A);
  REQUIRE(max_abs(eigen) > 0.1);
  CHECK(max_abs_difference(eigen_grad_cam_map(A, ones), eigen) < 1e-12);
  Tensor doubled = eigen;
  for (Scalar& v : doubled.values()) v *= 2;  // the projection of 2A is twice that of A
  CHECK(max_abs_difference(eigen_grad_cam_map(A, twos), doubled) < 1e-9);
  // Gradients that differ by channel change the principal direction.
  const Tensor g = random_tensor(A.shape(), 42, -1, 1);
  CHECK(max_abs_difference(eigen_grad_cam_map(A, g), eigen) > 0.1);
}

TEST_CASE("Grad-CAM element-wise by hand: each product clipped before the channel sum", "[cam_methods][float]") {
  // Two channels, 1×2. Channel 0: A = (1, 2), g = (2, −1): products (2, −2).
  // Channel 1: A = (3, 1), g = (−1, 1): products (−3, 1).
  // Element-wise: (ReLU 2 + ReLU −3, ReLU −2 + ReLU 1) = (2, 1);
  // HiResCAM sums before clipping: (2 − 3, −2 + 1) = (−1, −1).
  const Tensor A({1, 2, 1, 2}, {1, 2, 3, 1}), g({1, 2, 1, 2}, {2, -1, -1, 1});
  CHECK(grad_cam_element_wise_map(A, g).values() == std::vector<Scalar>{2, 1});
  CHECK(hires_cam_map(A, g).values() == std::vector<Scalar>{-1, -1});
  // With every product ≥ 0 the two agree.
  const Tensor Ap = random_tensor({2, 3, 4, 4}, 43, 0, 1), gp = random_tensor({2, 3, 4, 4}, 44, 0, 1);
  CHECK(max_abs_difference(grad_cam_element_wise_map(Ap, gp), hires_cam_map(Ap, gp)) < 1e-6);  // float build too
  // With A ≥ 0 (a target after a ReLU) ReLU(g·A) = ReLU(g)·A: it is LayerCAM, whatever the signs of g.
  const Tensor g_signed = random_tensor({2, 3, 4, 4}, 45, -1, 1);
  CHECK(max_abs_difference(grad_cam_element_wise_map(Ap, g_signed), layer_cam_map(Ap, g_signed)) < 1e-6);
  CHECK(max_abs_difference(grad_cam_element_wise_map(Ap, g_signed), hires_cam_map(Ap, g_signed)) > 0.1);
}

TEST_CASE("FEM by hand: the k-sigma threshold per channel, weighted by the channel mean", "[cam_methods][float]") {
  // Channel 0, 1×4: A = (0, 0, 0, 4): μ = 1, E[A²] = 4, σ = √(4 − 1) = √3.
  //   k = 1: threshold 1 + 1.73 = 2.73, only the 4 passes: weight μ = 1 there.
  //   k = 2: threshold 1 + 3.46 = 4.46 > 4: nothing passes.
  // Channel 1: constant 2, σ = 0: every pixel passes with weight 2.
  const Tensor A({1, 2, 1, 4}, {0, 0, 0, 4, 2, 2, 2, 2});
  CHECK(fem_map(A, 1).values() == std::vector<Scalar>{2, 2, 2, 3});
  CHECK(fem_map(A, 2).values() == std::vector<Scalar>{2, 2, 2, 2});
  // A constant 0.3 on 7×7: Σ/49 need not round back to 0.3, yet every pixel is marked.
  const Tensor flat({1, 1, 7, 7}, Scalar(0.3));
  const Tensor m = fem_map(flat);
  for (Scalar v : m.values()) CHECK(v == Approx(0.3));
  CHECK_THROWS_AS(fem_map(Tensor({2, 4})), ShapeError);
}

TEST_CASE("KPCA-CAM with a linear kernel is Eigen-CAM; the RBF kernel finds a separated cluster", "[cam_methods]") {
  const Tensor A = random_tensor({2, 4, 3, 3}, 45, 0, 1);
  const Tensor eigen = eigen_cam_map(A);
  REQUIRE(max_abs(eigen) > 0.1);
  CHECK(max_abs_difference(kpca_cam_map(A, CamKernel::Linear), eigen) < 1e-9);
  // One channel, 1×4, values (0, 0.1, 5, 5.1): two tight pairs far apart.
  // With γ = 1 the kernel between the pairs is e^−25 ≈ 0, within a pair
  // e^−0.01 ≈ 0.99: the first component separates the pairs, with the same
  // magnitude at all four positions and opposite signs for the two pairs.
  const Tensor pairs({1, 1, 1, 4}, {0, 0.1, 5, 5.1});
  const Tensor m = kpca_cam_map(pairs, CamKernel::Rbf, 1);
  CHECK(m[0] == Approx(m[1]).epsilon(1e-6));
  CHECK(m[2] == Approx(m[3]).epsilon(1e-6));
  CHECK(m[0] == Approx(-m[2]).epsilon(1e-6));
  CHECK(std::abs(m[0]) > 0.1);
  // Every position the same: no component, an all-zero map.
  CHECK(max_abs(kpca_cam_map(Tensor({1, 3, 2, 2}, Scalar(0.5)))) == 0);
  // ...also where Σ/Z does not round back to the value (0.3 on 5×5).
  CHECK(max_abs(kpca_cam_map(Tensor({1, 2, 5, 5}, Scalar(0.3)))) == 0);
  CHECK(max_abs(eigen_cam_map(Tensor({1, 2, 5, 5}, Scalar(0.3)))) == 0);
  CHECK_THROWS_AS(kpca_cam_map(Tensor({1, 1, 65, 65})), std::invalid_argument);
}

TEST_CASE("Finer-CAM on gap-cnn is (CAM of c - CAM of its rival) / Z; alpha 0 is Grad-CAM", "[cam_methods]") {
  Model model = make_model("gap-cnn", {1, 16, 16}, 4, 46);
  const Tensor images = random_tensor({2, 1, 16, 16}, 47, 0, 1);
  const std::vector<int> classes = {0, 2};
  std::vector<int> rivals;
  const Tensor finer = finer_cam_map(model, images, classes, {}, &rivals);
  const LayerGradients lg = layer_gradients(model, images, target_options(classes, {}));
  for (int n = 0; n < 2; ++n) {  // the rival: the largest logit other than c
    const int c = classes[std::size_t(n)], r = rivals[std::size_t(n)];
    REQUIRE(r != c);
    for (int k = 0; k < 4; ++k)
      if (k != c) CHECK(lg.logits.at(n, r) >= lg.logits.at(n, k));
  }
  const Tensor cam_c = class_activation_map(model, images, classes),
               cam_r = class_activation_map(model, images, rivals);
  const Scalar Z = Scalar(lg.activations.dim(2) * lg.activations.dim(3));
  Tensor expected(cam_c.shape());
  for (std::size_t e = 0; e < expected.size(); ++e) expected[e] = (cam_c[e] - cam_r[e]) / Z;
  REQUIRE(max_abs(finer) > 1e-3);
  CHECK(max_abs_difference(finer, expected) < 1e-12);
  MethodOptions plain;
  plain.finer_alpha = 0;
  GradCamOptions g;
  g.classes = classes;
  CHECK(max_abs_difference(finer_cam_map(model, images, classes, plain), grad_cam(model, images, g).weighted_sum) <
        1e-12);
}

TEST_CASE("multi-layer fusion: one layer per resolution, each map scaled to [0, 1], averaged", "[cam_methods]") {
  Model shapes = make_model("shapes-cnn", {1, 16, 16}, 3, 48);
  CHECK(fusion_layers(shapes) == std::vector<std::string>{"relu1", "relu2", "relu4"});
  Model resnet = make_model("resnet-mini", {1, 16, 16}, 3, 49);
  CHECK(fusion_layers(resnet) == std::vector<std::string>{"layer1", "layer2", "layer3"});
  const Tensor images = random_tensor({2, 1, 16, 16}, 50, 0, 1);
  MethodOptions at;
  at.layer = "relu2";
  const Tensor relu2 = normalize_to_unit(explain("layercam", shapes, images, {0, 1}, at));
  at.layer = "relu4";
  const Tensor relu4 = normalize_to_unit(explain("layercam", shapes, images, {0, 1}, at));
  REQUIRE(max_abs_difference(relu2, relu4) > 0.1);  // the two layers see different things
  CHECK(max_abs_difference(fuse_layer_maps("layercam", shapes, images, {0, 1}, {"relu2"}), relu2) < 1e-12);
  Tensor mean(relu2.shape());
  for (std::size_t e = 0; e < mean.size(); ++e) mean[e] = (relu2[e] + relu4[e]) / 2;
  CHECK(max_abs_difference(fuse_layer_maps("layercam", shapes, images, {0, 1}, {"relu2", "relu4"}), mean) < 1e-12);
  CHECK_THROWS_AS(fuse_layer_maps("layercam", shapes, images, {0, 1}, {}), std::invalid_argument);
  CHECK_THROWS_AS(fuse_layer_maps("layercam", shapes, images, {0, 1}, {"nope"}), UnknownName);
  CHECK_THROWS_AS(fuse_layer_maps("saliency", shapes, images, {0, 1}, {"relu2"}), std::invalid_argument);
  CHECK_THROWS_AS(fuse_layer_maps("cam", shapes, images, {0, 1}, {"relu2"}), std::invalid_argument);
  CHECK_THROWS_AS(fuse_layer_maps("layercam-fusion", shapes, images, {0, 1}, {"relu2"}), std::invalid_argument);
}

TEST_CASE("the methods that explain the target layer: the CAM family but CAM and the fusion", "[cam_methods]") {
  std::vector<std::string> at_layer;
  for (const MethodInfo& info : method_catalogue())
    if (info.at_target_layer) at_layer.push_back(info.name);
  CHECK(at_layer == std::vector<std::string>{"gradcam", "gradcam-counterfactual", "gradcam++", "xgradcam", "hirescam",
                                             "layercam", "gradcam-elementwise", "scorecam", "ablationcam", "eigencam",
                                             "eigengradcam", "kpcacam", "fem", "shapleycam", "finercam"});
}

TEST_CASE("ShapleyCAM on gap-cnn: the softmax Hessian term by hand for ReST and log p; with the logit it is Grad-CAM",
          "[cam_methods]") {
  // Above A: z = W·GAP(A) + b (linear), s = log p_c (+ y^c for ReST). Then
  //   ∂s/∂A^k_ij = Σ_m (e_c − p)_m W_mk / Z        (ReST: (2e_c − p)_m),
  //   H_s A      = −Jᵀ (diag p − p pᵀ) J A,  J A = z − b   (the logit adds no curvature),
  // both constant over (i, j), so w_k = Σ_m [(e_c or 2e_c) − p + ½ (diag p − p pᵀ)(z − b)]_m W_mk / Z.
  Model model = make_model("gap-cnn", {1, 16, 16}, 3, 51);
  Parameter* fc_bias = model.parameters().back();
  fc_bias->value = Tensor({3}, {0.2, -0.1, 0.3});
  const Tensor images = random_tensor({2, 1, 16, 16}, 52, 0, 1);
  const std::vector<int> classes = {1, 2};
  const LayerGradients lg = layer_gradients(model, images, target_options(classes, {}));
  const Tensor& W = model.parameters()[model.parameters().size() - 2]->value;  // fc.weight (3, K)
  const int K = lg.activations.dim(1);
  const double Z = lg.activations.dim(2) * lg.activations.dim(3);
  for (const ShapleyTarget target : {ShapleyTarget::ReST, ShapleyTarget::LogSoftmax}) {
    const double own = target == ShapleyTarget::ReST ? 2 : 1;  // the weight of e_c
    const Tensor w = shapley_cam_weights(model, lg, target, {}, 1e-4);
    for (int n = 0; n < 2; ++n) {
      std::vector<double> p(3), zb(3), v(3);
      double total = 0;
      for (int m = 0; m < 3; ++m) total += std::exp(lg.logits.at(n, m));
      for (int m = 0; m < 3; ++m) p[std::size_t(m)] = std::exp(lg.logits.at(n, m)) / total;
      for (int m = 0; m < 3; ++m) zb[std::size_t(m)] = lg.logits.at(n, m) - fc_bias->value[std::size_t(m)];
      double p_dot_zb = 0;
      for (int m = 0; m < 3; ++m) p_dot_zb += p[std::size_t(m)] * zb[std::size_t(m)];
      for (int m = 0; m < 3; ++m) {
        const double hessian_part = p[std::size_t(m)] * zb[std::size_t(m)] - p[std::size_t(m)] * p_dot_zb;
        v[std::size_t(m)] = (m == classes[std::size_t(n)] ? own : 0.0) - p[std::size_t(m)] + 0.5 * hessian_part;
      }
      for (int k = 0; k < K; ++k) {
        double expected = 0;
        for (int m = 0; m < 3; ++m) expected += v[std::size_t(m)] * W.at(m, k) / Z;
        CHECK(w.at(n, k) == Approx(expected).epsilon(0).margin(1e-7));
      }
    }
  }
  CHECK_THROWS_AS(shapley_cam_weights(model, lg, ShapleyTarget::ReST, {}, 0), std::invalid_argument);
  // With the logit as the target the Hessian term vanishes: Grad-CAM's eq. (8).
  CHECK(max_abs_difference(shapley_cam_weights(model, lg, ShapleyTarget::Logit), channel_weights(lg.gradients)) <
        1e-12);
}

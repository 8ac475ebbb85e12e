// LRP (lrp.hpp): conservation with ε → 0 on bias-free nets, LRP-0 =
// gradient × input on ReLU/max-pool nets, the αβ rule by hand on one dense
// layer, and αβ conservation on a positive net.
#include <cmath>
#include <memory>

#include "gcam/methods/attribution.hpp"
#include "gcam/methods/lrp.hpp"
#include "gcam/nn/layers.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

void zero_biases(Model& model) {
  for (Parameter* p : model.parameters())
    if (p->name.find("bias") != std::string::npos) p->value.fill(0);
}

void random_biases(Model& model, std::uint64_t seed) {
  for (Parameter* p : model.parameters())
    if (p->name.find("bias") != std::string::npos) p->value = random_tensor(p->value.shape(), seed++, -0.1, 0.1);
}

double total(const Tensor& t) {
  double s = 0;
  for (Scalar v : t.values()) s += v;
  return s;
}

}  // namespace

TEST_CASE("LRP-epsilon conserves relevance on bias-free nets as epsilon -> 0", "[lrp]") {
  for (const char* architecture : {"shapes-cnn", "fashion-cnn", "gap-cnn"}) {
    INFO(architecture);
    Model model = make_model(architecture, {1, 16, 16}, 4, 31);
    zero_biases(model);
    const Tensor images = random_tensor({2, 1, 16, 16}, 32, 0, 1);
    const std::vector<int> classes = {1, 3};
    Tape tape;
    const Tensor logits = tape.value(model.forward(tape, images).logits);
    LrpOptions lrp;
    lrp.epsilon = 1e-14;
    const Tensor R = lrp_relevance(model, images, classes, lrp);
    REQUIRE(R.shape() == images.shape());
    for (int n = 0; n < 2; ++n) {
      const double y = logits.at(n, classes[std::size_t(n)]);
      CHECK(std::abs(total(slice_batch(R, n, n + 1)) - y) < 1e-9);
    }
    // A large ε absorbs relevance: the sum is then visibly below |y^c|.
    lrp.epsilon = 10;
    const double absorbed = total(slice_batch(lrp_relevance(model, images, classes, lrp), 0, 1));
    CHECK(std::abs(absorbed) < std::abs(logits.at(0, 1)));
  }
}

TEST_CASE("LRP-epsilon conserves relevance through folded batch norms and residual sums on resnet-mini",
          "[lrp][resnet]") {
  Model model = make_model("resnet-mini", {1, 16, 16}, 4, 33);
  for (Parameter* p : model.state()) {  // b' = (b − μ)·γ/σ + β = 0: every bias and shift zero
    const bool zero = p->name.find("bias") != std::string::npos || p->name.find("running_mean") != std::string::npos;
    if (zero) p->value.fill(0);
    if (p->name.find("bn") != std::string::npos && p->name.find(".weight") != std::string::npos)
      p->value = random_tensor(p->value.shape(), 34 + p->value.size(), 0.5, 1.5);  // γ
    if (p->name.find("running_var") != std::string::npos)
      p->value = random_tensor(p->value.shape(), 35 + p->value.size(), 0.5, 2);
  }
  const Tensor images = random_tensor({2, 1, 16, 16}, 36, 0, 1);
  const std::vector<int> classes = {0, 3};
  Tape tape;
  const Tensor logits = tape.value(model.forward(tape, images).logits);
  LrpOptions lrp;
  lrp.epsilon = 1e-14;
  const Tensor R = lrp_relevance(model, images, classes, lrp);
  for (int n = 0; n < 2; ++n) {
    const double y = logits.at(n, classes[std::size_t(n)]);
    INFO("image " << n << ": y^c = " << y);
    REQUIRE(std::abs(y) > 1e-3);
    CHECK(std::abs(total(slice_batch(R, n, n + 1)) - y) < 1e-9 * std::max(1.0, std::abs(y)));
  }
  // With a non-zero shift the folded bias b' absorbs relevance: conservation no longer holds.
  model.state()[2]->value.fill(Scalar(0.5));  // bn1.bias
  const Tensor shifted = lrp_relevance(model, images, classes, lrp);
  Tape again;
  const double y0 = again.value(model.forward(again, images).logits).at(0, 0);
  CHECK(std::abs(total(slice_batch(shifted, 0, 1)) - y0) > 1e-6);
}

TEST_CASE("LRP-0 equals gradient x input on ReLU/max-pool nets", "[lrp]") {
  for (const char* architecture : {"fashion-cnn", "shapes-cnn"}) {
    for (bool biases : {false, true}) {
      INFO(architecture << (biases ? " with biases" : " without biases"));
      Model model = make_model(architecture, {1, 16, 16}, 4, 33);
      if (biases)
        random_biases(model, 34);  // ReLU(z)/z = ReLU'(z): the identity holds with biases too
      else
        zero_biases(model);
      const Tensor images = random_tensor({2, 1, 16, 16}, 35, 0, 1);
      LrpOptions lrp;
      lrp.epsilon = 0;
      const Tensor R = lrp_relevance(model, images, {0, 2}, lrp);
      const Tensor g = input_gradients(model, images, {0, 2});
      double scale = 0;
      for (std::size_t e = 0; e < g.size(); ++e) scale = std::max(scale, std::abs(double(g[e] * images[e])));
      Tensor gx = g;
      for (std::size_t e = 0; e < gx.size(); ++e) gx[e] *= images[e];
      CHECK(max_abs_difference(R, gx) < 1e-9 * scale);
    }
  }
}

TEST_CASE("LRP alpha-beta by hand on one dense layer", "[lrp][float]") {
  // x = (1, 2), class 0 weights (3, −1): contributions a·w = (3, −2), y = 1.
  // z⁺ = 3, z⁻ = −2; α = 2, β = 1:
  //   R_1 = (2·3/3 − 1·0/−2)·1 = 2,  R_2 = (0 − 1·(−2)/(−2))·1 = −1;  Σ R = 1 = y.
  Model model("dense", {1, 1, 2}, 1);
  model.add(std::make_unique<Flatten>("flatten"));
  auto fc = std::make_unique<Dense>("fc", 2, 1);
  fc->weight.value = Tensor({1, 2}, {3, -1});
  model.add(std::move(fc));
  LrpOptions lrp;
  lrp.rule = LrpRule::AlphaBeta;
  lrp.alpha = 2;
  const Tensor R = lrp_relevance(model, Tensor({1, 1, 1, 2}, {1, 2}), {0}, lrp);
  CHECK(R[0] == Approx(2));
  CHECK(R[1] == Approx(-1));
  // α = 1, β = 0 (z⁺ rule): only the positive contribution gets relevance.
  lrp.alpha = 1;
  const Tensor R1 = lrp_relevance(model, Tensor({1, 1, 1, 2}, {1, 2}), {0}, lrp);
  CHECK(R1[0] == Approx(1));
  CHECK(R1[1] == Approx(0));
  // ε rule: R_i = a_i w_i / z · y = a_i w_i (z = y): (3, −2).
  lrp.rule = LrpRule::Epsilon;
  lrp.epsilon = 0;
  const Tensor Re = lrp_relevance(model, Tensor({1, 1, 1, 2}, {1, 2}), {0}, lrp);
  CHECK(Re[0] == Approx(3));
  CHECK(Re[1] == Approx(-2));
}

TEST_CASE("LRP alpha-beta conserves relevance where every neuron has both signs of contribution", "[lrp]") {
  // Bias-free shapes-cnn on a positive image: each conv/dense neuron sees
  // positive and negative contributions (mixed-sign weights), so
  // Σ_i R_i = (α − β) Σ_j R_j = Σ_j R_j layer by layer.
  Model model = make_model("shapes-cnn", {1, 16, 16}, 4, 36);
  zero_biases(model);
  const Tensor images = random_tensor({1, 1, 16, 16}, 37, 0.1, 1);
  Tape tape;
  const double y = tape.value(model.forward(tape, images).logits).at(0, 2);
  LrpOptions lrp;
  lrp.rule = LrpRule::AlphaBeta;
  lrp.epsilon = 0;
  const Tensor R = lrp_relevance(model, images, {2}, lrp);
  // Neurons with no positive (or no negative) part drop their share, so allow
  // a small deviation; report it on failure.
  CAPTURE(total(R), y);
  CHECK(std::abs(total(R) - y) < 0.05 * std::abs(y) + 1e-9);
}

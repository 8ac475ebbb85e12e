// The LRP rules γ, z⁺, z^B (box), flat and w² (lrp.hpp): by hand on one
// dense layer and on one conv with zero padding, and their identities with
// the ε and αβ rules on whole networks.
#include <cmath>

#include "gcam/methods/lrp.hpp"
#include "gcam/methods/lrp_composite.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

LrpOptions rule(LrpRule kind, double epsilon = 0) {
  LrpOptions o;
  o.rule = kind;
  o.epsilon = epsilon;
  return o;
}

// The relevance of x under one layer (dense, or a 3×3 conv with padding 1)
// that starts from relevance R_out on its output. ZBox goes through a
// composite (the layer reads the input, so it is the first layer).
Tensor one_layer(const LrpOptions& o, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& R_out) {
  Tape tape;
  const Var in = tape.input(x);
  const Var wv = tape.parameter(w, "weight"), bv = tape.parameter(b, "bias");
  const Var z = x.rank() == 2 ? linear(tape, in, wv, bv) : conv2d(tape, in, wv, bv, 1, 1);
  BackwardOptions backward;
  backward.rules = o.rule == LrpRule::ZBox ? lrp_rules(LrpComposite{o, {}, {}}, tape, in) : lrp_rules(o, tape);
  backward.wrt = {in};
  return tape.backward(z, R_out, backward).of(in);
}

void check_values(const Tensor& R, const std::vector<double>& expected) {
  REQUIRE(R.size() == expected.size());
  for (std::size_t e = 0; e < expected.size(); ++e) {
    INFO("element " << e);
    CHECK(R[e] == Approx(expected[e]).margin(1e-6));
  }
}

// The dense layer of the hand computations: a = (1, 2, 1),
// w_1 = (1, −1, 2), b_1 = 0.5;  w_2 = (−2, 1, 1), b_2 = 1  (z = (1.5, 2)).
const Tensor dense_x({1, 3}, {1, 2, 1});
const Tensor dense_w({2, 3}, {1, -1, 2, -2, 1, 1});
const Tensor dense_b({2}, {0.5, 1});

// The conv of the hand computations: one channel, image 1×3 a = (1, 2, 1),
// 3×3 kernel with padding 1 and bias 0.5. Only its middle row (1, −1, 2)
// meets the image; its top row (1, 1, 1) and bottom row (−1, −1, −1) see
// only padding, so a rule that counted padding as input would change.
// Output j reads x_{j−1}, x_j, x_{j+1} with weights 1, −1, 2 (x_{−1} = x_3 = padding).
const Tensor conv_x({1, 1, 1, 3}, {1, 2, 1});
const Tensor conv_w({1, 1, 3, 3}, {1, 1, 1, 1, -1, 2, -1, -1, -1});
const Tensor conv_b({1}, {0.5});

}  // namespace

TEST_CASE("LRP gamma rule by hand on a dense layer and a padded conv", "[lrp][lrp-rules][float]") {
  LrpOptions o = rule(LrpRule::Gamma);
  o.gamma = 0.5;
  // Dense: w + γw⁺ = (1.5, −1, 3), (−2, 1.5, 1.5); b + γb⁺ = (0.75, 1.5).
  // z^γ = (1.5 − 2 + 3 + 0.75, −2 + 3 + 1.5 + 1.5) = (3.25, 4). R_out = (3.25, 8): s = (1, 2).
  // R_i = a_i (w^γ_1i + 2 w^γ_2i) = (1·(1.5 − 4), 2·(−1 + 3), 1·(3 + 3)) = (−2.5, 4, 6);
  // Σ = 7.5, the bias keeps 0.75·1 + 1.5·2 = 3.75 of 11.25.
  check_values(one_layer(o, dense_x, dense_w, dense_b, Tensor({1, 2}, {3.25, 8})), {-2.5, 4, 6});
  // Conv: w^γ middle row (1.5, −1, 3), bias 0.75. z^γ_0 = −1·1 + 3·2 + 0.75 = 5.75,
  // z^γ_1 = 1.5·1 − 1·2 + 3·1 + 0.75 = 3.25, z^γ_2 = 1.5·2 − 1·1 + 0.75 = 2.75.
  // R_out = (5.75, 6.5, 2.75): s = (1, 2, 1).
  // R_0 = 1·(−1·1 + 1.5·2) = 2, R_1 = 2·(3·1 − 1·2 + 1.5·1) = 5, R_2 = 1·(3·2 − 1·1) = 5.
  check_values(one_layer(o, conv_x, conv_w, conv_b, Tensor({1, 1, 1, 3}, {5.75, 6.5, 2.75})), {2, 5, 5});
  // A negative output boosts the negative weights and bias instead, moving z^γ away from 0:
  // bias (0.5, −4): z_2 = −2 + 2 + 1 − 4 = −3; w + γw⁻ = (−3, 1, 1), b + γb⁻ = −6, z^γ_2 = −3 + 2 + 1 − 6 = −6.
  // (Boosting w⁺ there would give z^γ_2 = −3 + 0.5·3 = −1.5, closer to 0.) R_out = (3.25, 12): s = (1, −2).
  // R_i = a_i (w^γ_1i − 2 w^γ_2i) = (1·(1.5 + 6), 2·(−1 − 2), 1·(3 − 2)) = (7.5, −6, 1).
  check_values(one_layer(o, dense_x, dense_w, Tensor({2}, {0.5, -4}), Tensor({1, 2}, {3.25, 12})), {7.5, -6, 1});
}

TEST_CASE("LRP z-plus rule by hand on a dense layer and a padded conv", "[lrp][lrp-rules][float]") {
  const LrpOptions o = rule(LrpRule::ZPlus);
  // Dense: w⁺ = (1, 0, 2), (0, 1, 1); Σ a w⁺ = (3, 3), bias ignored. R_out = (3, 6): s = (1, 2).
  // R = (1·(1 + 0), 2·(0 + 2), 1·(2 + 2)) = (1, 4, 4); Σ = 9 = Σ R_out.
  check_values(one_layer(o, dense_x, dense_w, dense_b, Tensor({1, 2}, {3, 6})), {1, 4, 4});
  // Conv: middle row w⁺ = (1, 0, 2). z⁺ = (2·2, 1·1 + 1·2, 2·1) = (4, 3, 2). R_out = (4, 6, 2): s = (1, 2, 1).
  // R_0 = 1·(1·2) = 2, R_1 = 2·(2·1 + 1·1) = 6, R_2 = 1·(2·2) = 4.
  check_values(one_layer(o, conv_x, conv_w, conv_b, Tensor({1, 1, 1, 3}, {4, 6, 2})), {2, 6, 4});
}

TEST_CASE("LRP z-beta (box) rule by hand on a dense layer and a padded conv", "[lrp][lrp-rules][float]") {
  LrpOptions o = rule(LrpRule::ZBox);
  o.low = -1;
  o.high = 2;
  // Dense, terms a_i w_ij − l w⁺_ij − h w⁻_ij with l = −1, h = 2:
  //   j = 1, w = (1, −1, 2): (1 + 1, −2 + 2, 2 + 2) = (2, 0, 4), z = 6
  //   j = 2, w = (−2, 1, 1): (−2 + 4, 2 + 1, 1 + 1) = (2, 3, 2), z = 7
  // R_out = (6, 14): s = (1, 2); R = (2 + 4, 0 + 6, 4 + 4) = (6, 6, 8).
  check_values(one_layer(o, dense_x, dense_w, dense_b, Tensor({1, 2}, {6, 14})), {6, 6, 8});
  // Conv, middle row w = 1, −1, 2: terms a + 1, −a + 2, 2a + 2; padding (a = l = h = 0) adds none,
  // nor do the top and bottom rows:
  //   z_0 = (−1 + 2) + (4 + 2) = 7 (x_0, x_1), z_1 = 2 + 0 + 4 = 6, z_2 = 3 + 1 = 4 (x_1, x_2).
  // R_out = (7, 12, 4): s = (1, 2, 1). R_0 = 1·1 + 2·2 = 5, R_1 = 6·1 + 0·2 + 3·1 = 9, R_2 = 4·2 + 1·1 = 9.
  check_values(one_layer(o, conv_x, conv_w, conv_b, Tensor({1, 1, 1, 3}, {7, 12, 4})), {5, 9, 9});
  // Default box: the min and max of the whole batch. Image 1 = (−1, 0, 2) brings l = −1 and h = 2,
  // so image 0 gets the same relevance as with the explicit box.
  const Tensor batch({2, 3}, {1, 2, 1, -1, 0, 2});
  const Tensor R_out({2, 2}, {6, 14, 1, 1});
  const Tensor R_default = one_layer(rule(LrpRule::ZBox), batch, dense_w, dense_b, R_out);
  check_values(slice_batch(R_default, 0, 1), {6, 6, 8});
  CHECK(max_abs_difference(R_default, one_layer(o, batch, dense_w, dense_b, R_out)) < 1e-6);
}

TEST_CASE("LRP flat and w-square rules by hand on a dense layer and a padded conv", "[lrp][lrp-rules][float]") {
  // Dense flat: each output has 3 inputs: R_i = (6 + 14)/3 for every i.
  check_values(one_layer(rule(LrpRule::Flat), dense_x, dense_w, dense_b, Tensor({1, 2}, {6, 14})),
               {20.0 / 3, 20.0 / 3, 20.0 / 3});
  // Conv flat: outputs 0 and 2 have 2 real inputs, output 1 has 3 (padding does not count).
  // R_out = (2, 3, 4): R_0 = 2/2 + 3/3 = 2, R_1 = 2/2 + 3/3 + 4/2 = 4, R_2 = 3/3 + 4/2 = 3.
  check_values(one_layer(rule(LrpRule::Flat), conv_x, conv_w, conv_b, Tensor({1, 1, 1, 3}, {2, 3, 4})), {2, 4, 3});
  // Dense w²: (1, 1, 4) and (4, 1, 1), both sums 6. R_out = (6, 12): s = (1, 2);
  // R = (1 + 8, 1 + 2, 4 + 2) = (9, 3, 6).
  check_values(one_layer(rule(LrpRule::WSquare), dense_x, dense_w, dense_b, Tensor({1, 2}, {6, 12})), {9, 3, 6});
  // Conv w²: middle row (1, 1, 4); z = (1 + 4, 1 + 1 + 4, 1 + 1) = (5, 6, 2). R_out = (5, 12, 2): s = (1, 2, 1).
  // R_0 = 1 + 2 = 3, R_1 = 4 + 2 + 1 = 7, R_2 = 8 + 1 = 9.
  check_values(one_layer(rule(LrpRule::WSquare), conv_x, conv_w, conv_b, Tensor({1, 1, 1, 3}, {5, 12, 2})), {3, 7, 9});
}

TEST_CASE("LRP rules refuse the box rule outside the first layer", "[lrp][lrp-rules]") {
  CHECK_THROWS_AS(lrp_rules(rule(LrpRule::ZBox)), std::invalid_argument);
  LrpComposite composite;
  composite.conv = rule(LrpRule::ZBox);
  Tape tape;
  CHECK_THROWS_AS(lrp_rules(composite, tape, Var{0}), std::invalid_argument);
  composite.conv = rule(LrpRule::Epsilon);
  composite.dense = rule(LrpRule::ZBox);
  CHECK_THROWS_AS(lrp_rules(composite, tape, Var{0}), std::invalid_argument);
  LrpOptions inverted = rule(LrpRule::ZBox);
  inverted.low = 1;
  inverted.high = 0;
  CHECK_THROWS_AS(one_layer(inverted, dense_x, dense_w, dense_b, Tensor({1, 2}, {1, 1})), std::invalid_argument);
}

TEST_CASE("LRP gamma = 0 equals the epsilon rule on whole networks", "[lrp][lrp-rules]") {
  for (const char* architecture : {"shapes-cnn", "resnet-mini"}) {
    INFO(architecture);
    Model model = make_model(architecture, {1, 16, 16}, 4, 41);
    for (Parameter* p : model.parameters())  // non-zero biases: γ boosts b⁺ too, so γ = 0 must leave b alone
      if (p->name.find("bias") != std::string::npos) p->value = random_tensor(p->value.shape(), 42, -0.1, 0.1);
    const Tensor images = random_tensor({2, 1, 16, 16}, 43, -1, 1);
    LrpOptions gamma = rule(LrpRule::Gamma, 1e-6);
    gamma.gamma = 0;
    const Tensor R_gamma = lrp_relevance(model, images, {1, 2}, gamma);
    const Tensor R_epsilon = lrp_relevance(model, images, {1, 2}, rule(LrpRule::Epsilon, 1e-6));
    REQUIRE(max_abs(R_epsilon) > 1e-6);
    CHECK(max_abs_difference(R_gamma, R_epsilon) < 1e-12 * std::max(1.0, max_abs(R_epsilon)));
    // γ > 0 changes the map.
    gamma.gamma = 0.25;
    CHECK(max_abs_difference(lrp_relevance(model, images, {1, 2}, gamma), R_epsilon) > 1e-6);
  }
}

TEST_CASE("LRP z-plus equals alpha-beta with alpha = 1 where layer inputs are non-negative", "[lrp][lrp-rules]") {
  Model model = make_model("shapes-cnn", {1, 16, 16}, 4, 44);
  for (Parameter* p : model.parameters())  // both rules ignore biases
    if (p->name.find("bias") != std::string::npos) p->value = random_tensor(p->value.shape(), 45, -0.1, 0.1);
  LrpOptions alpha1 = rule(LrpRule::AlphaBeta);
  alpha1.alpha = 1;
  // Non-negative images: every conv/dense layer reads an image or a ReLU/pool output ≥ 0.
  const Tensor positive = random_tensor({2, 1, 16, 16}, 46, 0, 1);
  const Tensor R_zplus = lrp_relevance(model, positive, {0, 3}, rule(LrpRule::ZPlus));
  const Tensor R_alpha = lrp_relevance(model, positive, {0, 3}, alpha1);
  REQUIRE(max_abs(R_alpha) > 1e-6);
  CHECK(max_abs_difference(R_zplus, R_alpha) < 1e-12 * std::max(1.0, max_abs(R_alpha)));
  // Negative pixels: αβ also credits a⁻w⁻ > 0, z⁺ (w⁺ only) does not, so the first layer differs.
  const Tensor mixed = random_tensor({2, 1, 16, 16}, 47, -1, 1);
  CHECK(max_abs_difference(lrp_relevance(model, mixed, {0, 3}, rule(LrpRule::ZPlus)),
                           lrp_relevance(model, mixed, {0, 3}, alpha1)) > 1e-6);
}

TEST_CASE("LRP box rule with l = h = 0 on the first layer equals LRP-0", "[lrp][lrp-rules]") {
  for (const char* architecture : {"shapes-cnn", "resnet-mini"}) {  // padded 3×3 first convs
    INFO(architecture);
    Model model = make_model(architecture, {1, 16, 16}, 4, 48);
    for (Parameter* p : model.parameters())  // the box rule ignores the bias, LRP-0 does not
      if (p->name.find("bias") != std::string::npos) p->value.fill(0);
    const Tensor images = random_tensor({2, 1, 16, 16}, 49, -1, 1);
    LrpComposite box{rule(LrpRule::ZBox), rule(LrpRule::Epsilon), rule(LrpRule::Epsilon), 0};
    box.first.low = 0;
    box.first.high = 0;
    const Tensor R_box = lrp_relevance(model, images, {2, 0}, box);
    const Tensor R_zero = lrp_relevance(model, images, {2, 0}, rule(LrpRule::Epsilon));
    REQUIRE(max_abs(R_zero) > 1e-6);
    CHECK(max_abs_difference(R_box, R_zero) < 1e-12 * std::max(1.0, max_abs(R_zero)));
    // The batch's own box changes it.
    box.first.low.reset();
    box.first.high.reset();
    CHECK(max_abs_difference(lrp_relevance(model, images, {2, 0}, box), R_zero) > 1e-6);
  }
}

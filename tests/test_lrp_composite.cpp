// LRP composites (lrp_composite.hpp): layer positions by hand, the presets,
// a composite with one rule everywhere equals that rule, conservation of
// the presets on bias-free nets, and batch norms folded for every rule.
#include <cmath>
#include <memory>

#include "gcam/core/error.hpp"
#include "gcam/methods/lrp_composite.hpp"
#include "gcam/nn/layers.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

LrpOptions rule(LrpRule kind, double epsilon = 1e-6) {
  LrpOptions o;
  o.rule = kind;
  o.epsilon = epsilon;
  return o;
}

void zero_biases(Model& model) {
  for (Parameter* p : model.parameters())
    if (p->name.find("bias") != std::string::npos) p->value.fill(0);
}

double total(const Tensor& t) {
  double s = 0;
  for (Scalar v : t.values()) s += v;
  return s;
}

// "first", "conv" or "dense" for every conv/linear record of a forward pass, in tape order, by record name.
std::vector<std::string> positions(Model& model) {
  Tape tape;
  const ForwardPass pass = model.forward(tape, Tensor(Shape{1, 1, 16, 16}));
  std::vector<std::string> out;
  for (int id = 0; id < tape.size(); ++id) {
    const Record& r = tape.at(id);
    if (r.kind != OpKind::Conv2d && r.kind != OpKind::Linear) continue;
    const LrpPosition p = lrp_position(tape, r, pass.input);
    out.push_back(r.name + ":" + (p == LrpPosition::First ? "first" : p == LrpPosition::Conv ? "conv" : "dense"));
  }
  return out;
}

}  // namespace

TEST_CASE("LRP layer positions by hand", "[lrp][lrp-composite]") {
  Model shapes = make_model("shapes-cnn", {1, 16, 16}, 4, 51);
  CHECK(positions(shapes) ==
        std::vector<std::string>{"conv1:first", "conv2:conv", "conv3:conv", "conv4:conv", "fc:dense"});
  Model resnet = make_model("resnet-mini", {1, 16, 16}, 4, 52);
  const std::vector<std::string> r = positions(resnet);
  REQUIRE(r.size() == 10);  // conv1, 2 convs per block, 2 downsample convs, fc
  CHECK(r.front() == "conv1:first");
  CHECK(r.back() == "fc:dense");
  for (std::size_t i = 1; i + 1 < r.size(); ++i) CHECK(r[i].substr(r[i].find(':')) == ":conv");
  // A dense layer after a Flatten of the input is the first layer too.
  Model dense("dense", {1, 16, 16}, 4);
  dense.add(std::make_unique<Flatten>("flatten"));
  dense.add(std::make_unique<Dense>("fc1", 256, 8));
  dense.add(std::make_unique<Dense>("fc2", 8, 4));
  CHECK(positions(dense) == std::vector<std::string>{"fc1:first", "fc2:dense"});
  Tape tape;
  const ForwardPass pass = dense.forward(tape, Tensor(Shape{1, 1, 16, 16}));
  CHECK_THROWS_AS(lrp_position(tape, tape.at(pass.input), pass.input), std::invalid_argument);
}

TEST_CASE("LRP composite presets", "[lrp][lrp-composite]") {
  CHECK(lrp_composite_names() ==
        std::vector<std::string>{"epsilon-plus-flat", "epsilon-gamma-box", "epsilon-plus", "epsilon-alpha2-beta1"});
  const LrpComposite flat = lrp_composite("epsilon-plus-flat");
  CHECK((flat.first.rule == LrpRule::Flat && flat.conv.rule == LrpRule::ZPlus && flat.dense.rule == LrpRule::Epsilon));
  const LrpComposite box = lrp_composite("epsilon-gamma-box");
  CHECK((box.first.rule == LrpRule::ZBox && box.conv.rule == LrpRule::Gamma && box.dense.rule == LrpRule::Epsilon));
  CHECK((!box.first.low && !box.first.high && box.conv.gamma == 0.25 && box.dense.epsilon == 1e-6));
  const LrpComposite plus = lrp_composite("epsilon-plus");
  CHECK((plus.first.rule == LrpRule::ZPlus && plus.conv.rule == LrpRule::ZPlus && plus.dense.rule == LrpRule::Epsilon));
  const LrpComposite ab = lrp_composite("epsilon-alpha2-beta1");
  CHECK((ab.first.rule == LrpRule::AlphaBeta && ab.conv.rule == LrpRule::AlphaBeta && ab.first.alpha == 2));
  CHECK(ab.dense.rule == LrpRule::Epsilon);
  try {
    lrp_composite("epsilon-plus-flatt");
    FAIL("no exception");
  } catch (const UnknownName& e) {
    const std::string message = e.what();
    CHECK(message.find("epsilon-plus-flat") != std::string::npos);
    CHECK(message.find("epsilon-alpha2-beta1") != std::string::npos);
  }
}

TEST_CASE("LRP composite with one rule everywhere equals that rule", "[lrp][lrp-composite]") {
  for (const char* architecture : {"shapes-cnn", "resnet-mini"}) {
    Model model = make_model(architecture, {1, 16, 16}, 4, 53);
    for (Parameter* p : model.parameters())
      if (p->name.find("bias") != std::string::npos) p->value = random_tensor(p->value.shape(), 54, -0.1, 0.1);
    const Tensor images = random_tensor({2, 1, 16, 16}, 55, -1, 1);
    for (LrpRule kind :
         {LrpRule::Epsilon, LrpRule::AlphaBeta, LrpRule::Gamma, LrpRule::ZPlus, LrpRule::Flat, LrpRule::WSquare}) {
      INFO(architecture << ", rule " << int(kind));
      LrpOptions o = rule(kind, 1e-3);
      o.alpha = 1.5;
      o.gamma = 0.1;
      const Tensor R_rule = lrp_relevance(model, images, {3, 1}, o);
      const Tensor R_composite = lrp_relevance(model, images, {3, 1}, LrpComposite{o, o, o, 1e-3});
      REQUIRE(max_abs(R_rule) > 1e-6);
      CHECK(max_abs_difference(R_rule, R_composite) < 1e-12 * std::max(1.0, max_abs(R_rule)));
    }
  }
}

TEST_CASE("LRP presets conserve relevance on bias-free ReLU nets with non-negative images", "[lrp][lrp-composite]") {
  // With zero biases (and zero folded biases), images ≥ 0 and ε → 0: relevance reaches only neurons with
  // z_j > 0 (every rule above hands a_j = ReLU(z_j) = 0 nothing), where Σ a w⁺ ≥ z_j > 0, z^γ ≥ z_j > 0 and the
  // box and flat denominators are > 0; each of these rules then passes Σ_i R_i = Σ_j R_j. So Σ_i R_i = y^c.
  // Not tested: αβ (a neuron with one sign of contribution only passes α or −β times its relevance).
  for (const char* architecture : {"shapes-cnn", "resnet-mini"}) {
    Model model = make_model(architecture, {1, 16, 16}, 4, 56);
    zero_biases(model);  // resnet-mini: β = 0 and running means 0, so b' = 0
    for (Parameter* p : model.state()) {
      if (p->name.find("bn") != std::string::npos && p->name.find(".weight") != std::string::npos)
        p->value = random_tensor(p->value.shape(), 57 + p->value.size(), -1.5, 1.5);  // γ of both signs
      if (p->name.find("running_var") != std::string::npos)
        p->value = random_tensor(p->value.shape(), 58 + p->value.size(), 0.5, 2);
    }
    const Tensor images = random_tensor({2, 1, 16, 16}, 59, 0, 1);
    Tape tape;
    const Tensor logits = tape.value(model.forward(tape, images).logits);
    for (const char* preset : {"epsilon-plus-flat", "epsilon-plus", "epsilon-gamma-box"}) {
      LrpComposite composite = lrp_composite(preset);
      composite.first.epsilon = composite.conv.epsilon = composite.dense.epsilon = composite.epsilon = 1e-14;
      const Tensor R = lrp_relevance(model, images, {1, 2}, composite);
      for (int n = 0; n < 2; ++n) {
        const double y = logits.at(n, n + 1);
        INFO(architecture << ", " << preset << ", image " << n << ": y^c = " << y);
        REQUIRE(std::abs(y) > 1e-3);
        CHECK(std::abs(total(slice_batch(R, n, n + 1)) - y) < 1e-9 * std::max(1.0, std::abs(y)));
      }
    }
  }
}

namespace {

// A batch norm with γ = `gamma` (one negative channel swaps w'⁺ and w'⁻) and other statistics.
std::unique_ptr<BatchNorm2d> batch_norm(const std::string& name, const Tensor& gamma, std::uint64_t seed) {
  const Shape c{gamma.dim(0)};
  auto bn = std::make_unique<BatchNorm2d>(name, gamma.dim(0));
  bn->weight.value = gamma;
  bn->bias.value = random_tensor(c, seed, -0.2, 0.2);
  bn->running_mean.value = random_tensor(c, seed + 1, -0.3, 0.3);
  bn->running_var.value = random_tensor(c, seed + 2, 0.5, 2);
  return bn;
}

// conv1 (1→2) bn1 relu1 conv2 (2→3) bn2 relu2 flatten fc (48→2), on 4×4 images;
// with `folded`, each conv carries its batch norm (B7) and there are no bn layers.
Model folding_model(bool folded) {
  Model model("folding", {1, 4, 4}, 2);
  std::vector<std::unique_ptr<Conv2d>> convs;
  std::vector<std::unique_ptr<BatchNorm2d>> bns;
  convs.push_back(std::make_unique<Conv2d>("conv1", 1, 2, 3, 1, 1));
  convs.push_back(std::make_unique<Conv2d>("conv2", 2, 3, 3, 1, 1));
  bns.push_back(batch_norm("bn1", Tensor({2}, {-0.8, 1.3}), 61));
  bns.push_back(batch_norm("bn2", Tensor({3}, {1.2, -0.7, 0.9}), 64));
  for (std::size_t i = 0; i < 2; ++i) {
    Conv2d& conv = *convs[i];
    conv.weight.value = random_tensor(conv.weight.value.shape(), 67 + i);
    conv.bias.value = random_tensor(conv.bias.value.shape(), 69 + i, -0.2, 0.2);
    if (!folded) continue;
    const BatchNorm2d& bn = *bns[i];
    const FoldedConv f = fold_batch_norm(conv.weight.value, conv.bias.value, bn.weight.value, bn.bias.value,
                                         bn.running_mean.value, bn.running_var.value);
    conv.weight.value = f.weight;
    conv.bias.value = f.bias;
  }
  auto fc = std::make_unique<Dense>("fc", 48, 2);
  fc->weight.value = random_tensor({2, 48}, 71);
  fc->bias.value = random_tensor({2}, 72, -0.2, 0.2);
  for (std::size_t i = 0; i < 2; ++i) {
    model.add(std::move(convs[i]));
    if (!folded) model.add(std::move(bns[i]));
    model.add(std::make_unique<ReLU>("relu" + std::to_string(i + 1)));
  }
  model.add(std::make_unique<Flatten>("flatten"));
  model.add(std::move(fc));
  return model;
}

}  // namespace

TEST_CASE("LRP folds a batch norm into the conv before it for every rule", "[lrp][lrp-composite]") {
  // A net with conv → bn (twice) gives the same relevance as the same net with the batch norms folded into
  // the convs by hand (w' = w·γ/σ, b' = (b − μ)·γ/σ + β): every rule sees w', z and b', the bn passes R on.
  Model with_bn = folding_model(false), folded = folding_model(true);
  const Tensor images = random_tensor({2, 1, 4, 4}, 67, -1, 1);
  Tape a, b;
  REQUIRE(max_abs_difference(a.value(with_bn.forward(a, images).logits), b.value(folded.forward(b, images).logits)) <
          1e-12);
  for (LrpRule kind :
       {LrpRule::Epsilon, LrpRule::AlphaBeta, LrpRule::Gamma, LrpRule::ZPlus, LrpRule::Flat, LrpRule::WSquare}) {
    for (bool box_first : {false, true}) {
      INFO("rule " << int(kind) << (box_first ? ", box first" : ""));
      const LrpOptions o = rule(kind);
      const LrpComposite composite{box_first ? rule(LrpRule::ZBox) : o, o, rule(LrpRule::Epsilon)};
      const Tensor R = lrp_relevance(with_bn, images, {0, 1}, composite);
      REQUIRE(max_abs(R) > 1e-6);
      CHECK(max_abs_difference(R, lrp_relevance(folded, images, {0, 1}, composite)) < 1e-10 * max_abs(R));
    }
  }
}

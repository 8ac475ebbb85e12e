// The tape itself: accumulation, idempotent backward, intermediate gradients,
// stopped walks, replacement rules and DOT export.
#include <set>

#include "gcam/core/error.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/pool_relu.hpp"
#include "gcam/nn/model.hpp"
#include "gcam/nn/predict.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

TEST_CASE("a value used twice accumulates: b = a + a, c = b + b gives dc/da = 4", "[tape]") {
  Tape tape;
  Var a = tape.input(Tensor({3}, {1, 2, 3}), "a");
  Var b = add(tape, a, a);
  Var c = add(tape, b, b);
  CHECK(tape.value(c).values() == std::vector<Scalar>{4, 8, 12});
  Gradients g = tape.backward(c, Tensor({3}, {1, 1, 1}));
  CHECK(g.of(b).values() == std::vector<Scalar>{2, 2, 2});
  CHECK(g.of(a).values() == std::vector<Scalar>{4, 4, 4});
}

TEST_CASE("backward twice gives identical results; gradients live outside the tape", "[tape]") {
  Tape tape;
  Var x = tape.input(random_tensor({2, 5}, 1), "x");
  Var w = tape.parameter(random_tensor({3, 5}, 2), "w");
  Var b = tape.parameter(random_tensor({3}, 3), "b");
  Var loss = softmax_cross_entropy(tape, relu(tape, linear(tape, x, w, b)), {0, 2});
  Gradients g1 = tape.backward(loss);
  Gradients g2 = tape.backward(loss);
  for (Var v : {x, w, b}) CHECK(g1.of(v).values() == g2.of(v).values());
  // Another seed on the same tape: the gradient scales linearly with it.
  Gradients g3 = tape.backward(loss, Tensor(Shape{}, Scalar(2)));
  for (std::size_t e = 0; e < g1.of(w).size(); ++e) CHECK(g3.of(w)[e] == Approx(2 * g1.of(w)[e]));
}

TEST_CASE("values the output does not depend on get a zero gradient", "[tape]") {
  Tape tape;
  Var a = tape.input(Tensor({2}, {1, 2}));
  Var unused = tape.input(Tensor({2}, {3, 4}));
  Var s = sum(tape, a);
  Gradients g = tape.backward(s);
  CHECK(g.of(unused).values() == std::vector<Scalar>{0, 0});
  CHECK_FALSE(g.reached(unused));
  CHECK(g.reached(a));
}

namespace {
// A small 2-conv CNN for whole-model checks: 8×8 input, 3 classes.
Model tiny_cnn(std::uint64_t seed) {
  Model m("tiny", {2, 8, 8}, 3);
  Rng rng(seed);
  auto c1 = std::make_unique<Conv2d>("conv1", 2, 3, 3, 1, 1);
  c1->initialize(rng);
  m.add(std::move(c1));
  m.add(std::make_unique<ReLU>("relu1"));
  m.add(std::make_unique<Pool2d>("pool1", Pool2d::Mode::Max, 2, 2));
  auto c2 = std::make_unique<Conv2d>("conv2", 3, 4, 3, 2, 1);
  c2->initialize(rng);
  m.add(std::move(c2));
  m.add(std::make_unique<ReLU>("relu2"));
  m.add(std::make_unique<Flatten>("flatten"));
  auto fc = std::make_unique<Dense>("fc", 16, 3);
  fc->initialize(rng);
  m.add(std::move(fc));
  for (Parameter* p : m.parameters())  // non-zero biases so their gradients are exercised
    if (p->value.rank() == 1) p->value = random_tensor(p->value.shape(), 99, 0.05, 0.2);
  return m;
}
}  // namespace

TEST_CASE("a whole 2-conv CNN passes gradcheck for every parameter tensor", "[tape][model]") {
  Model model = tiny_cnn(3);
  const Tensor images = random_tensor({2, 2, 8, 8}, 4);
  const std::vector<int> labels = {1, 2};
  REQUIRE(model.parameters().size() == 6);
  const GradcheckResult r = gradcheck_parameters(model, images, labels);
  INFO(r.message);
  CHECK(r.passed);
  CHECK(r.coordinates_checked == model.parameter_count());
}

TEST_CASE("the gradient of an intermediate activation equals a finite difference through the rest of the net",
          "[tape][model]") {
  Model model = tiny_cnn(5);
  const Tensor images = random_tensor({1, 2, 8, 8}, 6);
  Tape tape;
  ForwardPass pass = model.forward(tape, images);
  // conv2's output feeds relu2, flatten and fc: no max-pool ties above it.
  const int k = model.layer_index("conv2");
  const Var A = pass.layer_outputs[std::size_t(k)];
  const Var score = select(tape, pass.logits, {2});
  const Tensor dA = tape.backward(score).of(A);
  // Perturb A itself and run only the layers above it.
  Tensor a = tape.value(A);
  double worst = 0;
  for (std::size_t e = 0; e < a.size(); ++e) {
    auto y_of = [&](double t) {
      const Scalar keep = a[e];
      a[e] = Scalar(t);
      Tape rest;
      ForwardPass upper;
      Var logits = model.forward_layers(rest, rest.input(a), k + 1, model.layer_count(), upper);
      a[e] = keep;
      return double(rest.value(logits).at(0, 2));
    };
    const double numeric = central_difference(y_of, a[e], 1e-6);
    worst = std::max(worst, relative_error(dA[e], numeric, 1e-7));
  }
  CHECK(worst <= 1e-6);
}

TEST_CASE("a stopped walk computes nothing below its stop", "[tape]") {
  Model model = tiny_cnn(7);
  Tape tape;
  ForwardPass pass = model.forward(tape, random_tensor({1, 2, 8, 8}, 8));
  const Var A = model.output_of(pass, "relu1");
  const Var score = select(tape, pass.logits, {0});
  // Wrap every rule to log which records it visited.
  std::set<int> visited;
  BackwardOptions options;
  options.stop_at = A;
  for (OpKind kind : {OpKind::Conv2d, OpKind::Relu, OpKind::MaxPool2d, OpKind::Reshape, OpKind::Linear, OpKind::Select,
                      OpKind::Parameter, OpKind::Input})
    options.rules[kind] = [&visited](const Tape& t, const Record& r, const Tensor& up, Gradients& g) {
      visited.insert(int(&r - &t.at(0)));
      standard_backward(t, r, up, g);
    };
  Gradients g = tape.backward(score, Tensor({1}, Scalar(1)), options);
  REQUIRE_FALSE(visited.empty());
  CHECK(*visited.begin() > A.id);
  CHECK(g.rules_run() == int(visited.size()));
  // The stopped gradient equals the full one; values below A were never computed.
  const Gradients full = tape.backward(score);
  CHECK(g.of(A).values() == full.of(A).values());
  CHECK_THROWS_WITH(g.of(pass.input), Catch::Contains("not computed") && Catch::Contains("stopped"));
  CHECK_THROWS_AS(g.of(model.output_of(pass, "conv1")), std::logic_error);
}

TEST_CASE("a replacement rule applies to one backward pass only", "[tape]") {
  Tape tape;
  Var x = tape.input(Tensor({3}, {-1, 2, 3}));
  Var y = relu(tape, x);
  BackwardOptions options;
  options.rules[OpKind::Relu] = [](const Tape&, const Record& r, const Tensor& up, Gradients& g) {
    Tensor& dx = g.accumulator(r.inputs[0]);
    for (std::size_t e = 0; e < up.size(); ++e) dx[e] += up[e] > 0 ? up[e] : Scalar(0);  // keep positive gradients
  };
  const Tensor seed({3}, {5, -1, 2});
  CHECK(tape.backward(y, seed, options).of(x).values() == std::vector<Scalar>{5, 0, 2});
  CHECK(tape.backward(y, seed).of(x).values() == std::vector<Scalar>{0, -1, 2});
}

TEST_CASE("the tape exports Graphviz DOT with every value and edge", "[tape]") {
  Tape tape;
  Var a = tape.input(Tensor({2}), "a");
  Var b = tape.parameter(Tensor({2}), "b");
  Var c = add(tape, a, b);
  tape.set_name(c, "sum_ab");
  const std::string dot = tape.to_dot();
  CHECK_THAT(dot, Catch::StartsWith("digraph tape {"));
  CHECK_THAT(dot, Catch::Contains("v0 -> v2") && Catch::Contains("v1 -> v2") && Catch::Contains("'sum_ab'") &&
                      Catch::Contains("add") && Catch::Contains("parameter"));
}

TEST_CASE("backward rejects a seed of the wrong shape and a stop above the output", "[tape][errors]") {
  Tape tape;
  Var a = tape.input(Tensor({2}, {1, 2}));
  Var s = sum(tape, a);
  CHECK_THROWS_WITH(tape.backward(s, Tensor({2})), Catch::Contains("seed") && Catch::Contains("[2]"));
  BackwardOptions bad;
  bad.stop_at = Var{5};
  CHECK_THROWS_AS(tape.backward(s, bad), std::logic_error);
}

TEST_CASE("BackwardOptions::wrt computes only what the wanted values need", "[tape]") {
  Tape tape(Kernels::Fast);
  Var x = tape.input(random_tensor({2, 5}, 11), "x");
  Var w = tape.parameter(random_tensor({3, 5}, 12), "w");
  Var b = tape.parameter(random_tensor({3}, 13), "b");
  Var loss = sum(tape, relu(tape, linear(tape, x, w, b)));
  const Gradients all = tape.backward(loss);
  BackwardOptions only_w;
  only_w.wrt = {w};
  const Gradients some = tape.backward(loss, only_w);
  CHECK(some.of(w).values() == all.of(w).values());
  CHECK_THROWS_WITH(some.of(x), Catch::Contains("not in BackwardOptions::wrt"));
  CHECK(some.rules_run() < all.rules_run());
}

TEST_CASE("keep_intermediate = false keeps only the wrt gradients, with the same values", "[tape]") {
  Tape tape;
  Var x = tape.input(random_tensor({2, 5}, 21), "x");
  Var w = tape.parameter(random_tensor({3, 5}, 22), "w");
  Var b = tape.parameter(random_tensor({3}, 23), "b");
  Var h = relu(tape, linear(tape, x, w, b));
  Var loss = sum(tape, h);
  BackwardOptions lean;
  lean.wrt = {w, b};
  lean.keep_intermediate = false;
  const Gradients some = tape.backward(loss, lean);
  const Gradients all = tape.backward(loss);
  CHECK(some.of(w).values() == all.of(w).values());
  CHECK(some.of(b).values() == all.of(b).values());
  CHECK_THROWS_WITH(some.of(h), Catch::Contains("not kept"));
}

TEST_CASE("a tape kept for weight gradients keeps conv2d's padded input, and changes no bit", "[tape]") {
  const Tensor x = random_tensor({3, 4, 9, 9}, 21), w = random_tensor({8, 4, 3, 3}, 22), b = random_tensor({8}, 23);
  auto weight_gradient = [&](bool keep, Shape* saved) {
    Tape tape(Kernels::Fast);
    tape.keep_for_weight_gradients(keep);
    const Var wv = tape.parameter(w, "w");
    const Var y = conv2d(tape, tape.input(x), wv, tape.parameter(b, "b"), 2, 1);
    *saved = tape.at(y).saved.shape();
    return Tensor(tape.backward(sum(tape, relu(tape, y))).of(wv));
  };
  Shape kept_shape, plain_shape;
  const Tensor kept = weight_gradient(true, &kept_shape), plain = weight_gradient(false, &plain_shape);
  CHECK(kept_shape == fast::padded_input_shape(x, w, 2, 1));  // training: kept for (C3)
  CHECK(plain_shape == Shape{});                              // predictions and explanations: nothing kept
  CHECK(kept.values() == plain.values());
}

TEST_CASE("reuse_upstream hands a rule the upstream buffer only when nothing else needs either gradient",
          "[tape][float]") {
  Tape tape(Kernels::Fast);
  const Var x = tape.input(random_tensor({2, 3}, 31), "x");
  const Var y = relu(tape, x);
  const Var z = relu(tape, y);
  const Var loss = sum(tape, add(tape, z, x));  // x is also used by add, whose rule runs first
  auto attempts = [&](bool keep_intermediate) {
    BackwardOptions options;
    options.wrt = {x};
    options.keep_intermediate = keep_intermediate;
    std::vector<bool> handed;  // per ReLU rule, in walk order (z's, then y's)
    options.rules[OpKind::Relu] = [&](const Tape& t, const Record& r, const Tensor& upstream, Gradients& g) {
      const Tensor expected = upstream;
      Tensor* taken = g.reuse_upstream(r);
      handed.push_back(taken != nullptr);
      if (!taken) return standard_backward(t, r, upstream, g);
      CHECK(taken->values() == expected.values());  // dy's values, now as the input's gradient
      fast::relu_backward_in_place(t.at(r.inputs[0]).value, *taken);
    };
    const Tensor dx = tape.backward(loss, options).of(x);
    return std::make_pair(handed, dx);
  };
  const auto kept = attempts(true), freed = attempts(false);
  // Every gradient kept: nothing is handed over.
  CHECK(kept.first == std::vector<bool>{false, false});
  // z's rule gets dz (freed after it, and y has no gradient yet); y's rule does
  // not: x already has a gradient from add.
  CHECK(freed.first == std::vector<bool>{true, false});
  CHECK(freed.second.values() == kept.second.values());
  // a + a on the in-place path: a takes dy over, then gets dy once more.
  const Var r = relu(tape, tape.input(random_tensor({2, 3}, 32), "a"));
  const Var twice = sum(tape, add(tape, r, r));
  BackwardOptions in_place;
  in_place.wrt = {r};
  in_place.keep_intermediate = false;
  CHECK(tape.backward(twice, in_place).of(r).values() == std::vector<Scalar>(6, 2));
}

TEST_CASE("training's in-place ReLU, batch-norm and add rules give the bits of the accumulating ones",
          "[tape][resnet][float]") {
  // keep_intermediate = false (as forward_backward) lets the rules overwrite
  // dy in place; true keeps every gradient, so they accumulate into zeros.
  Model model = make_model("resnet-mini", {1, 12, 12}, 3, 5);
  model.set_training(true);  // batch statistics, (B4)
  const Tensor images = random_tensor({4, 1, 12, 12}, 6);
  auto gradients = [&](bool keep_intermediate) {
    Tape tape(Kernels::Fast);
    const ForwardPass pass = model.forward(tape, images);
    const Var loss = softmax_cross_entropy(tape, pass.logits, {0, 2, 1, 2});
    BackwardOptions options;
    options.wrt = pass.parameter_vars;
    options.keep_intermediate = keep_intermediate;
    const Gradients g = tape.backward(loss, options);
    std::vector<Scalar> all;
    for (Var p : pass.parameter_vars) all.insert(all.end(), g.of(p).values().begin(), g.of(p).values().end());
    return all;
  };
  const std::vector<Scalar> in_place = gradients(false), accumulated = gradients(true);
  REQUIRE(in_place.size() == accumulated.size());
  CHECK(in_place == accumulated);
}

TEST_CASE("training and prediction passes fuse each conv with the ReLU and max-pool after it: the same bits",
          "[tape][float]") {
  // conv → ReLU → max-pool twice, then conv → ReLU twice
  Model model = make_model("shapes-cnn", {1, 16, 16}, 3, 7);
  const Tensor images = random_tensor({4, 1, 16, 16}, 8);
  auto run = [&](bool fuse, std::vector<int>* kinds) {
    Tape tape(Kernels::Fast);
    tape.keep_for_weight_gradients(true);  // as forward_backward
    Fusions fusions;
    fusions.fuse_relu = fuse;
    const ForwardPass pass = model.forward(tape, images, fusions);
    *kinds = std::vector<int>(4, 0);  // relu, max_pool2d, conv2d_relu, conv2d_relu_max_pool records
    for (int id = 0; id < tape.size(); ++id) {
      const OpKind kind = tape.at(Var{id}).kind;
      (*kinds)[0] += kind == OpKind::Relu;
      (*kinds)[1] += kind == OpKind::MaxPool2d;
      (*kinds)[2] += kind == OpKind::Conv2dRelu;
      (*kinds)[3] += kind == OpKind::Conv2dReluMaxPool;
    }
    if (fuse) CHECK_THROWS_WITH(model.output_of(pass, "conv1"), Catch::Contains("keeps only its logits"));
    const Var loss = softmax_cross_entropy(tape, pass.logits, {0, 2, 1, 2});
    BackwardOptions options;
    options.wrt = pass.parameter_vars;
    options.keep_intermediate = false;
    const Gradients g = tape.backward(loss, options);
    std::vector<Scalar> all = tape.value(pass.logits).values();
    for (Var p : pass.parameter_vars) all.insert(all.end(), g.of(p).values().begin(), g.of(p).values().end());
    return all;
  };
  std::vector<int> kinds;
  const std::vector<Scalar> separate = run(false, &kinds);
  CHECK(kinds == std::vector<int>{4, 2, 0, 0});
  const std::vector<Scalar> together = run(true, &kinds);
  CHECK(kinds == std::vector<int>{0, 0, 2, 2});
  REQUIRE(together.size() == separate.size());
  CHECK(together == separate);
  // predict fuses the same way (without keeping padded inputs): the same logits.
  const Tensor fused_logits = predict(model, images);
  CHECK(std::vector<Scalar>(separate.begin(), separate.begin() + std::ptrdiff_t(fused_logits.size())) ==
        fused_logits.values());
}

// Residual blocks and resnet-mini: the gradient of a value used twice, the
// gradient checker on a whole residual net, batch statistics shared across
// threads, and PyTorch's state_dict names.
#include <algorithm>
#include <numeric>

#include "gcam/core/rng.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/core/workspace.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/nn/model.hpp"
#include "gcam/nn/predict.hpp"
#include "gcam/train/train.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

BasicBlock test_block(int in, int out, int stride, std::uint64_t seed) {
  BasicBlock block("layer2", in, out, stride);
  Rng rng(seed);
  block.initialize(rng);
  for (Parameter* p : block.parameters())  // BN γ and β away from 1 and 0, so that they matter
    if (p->name.find(".bn") != std::string::npos || p->name.find("downsample.1") != std::string::npos)
      p->value = random_tensor(p->value.shape(), seed + p->value.size(), 0.5, 1.5);
  return block;
}

Var run_block(BasicBlock& block, Tape& tape, Var x) {
  ForwardPass pass;
  return block.forward(tape, x, pass);
}

// A record's id by its name on the tape.
Var named_record(const Tape& tape, const std::string& name) {
  for (int id = 0; id < tape.size(); ++id)
    if (tape.at(id).name == name) return Var{id};
  FAIL("no record named " << name);
  return Var{};
}

}  // namespace

TEST_CASE("a residual block's input gradient is the sum of the gradients through the body and the shortcut",
          "[tape][resnet]") {
  for (const bool downsample : {false, true}) {
    BasicBlock block = test_block(4, downsample ? 6 : 4, downsample ? 2 : 1, 3);
    block.set_training(true);
    Tape tape;
    const Var x = tape.input(random_tensor({2, 4, 6, 6}, 5));
    const Var y = run_block(block, tape, x);
    const Tensor u = random_tensor(tape.value(y).shape(), 7);
    const Gradients all = tape.backward(y, u);
    // The adjoint of the sum, then each branch walked back from its own end with it.
    const Tensor d_sum = all.of(named_record(tape, "layer2.0.sum"));
    const Tensor through_body = tape.backward(named_record(tape, "layer2.0.bn2"), d_sum).of(x);
    const Tensor through_shortcut =
        downsample ? tape.backward(named_record(tape, "layer2.0.downsample.1"), d_sum).of(x) : d_sum;
    Tensor both = through_body;
    for (std::size_t e = 0; e < both.size(); ++e) both[e] += through_shortcut[e];
    INFO((downsample ? "1x1 downsample shortcut" : "identity shortcut"));
    CHECK(max_abs(through_body) > 1e-3);
    CHECK(max_abs(through_shortcut) > 1e-3);
    CHECK(max_abs_difference(all.of(x), both) < 1e-12);
    // (RB1)-(RB2) by hand, from the two branches' own backwards, agree with the tape.
    const Var sum = named_record(tape, "layer2.0.sum");
    const BranchBackward body = [&](const Tensor& d) {
      return tape.backward(named_record(tape, "layer2.0.bn2"), d).of(x);
    };
    const BranchBackward shortcut = [&](const Tensor& d) {
      return downsample ? tape.backward(named_record(tape, "layer2.0.downsample.1"), d).of(x) : d;
    };
    CHECK(max_abs_difference(residual_block_input_gradient(tape.value(sum), u, body, shortcut), all.of(x)) < 1e-12);
  }
}

TEST_CASE("a residual block passes gradcheck for its input in both modes", "[tape][resnet]") {
  for (const bool training : {true, false}) {
    BasicBlock block = test_block(3, 5, 2, 9);
    block.set_training(training);
    auto f = [&](Tape& t, const std::vector<Var>& a) { return run_block(block, t, a[0]); };
    require_gradcheck(std::string("basic block, ") + (training ? "training" : "evaluation"), f,
                      {distinct_tensor({2, 3, 6, 6}, 11)}, {"x"});
  }
}

TEST_CASE("gradcheck rejects a residual block whose shortcut gradient is dropped", "[checker][resnet]") {
  BasicBlock block = test_block(3, 3, 1, 13);
  auto f = [&](Tape& t, const std::vector<Var>& a) { return run_block(block, t, a[0]); };
  // The add sends dy to its first input (the body) only, as if the skip were a constant.
  BackwardRule body_only = [](const Tape&, const Record& r, const Tensor& dy, Gradients& g) {
    Tensor& d = g.accumulator(r.inputs[0]);
    for (std::size_t e = 0; e < dy.size(); ++e) d[e] += dy[e];
  };
  const auto r =
      gradcheck_with_rules("basic block", f, {distinct_tensor({2, 3, 5, 5}, 15)}, {"x"}, {{OpKind::Add, body_only}});
  CHECK_FALSE(r.passed);
  CHECK(r.argument == "x");
}

TEST_CASE("a whole resnet-mini passes gradcheck for every parameter tensor, in training and evaluation mode",
          "[tape][model][resnet]") {
  Model model = make_model("resnet-mini", {1, 8, 8}, 3, 17);
  for (Parameter* p : model.parameters())  // BN β ≠ 0, fc bias ≠ 0: their gradients are exercised
    if (p->value.rank() == 1) p->value = random_tensor(p->value.shape(), 19 + p->value.size(), 0.05, 0.3);
  const Tensor images = random_tensor({2, 1, 8, 8}, 23);
  GradcheckOptions options;
  options.max_coordinates = 12;  // per tensor: every tensor is checked, at 12 of its coordinates
  // Many gradients deep in the net are ~1e-6: a step of 1e-5 keeps round-off near 1e-12, and the floor
  // of (G2)'s denominator at 1e-5 judges gradients below it by their absolute error (1e-11 at 1e-6).
  options.step = 1e-5;
  options.tiny = 1e-5;
  std::size_t coordinates = 0;
  for (Parameter* p : model.parameters()) coordinates += std::min<std::size_t>(12, p->value.size());
  for (const bool training : {true, false}) {
    model.set_training(training);
    const GradcheckResult r = gradcheck_parameters(model, images, {0, 2}, options);
    INFO((training ? "training mode: " : "evaluation mode: ") << r.message);
    CHECK(r.passed);
    CHECK(r.coordinates_checked == coordinates);
  }
}

TEST_CASE("resnet-mini has torchvision's names and layout, and its targets by name", "[model][resnet]") {
  Model model = make_model("resnet-mini", {1, 28, 28}, 10, 1);
  std::vector<std::string> names;
  for (Parameter* p : model.state()) names.push_back(p->name);
  REQUIRE(names.size() == 1 + 4 + 3 * 10 + 2 * 5 + 2);  // conv1, bn1, 3 blocks, 2 downsamples, fc
  CHECK(names[0] == "conv1.weight");
  CHECK(names[1] == "bn1.weight");
  CHECK(names[4] == "bn1.running_var");
  CHECK(names[5] == "layer1.0.conv1.weight");
  CHECK(std::find(names.begin(), names.end(), "layer2.0.downsample.0.weight") != names.end());
  CHECK(std::find(names.begin(), names.end(), "layer2.0.downsample.1.bias") != names.end());
  CHECK(std::find(names.begin(), names.end(), "layer1.0.downsample.0.weight") == names.end());  // identity
  CHECK(names[names.size() - 2] == "fc.weight");
  CHECK(names.back() == "fc.bias");
  CHECK(model.parameters().size() == 3 + 3 * 6 + 2 * 3 + 2);  // no conv biases, no running statistics
  CHECK(model.layer_output_shape(model.layer_index("layer3")) == Shape{64, 7, 7});
  CHECK(model.last_conv_block() == "layer3");
  CHECK(model.outputs()[std::size_t(model.feature_map_output("layer2.0.conv1"))].shape == Shape{32, 14, 14});
  CHECK_THROWS_WITH(model.feature_map_output("layer2.0.conv3"),
                    Catch::Contains("layer2.0.downsample.1") && Catch::Contains("layer3"));
  CHECK_THROWS_WITH(model.feature_map_output("fc"), Catch::Contains("not feature maps"));
}

TEST_CASE("a training step on 1 and on 2 threads uses the same batch statistics and gradients",
          "[train][resnet][float]") {
  const Dataset data = make_shapes(32, 29);
  std::vector<std::size_t> first(32);
  std::iota(first.begin(), first.end(), 0);
  const Tensor images = data.images(first);
  const std::vector<int> labels = data.labels_of(first);
  auto step = [&](ThreadPool* pool, double* loss) {
    Model model = make_model("resnet-mini", data.image_shape, data.classes(), 31);
    OptimizerOptions sgd;
    sgd.lr = 1, sgd.momentum = 0;  // θ' = θ − g: the gradient is θ − θ'
    Optimizer optimizer(sgd);
    *loss = train_step(model, optimizer, images, labels, Kernels::Fast, pool);
    CHECK_FALSE(model.training());  // back in evaluation mode after the step
    return model;
  };
  ThreadPool two(2);
  double loss1 = 0, loss2 = 0;
  Model one_thread = step(nullptr, &loss1), two_threads = step(&two, &loss2);
  const double rounding = sizeof(Scalar) == 4 ? 2e-4 : 1e-10;
  CHECK(loss1 == Approx(loss2).epsilon(rounding));
  const auto a = one_thread.state(), b = two_threads.state();
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i]->name);  // parameters after one step (the gradients) and running statistics (the batch's)
    CHECK(max_abs_difference(a[i]->value, b[i]->value) <= rounding * std::max(1.0, max_abs(a[i]->value)));
  }
  // The running statistics moved: (B5) ran once per layer, with the whole batch's statistics.
  CHECK(max_abs_difference(one_thread.state()[4]->value, Tensor({16}, 1)) > 1e-3);  // bn1.running_var
}

TEST_CASE("resnet-mini: the same seed and thread count give bit-identical checkpoints", "[train][resnet][float]") {
  const Dataset data = make_shapes(64, 37);
  ThreadPool pool(2);
  auto run = [&](std::uint64_t seed) {
    Model model = make_model("resnet-mini", data.image_shape, data.classes(), seed);
    TrainOptions options;
    options.epochs = 1;
    options.batch = 32;
    options.seed = seed;
    options.pool = &pool;
    train(model, data, nullptr, options);
    return encode_checkpoint(model, {});
  };
  const auto a = run(1);
  CHECK(a == run(1));
  CHECK(a != run(2));
}

TEST_CASE("a resnet-mini checkpoint holds the running statistics and loads to the same predictions",
          "[checkpoint][resnet][float]") {
  const Dataset data = make_shapes(32, 41);
  Model model = make_model("resnet-mini", data.image_shape, data.classes(), 43);
  TrainOptions options;
  options.epochs = 1;
  options.batch = 16;
  train(model, data, nullptr, options);
  const Checkpoint c = decode_checkpoint(encode_checkpoint(model, {}), "memory");
  REQUIRE(c.tensors.size() == model.state().size());
  Model loaded = make_model("resnet-mini", data.image_shape, data.classes(), 0);
  const auto target = loaded.state();
  for (std::size_t i = 0; i < target.size(); ++i) target[i]->value = c.tensors[i].value;
  CHECK(c.tensors[3].name == "bn1.running_mean");
  CHECK(max_abs(c.tensors[3].value) > 1e-4);  // trained: not the initial zeros
  const Tensor batch = data.images({0, 1, 2, 3});
  // Values are stored as float32: the float build reloads them exactly, the double build to float rounding.
  CHECK(max_abs_difference(predict(model, batch), predict(loaded, batch)) <= (sizeof(Scalar) == 4 ? 0 : 1e-5));
}

TEST_CASE("predict folds every batch norm into its convolution (B7): the same logits, no batch-norm records",
          "[resnet][batch_norm][float]") {
  Model model = make_model("resnet-mini", {1, 12, 12}, 5, 21);
  Rng rng(23);  // running statistics and affine parameters far from the initial 1 and 0
  for (Parameter* p : model.state())
    if (p->name.find("bn") != std::string::npos || p->name.find("downsample.1") != std::string::npos)
      for (std::size_t e = 0; e < p->value.size(); ++e) p->value[e] = Scalar(rng.uniform(0.5, 1.5));
  const Tensor x = random_tensor({3, 1, 12, 12}, 22, 0, 1);
  auto batch_norm_records = [&](bool fold) {
    Tape tape(Kernels::Fast);
    Fusions fusions;
    fusions.fold_batch_norm = fold;
    model.forward(tape, x, fusions);
    int count = 0;
    for (int id = 0; id < tape.size(); ++id) count += tape.at(Var{id}).kind == OpKind::BatchNorm2d;
    return count;
  };
  CHECK(batch_norm_records(false) == 9);  // bn1; bn1, bn2 in layer1; and downsample.1 too in layer2, layer3
  CHECK(batch_norm_records(true) == 0);
  const Tensor reference = predict(model, x, Kernels::Reference), fast = predict(model, x, Kernels::Fast);
  CHECK(max_abs(reference) > 0.1);
  CHECK(max_abs_difference(fast, reference) <= (sizeof(Scalar) == 4 ? 1e-4 : 1e-10) * max_abs(reference));
}

TEST_CASE("predict also fuses the ReLU after a folded batch norm into the convolution (CR1): the same bits",
          "[resnet][batch_norm][float]") {
  Model model = make_model("resnet-mini", {1, 12, 12}, 5, 21);
  Rng rng(24);  // β and running means away from 0, so that the ReLUs cut somewhere else than at 0
  for (Parameter* p : model.state())
    if (p->name.find("bn") != std::string::npos || p->name.find("downsample.1") != std::string::npos)
      for (std::size_t e = 0; e < p->value.size(); ++e) p->value[e] = Scalar(rng.uniform(0.5, 1.5));
  const Tensor x = random_tensor({3, 1, 12, 12}, 22, 0, 1);
  auto logits = [&](bool fuse, int* relu_records) {
    Tape tape(Kernels::Fast);
    Fusions fusions;
    fusions.fold_batch_norm = true;
    fusions.fuse_relu = fuse;
    const Var y = model.forward(tape, x, fusions).logits;
    *relu_records = 0;
    for (int id = 0; id < tape.size(); ++id) *relu_records += tape.at(Var{id}).kind == OpKind::Relu;
    return tape.value(y);
  };
  int separate = 0, fused = 0;
  const Tensor plain = logits(false, &separate), together = logits(true, &fused);
  CHECK(separate == 7);  // the stem's, each block's relu1, each block's last
  CHECK(fused == 3);     // only the blocks' last ReLUs (after a sum) stay
  CHECK(bit_identical(plain, together));
  CHECK(bit_identical(predict(model, x), together));  // what predict does
}

TEST_CASE("predict with reused workspaces: the same logits, and no new buffers after the first call",
          "[resnet][float]") {
  Model model = make_model("resnet-mini", {1, 12, 12}, 5, 21);
  const Tensor x = random_tensor({64, 1, 12, 12}, 22, 0, 1);  // large enough to be cut in two parts
  ThreadPool two(2);
  const Tensor plain = predict(model, x, Kernels::Fast, &two);
  std::vector<Workspace> workspaces;
  const Tensor first = predict(model, x, Kernels::Fast, &two, &workspaces);
  std::size_t allocations = 0;
  for (const Workspace& w : workspaces) allocations += w.allocations();
  const Tensor second = predict(model, x, Kernels::Fast, &two, &workspaces);
  std::size_t after = 0;
  for (const Workspace& w : workspaces) after += w.allocations();
  CHECK(workspaces.size() == 2);  // one per part
  CHECK(allocations > 0);
  CHECK(after == allocations);  // the second call took every buffer from the first
  for (std::size_t e = 0; e < plain.size(); ++e) {
    CHECK(first[e] == plain[e]);  // bit for bit: buffers are overwritten in full
    CHECK(second[e] == plain[e]);
  }
}

TEST_CASE("grad_cam with a reused workspace gives the same maps, call after call", "[resnet][float]") {
  Model model = make_model("resnet-mini", {1, 12, 12}, 5, 23);
  const Tensor x = random_tensor({2, 1, 12, 12}, 24, 0, 1);
  GradCamOptions options;
  options.layer = "layer2.0.conv1";
  const GradCamResult plain = grad_cam(model, x, options);
  std::vector<Workspace> workspaces;
  options.workspaces = &workspaces;
  for (int call = 0; call < 2; ++call) {
    const GradCamResult r = grad_cam(model, x, options);
    CHECK(r.rules_run == plain.rules_run);
    for (std::size_t e = 0; e < plain.upsampled.size(); ++e) CHECK(r.upsampled[e] == plain.upsampled[e]);
    for (std::size_t e = 0; e < plain.gradients.size(); ++e) CHECK(r.gradients[e] == plain.gradients[e]);
  }
  REQUIRE(workspaces.size() == 1);
  CHECK(workspaces[0].allocations() > 0);
  // A batch cut in parts on two threads: one workspace per part, never shared.
  ThreadPool two(2);
  options.pool = &two;
  const Tensor batch = random_tensor({64, 1, 12, 12}, 25, 0, 1);
  options.workspaces = nullptr;
  const GradCamResult alone = grad_cam(model, batch, options);
  options.workspaces = &workspaces;
  for (int call = 0; call < 2; ++call) {
    const GradCamResult r = grad_cam(model, batch, options);
    for (std::size_t e = 0; e < alone.upsampled.size(); ++e) CHECK(r.upsampled[e] == alone.upsampled[e]);
  }
  CHECK(workspaces.size() == 2);
}

TEST_CASE("resnet-mini trains to the same bits with reused (dirty) workspaces", "[resnet][float]") {
  // Buffers that come back from a workspace hold the last step's values, so
  // a fast kernel that relied on a fresh (zeroed) buffer, or left part of an
  // output unwritten (a strided convolution, a residual sum with two
  // contributions, a batch norm), would change the weights here.
  const Tensor images = random_tensor({8, 1, 12, 12}, 31, 0, 1);
  const std::vector<int> labels = {0, 1, 2, 3, 4, 0, 1, 2};
  Model plain = make_model("resnet-mini", {1, 12, 12}, 5, 32);
  Model reused = make_model("resnet-mini", {1, 12, 12}, 5, 32);
  Optimizer a(OptimizerOptions{}), b(OptimizerOptions{});
  std::vector<Workspace> workspaces;
  for (int step = 0; step < 3; ++step) {
    train_step(plain, a, images, labels, Kernels::Fast, nullptr);
    train_step(reused, b, images, labels, Kernels::Fast, nullptr, nullptr, &workspaces);
  }
  REQUIRE(!workspaces.empty());
  CHECK(encode_checkpoint(reused, {}) == encode_checkpoint(plain, {}));
}

// Exercise ex14 checks: residual_block_input_gradient (RB1)-(RB2), the
// backward of a residual block: the gradient of a value used twice.
// docs/exercises/ex14-residual-backward.md
//
// The last check runs a real gcam::BasicBlock. Its branches' backwards would
// come from the tape walk (ex04) through conv2d (ex06) and batch norm (ex13),
// which may still be stubs, so here each branch's backward is measured by
// central differences of its forward: the block is recorded on a tape with the
// fast kernels (conv2d_forward and relu_forward are ex05 and ex02) and the
// branch ends are read from the tape by name. tests/test_resnet.cpp holds the
// same function to the tape's own walk.
#include <functional>
#include <string>
#include <utility>

#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/nn/blocks.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex14-residual-backward.md, eqs. (RB1) (RB2) in include/gcam/nn/blocks.hpp";

Tensor scaled(const Tensor& t, double k) {
  Tensor s(t.shape());
  for (std::size_t e = 0; e < t.size(); ++e) s[e] = static_cast<Scalar>(k * t[e]);
  return s;
}

bool same_values(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  for (std::size_t e = 0; e < a.size(); ++e)
    if (!(std::fabs(double(a[e]) - double(b[e])) <= kValueTolerance * std::max(1.0, std::fabs(double(b[e])))))
      return false;
  return true;
}

// A branch's backward that remembers the gradient it was handed.
struct Branch {
  explicit Branch(std::function<Tensor(const Tensor&)> r) : rule(std::move(r)) {}
  std::function<Tensor(const Tensor&)> rule;
  bool called = false;
  Tensor received;
  BranchBackward backward() {
    return [this](const Tensor& d) {
      called = true;
      received = d;
      return rule(d);
    };
  }
};

void check_received(const std::string& branch, const Branch& b, const Tensor& d_sum) {
  if (!b.called) {
    FAIL_CHECK("ex14: the " << branch << "'s backward was never called. x is used twice, so dx needs the gradient "
                            << "through the body AND through the shortcut, eq. (RB2). Read " << kPage);
    return;
  }
  check_values("ex14: the gradient handed to the " + branch + "'s backward, d_sum = dy ⊙ [sum > 0], eq. (RB1)",
               b.received, d_sum, kPage);
}

// A block as resnet-mini builds it, with batch norm's γ and β away from 1 and 0 so that they matter.
BasicBlock test_block(int in, int out, int stride, std::uint64_t seed) {
  BasicBlock block("layer2", in, out, stride);
  Rng rng(seed);
  block.initialize(rng);
  for (Parameter* p : block.parameters())
    if (p->value.rank() == 1) p->value = gcam_test::random_tensor(p->value.shape(), seed + p->value.size(), 0.5, 1.5);
  return block;
}

// Records the block (training mode, fast kernels) on a new tape and returns the value named `name`.
Tensor block_value(BasicBlock& block, const Tensor& x, const std::string& name) {
  Tape tape(Kernels::Fast);
  ForwardPass pass;
  block.forward(tape, tape.input(x), pass);
  for (int id = 0; id < tape.size(); ++id)
    if (tape.at(id).name == name) return tape.at(id).output();
  FAIL("no record named " << name << " on the block's tape");
  return Tensor();
}

// d ↦ Σ_e d[e]·∂f(x)[e]/∂x, coordinate by coordinate by central differences (G1): the
// backward of the branch x ↦ f(x), measured from its forward.
Tensor measured_backward(const std::function<Tensor(const Tensor&)>& f, const Tensor& x, const Tensor& d) {
  auto along_d = [&](const Tensor& at) {
    const Tensor y = f(at);
    double total = 0;
    for (std::size_t e = 0; e < y.size(); ++e) total += double(d[e]) * double(y[e]);
    return total;
  };
  Tensor work = x, g(x.shape());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const Scalar original = work[k];
    const Scalar plus = static_cast<Scalar>(double(original) + kStep);
    const Scalar minus = static_cast<Scalar>(double(original) - kStep);
    work[k] = plus;
    const double l_plus = along_d(work);
    work[k] = minus;
    const double l_minus = along_d(work);
    work[k] = original;
    g[k] = static_cast<Scalar>((l_plus - l_minus) / (double(plus) - double(minus)));
  }
  return g;
}
}  // namespace

TEST_CASE("ex14 (RB1)-(RB2) by hand: body 2d, identity shortcut", "[exercise][ex14][float]") {
  // sum = [1, −2, 0, 0.5, 3], dy = [1, 2, 3, 4, 5]
  // (RB1) d_sum = dy ⊙ [sum > 0] = [1, 0, 0, 4, 5]          (at sum = 0 exactly: 0, as (R2))
  // (RB2) dx = body(d_sum) + shortcut(d_sum) = 2·d_sum + d_sum = [3, 0, 0, 12, 15]
  const Tensor sum = T({1, 5}, {1, -2, 0, 0.5, 3}), dy = T({1, 5}, {1, 2, 3, 4, 5});
  Branch body{[](const Tensor& d) { return scaled(d, 2); }};
  Branch shortcut{[](const Tensor& d) { return d; }};
  const Tensor dx = residual_block_input_gradient(sum, dy, body.backward(), shortcut.backward());
  check_received("body", body, T({1, 5}, {1, 0, 0, 4, 5}));
  check_received("shortcut", shortcut, T({1, 5}, {1, 0, 0, 4, 5}));
  check_values("ex14 dx with body(d) = 2d and the identity shortcut, eq. (RB2)", dx, T({1, 5}, {3, 0, 0, 12, 15}),
               kPage);
}

TEST_CASE("ex14 (RB1)-(RB2) by hand: a shortcut that downsamples (x smaller than the sum)", "[exercise][ex14][float]") {
  // x has 2 values, the sum 4 (as a stride-2 block): dx has x's shape, not the sum's.
  // sum = [2, −1, 0.5, −3], dy = [1, 1, 2, 2]  →  d_sum = [1, 0, 2, 0]              (RB1)
  // body(d) = [d0 + d1, d2 + d3] = [1, 2];  shortcut(d) = [10·d0, 10·d2] = [10, 20]
  // dx = [1 + 10, 2 + 20] = [11, 22]                                                 (RB2)
  const Tensor sum = T({1, 4}, {2, -1, 0.5, -3}), dy = T({1, 4}, {1, 1, 2, 2});
  Branch body{[](const Tensor& d) { return T({1, 2}, {double(d[0] + d[1]), double(d[2] + d[3])}); }};
  Branch shortcut{[](const Tensor& d) { return T({1, 2}, {10.0 * d[0], 10.0 * d[2]}); }};
  const Tensor dx = residual_block_input_gradient(sum, dy, body.backward(), shortcut.backward());
  check_received("body", body, T({1, 4}, {1, 0, 2, 0}));
  check_received("shortcut", shortcut, T({1, 4}, {1, 0, 2, 0}));
  check_values("ex14 dx with a downsampling shortcut (x is (1, 2), the sum (1, 4)), eq. (RB2)", dx, T({1, 2}, {11, 22}),
               kPage);
}

TEST_CASE("ex14 x is used twice: dx is the SUM of the gradients through the body and the shortcut",
          "[exercise][ex14][float]") {
  // Every sum > 0, so d_sum = dy; body(d) = 2d, shortcut(d) = 10d: dx = 12·dy, the body
  // alone would give 2·dy, the shortcut alone 10·dy.
  const Tensor sum = T({1, 3}, {1, 2, 3}), dy = T({1, 3}, {1, -1, 0.5});
  Branch body{[](const Tensor& d) { return scaled(d, 2); }};
  Branch shortcut{[](const Tensor& d) { return scaled(d, 10); }};
  const Tensor dx = residual_block_input_gradient(sum, dy, body.backward(), shortcut.backward());
  const std::string used_twice =
      "x is used twice, by the body (conv1) and by the shortcut, so its gradient is the SUM of the gradients "
      "through both uses: dx = body(d_sum) + shortcut(d_sum), eq. (RB2).";
  if (same_values(dx, scaled(dy, 2)))
    FAIL_CHECK("ex14 dx = " << values_string(dx) << " is the gradient through the body alone. " << used_twice
                            << " Read " << kPage);
  else if (same_values(dx, scaled(dy, 10)))
    FAIL_CHECK("ex14 dx = " << values_string(dx) << " is the gradient through the shortcut alone. " << used_twice
                            << " Read " << kPage);
  else
    check_values("ex14 dx with body(d) = 2d and shortcut(d) = 10d must be 12·dy: " + used_twice, dx,
                 T({1, 3}, {12, -12, 6}), kPage);
}

TEST_CASE("ex14 on a real BasicBlock: dx agrees with finite differences of the whole block",
          "[exercise][ex14][float]") {
  for (const bool downsample : {false, true}) {
    BasicBlock block = test_block(3, downsample ? 4 : 3, downsample ? 2 : 1, 141);
    block.set_training(true);
    const Tensor x = gcam_test::random_tensor({2, 3, 4, 4}, 142);
    const Tensor sum = block_value(block, x, "layer2.0.sum");
    // u is 0 where the sum lies near the last ReLU's kink: a step across it would not measure the slope.
    Tensor u = gcam_test::random_tensor(sum.shape(), 143);
    for (std::size_t e = 0; e < u.size(); ++e)
      if (std::fabs(double(sum[e])) < 2 * kKinkGap) u[e] = 0;
    auto branch_end = [&](const std::string& name) {
      return [&block, name](const Tensor& at) { return block_value(block, at, name); };
    };
    const BranchBackward body = [&](const Tensor& d) { return measured_backward(branch_end("layer2.0.bn2"), x, d); };
    const BranchBackward shortcut = [&](const Tensor& d) {
      return downsample ? measured_backward(branch_end("layer2.0.downsample.1"), x, d) : d;
    };
    const Tensor dx = residual_block_input_gradient(sum, u, body, shortcut);
    check_gradients(
        std::string("ex14 residual_block_input_gradient on a BasicBlock, training mode, ") +
            (downsample ? "1x1 downsample shortcut" : "identity shortcut") +
            " (branch backwards measured by central differences)",
        [&](const std::vector<Tensor>& a) { return block_value(block, a[0], "layer2"); }, {x}, {"x"}, {dx}, u, kPage);
  }
}

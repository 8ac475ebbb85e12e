// The gradient checker must be able to fail: plant wrong backward rules and
// assert that gradcheck rejects each of them (and names the argument).
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

const Tensor& input_of(const Tape& tape, const Record& r, int i) { return tape.at(r.inputs[std::size_t(i)]).output(); }

auto conv_f = [](Tape& t, const std::vector<Var>& a) { return conv2d(t, a[0], a[1], a[2], 1, 1); };
const std::vector<std::string> conv_names = {"x", "weight", "bias"};
std::vector<Tensor> conv_args() {
  return {random_tensor({2, 2, 5, 5}, 1), random_tensor({3, 2, 3, 3}, 2), random_tensor({3}, 3)};
}

}  // namespace

TEST_CASE("the correct rules pass (control for the planted bugs below)", "[checker]") {
  require_gradcheck("conv2d", conv_f, conv_args(), conv_names);
}

TEST_CASE("gradcheck rejects a conv weight gradient computed with a flipped kernel", "[checker]") {
  BackwardRule flipped = [](const Tape& tape, const Record& r, const Tensor& dy, Gradients& g) {
    standard_backward(tape, r, dy, g);
    Tensor& dw = g.accumulator(r.inputs[1]);
    const Tensor correct = dw;
    const int K = dw.dim(2);
    for (int o = 0; o < dw.dim(0); ++o)
      for (int c = 0; c < dw.dim(1); ++c)
        for (int p = 0; p < K; ++p)
          for (int q = 0; q < K; ++q) dw.at(o, c, p, q) = correct.at(o, c, K - 1 - p, K - 1 - q);
  };
  const auto r = gradcheck_with_rules("conv2d", conv_f, conv_args(), conv_names, {{OpKind::Conv2d, flipped}});
  CHECK_FALSE(r.passed);
  CHECK(r.argument == "weight");
  CHECK_THAT(r.message, Catch::Contains("conv2d") && Catch::Contains("'weight'") && Catch::Contains("numeric"));
}

TEST_CASE("gradcheck rejects a conv rule that forgets the bias gradient", "[checker]") {
  BackwardRule no_bias = [](const Tape& tape, const Record& r, const Tensor& dy, Gradients& g) {
    Tensor unused_db(tape.at(r.inputs[2]).output().shape());
    conv2d_backward(input_of(tape, r, 0), input_of(tape, r, 1), dy, r.attrs.stride, r.attrs.padding,
                    g.accumulator(r.inputs[0]), g.accumulator(r.inputs[1]), unused_db);
  };
  const auto r = gradcheck_with_rules("conv2d", conv_f, conv_args(), conv_names, {{OpKind::Conv2d, no_bias}});
  CHECK_FALSE(r.passed);
  CHECK(r.argument == "bias");
}

TEST_CASE("gradcheck rejects a conv2d_relu rule that forgets the ReLU's mask (CR2)", "[checker]") {
  BackwardRule unmasked = [](const Tape& tape, const Record& r, const Tensor& dy, Gradients& g) {
    conv2d_backward(input_of(tape, r, 0), input_of(tape, r, 1), dy, r.attrs.stride, r.attrs.padding,
                    g.accumulator(r.inputs[0]), g.accumulator(r.inputs[1]), g.accumulator(r.inputs[2]));
  };
  auto f = [](Tape& t, const std::vector<Var>& a) { return conv2d_relu(t, a[0], a[1], a[2], 1, 1); };
  require_gradcheck("conv2d_relu", f, conv_args(), conv_names);  // control: the real rule passes
  const auto r = gradcheck_with_rules("conv2d_relu", f, conv_args(), conv_names, {{OpKind::Conv2dRelu, unmasked}});
  CHECK_FALSE(r.passed);
  CHECK_THAT(r.message, Catch::Contains("conv2d_relu"));
}

TEST_CASE("gradcheck rejects a conv2d_relu_max_pool rule that sends dy to the wrong cell (CRP2)", "[checker]") {
  BackwardRule neighbour = [](const Tape& tape, const Record& r, const Tensor& dy, Gradients& g) {
    const Tensor& x = input_of(tape, r, 0);
    const Tensor& w = input_of(tape, r, 1);
    Tensor unpooled({x.dim(0), w.dim(0), x.dim(2), x.dim(3)});  // stride 1, padding 1, 3×3: the same size
    for (std::size_t e = 0; e < dy.size(); ++e)
      if (r.value[e] > 0) unpooled[std::size_t(r.winners[e] ^ 1)] += dy[e];  // the cell beside the winner
    conv2d_backward(x, w, unpooled, r.attrs.stride, r.attrs.padding, g.accumulator(r.inputs[0]),
                    g.accumulator(r.inputs[1]), g.accumulator(r.inputs[2]));
  };
  auto f = [](Tape& t, const std::vector<Var>& a) { return conv2d_relu_max_pool(t, a[0], a[1], a[2], 1, 1); };
  require_gradcheck("conv2d_relu_max_pool", f, conv_args(), conv_names);  // control: the real rule passes
  const auto r = gradcheck_with_rules("conv2d_relu_max_pool", f, conv_args(), conv_names,
                                      {{OpKind::Conv2dReluMaxPool, neighbour}});
  CHECK_FALSE(r.passed);
}

TEST_CASE("gradcheck rejects a max-pool gradient sent to the wrong cell", "[checker]") {
  BackwardRule neighbour = [](const Tape&, const Record& r, const Tensor& dy, Gradients& g) {
    Tensor& dx = g.accumulator(r.inputs[0]);
    for (std::size_t e = 0; e < dy.size(); ++e) dx[std::size_t(r.winners[e] ^ 1)] += dy[e];  // the cell beside it
  };
  auto f = [](Tape& t, const std::vector<Var>& a) { return max_pool2d(t, a[0], 2, 2); };
  const auto r = gradcheck_with_rules("max_pool2d", f, {distinct_tensor({1, 2, 4, 4}, 4)}, {"x"},
                                      {{OpKind::MaxPool2d, neighbour}});
  CHECK_FALSE(r.passed);
  CHECK_THAT(r.message, Catch::Contains("max_pool2d") && Catch::Contains("'x'"));
}

TEST_CASE("gradcheck rejects cross-entropy without the -1 on the true class", "[checker]") {
  BackwardRule no_onehot = [](const Tape&, const Record& r, const Tensor& dy, Gradients& g) {
    Tensor& dz = g.accumulator(r.inputs[0]);
    const Scalar n = Scalar(r.saved.dim(0));
    for (std::size_t e = 0; e < dz.size(); ++e) dz[e] += dy[0] * r.saved[e] / n;  // p/N, missing −onehot/N
  };
  auto f = [](Tape& t, const std::vector<Var>& a) { return softmax_cross_entropy(t, a[0], {0, 2, 1}); };
  const auto r = gradcheck_with_rules("softmax_cross_entropy", f, {random_tensor({3, 4}, 5)}, {"logits"},
                                      {{OpKind::SoftmaxCrossEntropy, no_onehot}});
  CHECK_FALSE(r.passed);
  CHECK(r.argument == "logits");
  CHECK(r.max_relative_error > 0.1);
}

TEST_CASE("gradcheck rejects a dense rule with a transposed weight gradient", "[checker]") {
  BackwardRule transposed = [](const Tape& tape, const Record& r, const Tensor& dy, Gradients& g) {
    Tensor dw(input_of(tape, r, 1).shape());
    linear_backward(input_of(tape, r, 0), input_of(tape, r, 1), dy, g.accumulator(r.inputs[0]), dw,
                    g.accumulator(r.inputs[2]));
    Tensor& out = g.accumulator(r.inputs[1]);  // a square weight, written transposed
    for (int o = 0; o < dw.dim(0); ++o)
      for (int i = 0; i < dw.dim(1); ++i) out.at(o, i) += dw.at(i, o);
  };
  auto f = [](Tape& t, const std::vector<Var>& a) { return linear(t, a[0], a[1], a[2]); };
  const auto r =
      gradcheck_with_rules("linear", f, {random_tensor({2, 4}, 6), random_tensor({4, 4}, 7), random_tensor({4}, 8)},
                           {"x", "weight", "bias"}, {{OpKind::Linear, transposed}});
  CHECK_FALSE(r.passed);
  CHECK(r.argument == "weight");
}

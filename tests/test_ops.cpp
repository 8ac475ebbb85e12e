// Every op: a forward value computed by hand, then gradcheck on three shapes.
#include "gcam/core/error.hpp"
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

// ---- conv2d -----------------------------------------------------------------
TEST_CASE("conv2d forward matches a hand-computed example", "[ops][conv2d]") {
  // x = 1×1×3×3 [[1,2,3],[4,5,6],[7,8,9]], w = 1×1×2×2 [[1,0],[0,-1]], b = 0.5
  Tensor x({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w({1, 1, 2, 2}, {1, 0, 0, -1});
  Tensor b({1}, Scalar(0.5));
  Tape tape;
  Var y = conv2d(tape, tape.input(x), tape.input(w), tape.input(b));
  // y[i][j] = x[i][j] − x[i+1][j+1] + 0.5 = 1 − 5 + .5 = −3.5 everywhere
  CHECK(tape.value(y).shape() == Shape{1, 1, 2, 2});
  for (Scalar v : tape.value(y).values()) CHECK(v == Approx(-3.5));

  // Stride 2, padding 1: window (i,j) covers rows 2i−1..2i, cols 2j−1..2j, so
  // w[0][0] meets x[2i−1][2j−1] (zero padding when negative), w[1][1] meets x[2i][2j].
  Var z = conv2d(tape, tape.input(x), tape.input(w), tape.input(b), /*stride=*/2, /*padding=*/1);
  const Tensor& zv = tape.value(z);
  CHECK(zv.shape() == Shape{1, 1, 2, 2});
  CHECK(zv.at(0, 0, 0, 0) == Approx(0 - 1 + 0.5));  // pad − x[0][0]
  CHECK(zv.at(0, 0, 0, 1) == Approx(0 - 3 + 0.5));  // pad − x[0][2]
  CHECK(zv.at(0, 0, 1, 0) == Approx(0 - 7 + 0.5));  // pad − x[2][0]
  CHECK(zv.at(0, 0, 1, 1) == Approx(5 - 9 + 0.5));  // x[1][1] − x[2][2]
}

TEST_CASE("conv2d gradients pass gradcheck on three shapes", "[ops][conv2d]") {
  struct Case {
    Shape x, w;
    int stride, padding;
  };
  const Case cases[] = {
      {{1, 1, 4, 4}, {2, 1, 3, 3}, 1, 0}, {{2, 3, 5, 5}, {4, 3, 3, 3}, 2, 1}, {{2, 2, 7, 6}, {3, 2, 2, 3}, 2, 1}};
  for (const Case& c : cases) {
    auto f = [&](Tape& t, const std::vector<Var>& a) { return conv2d(t, a[0], a[1], a[2], c.stride, c.padding); };
    require_gradcheck("conv2d " + shape_string(c.x), f,
                      {random_tensor(c.x, 1), random_tensor(c.w, 2), random_tensor({c.w[0]}, 3)},
                      {"x", "weight", "bias"});
  }
}

namespace {

// x = 3×3 [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,1]], b = −7: pre-activation
// x[i][j] + x[i+1][j+1] − 7 = [[−1, 1], [5, 7]].
struct HandConv {
  Tape tape;
  Var x = tape.input(Tensor({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  Var w = tape.input(Tensor({1, 1, 2, 2}, {1, 0, 0, 1}));
  Var b = tape.input(Tensor({1}, Scalar(-7)));
};

using ConvOp = Var (*)(Tape&, Var, Var, Var, int, int);

// gradcheck of a convolution op at stride 1, padding 1, on three shapes.
void require_conv_gradcheck(const std::string& name, ConvOp op) {
  const Shape shapes[][2] = {{{1, 1, 4, 4}, {2, 1, 3, 3}}, {{2, 3, 5, 5}, {4, 3, 3, 3}}, {{2, 2, 7, 6}, {3, 2, 2, 3}}};
  for (const auto& s : shapes) {
    auto f = [op](Tape& t, const std::vector<Var>& a) { return op(t, a[0], a[1], a[2], 1, 1); };
    require_gradcheck(name + " " + shape_string(s[0]), f,
                      {random_tensor(s[0], 1), random_tensor(s[1], 2), random_tensor({s[1][0]}, 3)},
                      {"x", "weight", "bias"});
  }
}

}  // namespace

TEST_CASE("conv2d_relu (CR1), (CR2) by hand, and its gradients pass gradcheck", "[ops][conv2d][relu]") {
  HandConv h;
  const Var y = conv2d_relu(h.tape, h.x, h.w, h.b);
  CHECK(h.tape.value(y).values() == std::vector<Scalar>{0, 1, 5, 7});
  const Gradients g = h.tape.backward(sum(h.tape, y));
  CHECK(g.of(h.b)[0] == Approx(3));  // three outputs pass the ReLU
  // dw[p][q] sums x[i+p][j+q] over those (i, j) = (0,1), (1,0), (1,1):
  // 2+4+5, 3+5+6, 5+7+8, 6+8+9 (the cut (0,0) would add 1, 2, 4, 5).
  CHECK(g.of(h.w).values() == std::vector<Scalar>{11, 14, 20, 23});
  // x[0][0] reaches only output (0,0), which the ReLU cut; x[1][1] reaches (0,0) and (1,1).
  CHECK(g.of(h.x).at(0, 0, 0, 0) == 0);
  CHECK(g.of(h.x).at(0, 0, 1, 1) == Approx(1));
  require_conv_gradcheck("conv2d_relu", conv2d_relu);
}

TEST_CASE("conv2d_relu_max_pool (CRP1), (CRP2) by hand, and its gradients pass gradcheck", "[ops][conv2d][pool]") {
  HandConv h;  // ReLU, then one 2×2 window, won by 7 at cell (1, 1)
  const Var z = conv2d_relu_max_pool(h.tape, h.x, h.w, h.b);
  CHECK(h.tape.value(z).values() == std::vector<Scalar>{7});
  CHECK(h.tape.at(z).winners == std::vector<int>{3});
  const Gradients g = h.tape.backward(sum(h.tape, z));
  CHECK(g.of(h.b)[0] == Approx(1));                                             // only the winner passes dy on
  CHECK(g.of(h.w).values() == std::vector<Scalar>{5, 6, 8, 9});                 // x[1+p][1+q]
  CHECK(g.of(h.x).values() == std::vector<Scalar>{0, 0, 0, 0, 1, 0, 0, 0, 1});  // x[1][1]·w00, x[2][2]·w11
  require_conv_gradcheck("conv2d_relu_max_pool", conv2d_relu_max_pool);
}

TEST_CASE("conv2d rejects wrong shapes naming the op and both shapes", "[ops][conv2d][errors]") {
  Tape tape;
  Var x = tape.input(Tensor({1, 3, 5, 5}));
  Var w = tape.input(Tensor({4, 2, 3, 3}));
  Var b = tape.input(Tensor({4}));
  CHECK_THROWS_WITH(conv2d(tape, x, w, b),
                    Catch::Contains("conv2d") && Catch::Contains("[1, 3, 5, 5]") && Catch::Contains("[4, 2, 3, 3]"));
  Var w_ok = tape.input(Tensor({4, 3, 3, 3}));
  Var b_bad = tape.input(Tensor({5}));
  CHECK_THROWS_AS(conv2d(tape, x, w_ok, b_bad), ShapeError);
  Var big = tape.input(Tensor({4, 3, 9, 9}));
  CHECK_THROWS_WITH(conv2d(tape, x, big, b), Catch::Contains("larger than padded input"));
}

// ---- pooling ----------------------------------------------------------------
TEST_CASE("max_pool2d forward picks the window maximum, first one on ties", "[ops][pool]") {
  Tensor x({1, 1, 2, 4}, {1, 7, 3, 3, 5, 2, 3, 0});
  Tape tape;
  Var xv = tape.input(x);
  Var y = max_pool2d(tape, xv, 2, 2);
  CHECK(tape.value(y).values() == std::vector<Scalar>{7, 3});
  CHECK(tape.at(y).winners == std::vector<int>{1, 2});  // the tie of 3s: first in row-major order
  // The whole gradient goes to the winners.
  Gradients g = tape.backward(y, Tensor({1, 1, 1, 2}, {10, 20}));
  CHECK(g.of(xv).values() == std::vector<Scalar>{0, 10, 20, 0, 0, 0, 0, 0});
}

TEST_CASE("avg_pool2d and global_avg_pool forward by hand", "[ops][pool]") {
  Tensor x({1, 1, 2, 4}, {1, 7, 3, 3, 5, 2, 3, 0});
  Tape tape;
  Var xv = tape.input(x);
  CHECK(tape.value(avg_pool2d(tape, xv, 2, 2)).values() == std::vector<Scalar>{15.0 / 4, 9.0 / 4});
  CHECK(tape.value(global_avg_pool(tape, xv)).values() == std::vector<Scalar>{24.0 / 8});
  CHECK(tape.value(global_avg_pool(tape, xv)).shape() == Shape{1, 1});
}

TEST_CASE("pooling gradients pass gradcheck on three shapes", "[ops][pool]") {
  struct Case {
    Shape x;
    int kernel, stride;
  };
  const Case cases[] = {{{1, 1, 4, 4}, 2, 2}, {{2, 3, 5, 5}, 2, 2}, {{2, 2, 7, 6}, 3, 2}};
  for (const Case& c : cases) {
    const Tensor x = distinct_tensor(c.x, 4);
    require_gradcheck("max_pool2d " + shape_string(c.x),
                      [&](Tape& t, const std::vector<Var>& a) { return max_pool2d(t, a[0], c.kernel, c.stride); }, {x},
                      {"x"});
    require_gradcheck("avg_pool2d " + shape_string(c.x),
                      [&](Tape& t, const std::vector<Var>& a) { return avg_pool2d(t, a[0], c.kernel, c.stride); }, {x},
                      {"x"});
    require_gradcheck("global_avg_pool " + shape_string(c.x),
                      [&](Tape& t, const std::vector<Var>& a) { return global_avg_pool(t, a[0]); }, {x}, {"x"});
  }
}

TEST_CASE("pooling rejects windows larger than the input", "[ops][pool][errors]") {
  Tape tape;
  Var x = tape.input(Tensor({1, 1, 2, 2}));
  CHECK_THROWS_WITH(max_pool2d(tape, x, 3, 1), Catch::Contains("max_pool2d") && Catch::Contains("[1, 1, 2, 2]"));
  Var flat = tape.input(Tensor({2, 3}));
  CHECK_THROWS_WITH(avg_pool2d(tape, flat, 2, 2), Catch::Contains("avg_pool2d") && Catch::Contains("[2, 3]"));
}

// ---- linear -------------------------------------------------------------------
TEST_CASE("linear forward by hand", "[ops][linear]") {
  Tensor x({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w({2, 3}, {1, 0, -1, 0.5, 0.5, 0.5});
  Tensor b({2}, {10, 20});
  Tape tape;
  Var y = linear(tape, tape.input(x), tape.input(w), tape.input(b));
  // row 0: (1−3)+10 = 8, (0.5·6)+20 = 23; row 1: (4−6)+10 = 8, (0.5·15)+20 = 27.5
  CHECK(tape.value(y).values() == std::vector<Scalar>{8, 23, 8, 27.5});
}

TEST_CASE("linear gradients pass gradcheck on three shapes", "[ops][linear]") {
  const int shapes[][3] = {{1, 3, 2}, {4, 7, 5}, {3, 16, 9}};  // N, In, Out
  for (auto& s : shapes) {
    require_gradcheck("linear", [](Tape& t, const std::vector<Var>& a) { return linear(t, a[0], a[1], a[2]); },
                      {random_tensor({s[0], s[1]}, 5), random_tensor({s[2], s[1]}, 6), random_tensor({s[2]}, 7)},
                      {"x", "weight", "bias"});
  }
}

TEST_CASE("linear rejects a weight that does not fit the input", "[ops][linear][errors]") {
  Tape tape;
  Var x = tape.input(Tensor({2, 3}));
  CHECK_THROWS_WITH(linear(tape, x, tape.input(Tensor({4, 5})), tape.input(Tensor({4}))),
                    Catch::Contains("linear") && Catch::Contains("[2, 3]") && Catch::Contains("[4, 5]"));
}

// ---- relu, reshape, elementwise, reductions ----------------------------------------
TEST_CASE("relu forward and backward by hand", "[ops][relu]") {
  Tape tape;
  Var x = tape.input(Tensor({4}, {-2, -0.5, 0.5, 3}));
  Var y = relu(tape, x);
  CHECK(tape.value(y).values() == std::vector<Scalar>{0, 0, 0.5, 3});
  CHECK(tape.backward(y, Tensor({4}, {1, 2, 3, 4})).of(x).values() == std::vector<Scalar>{0, 0, 3, 4});
}

TEST_CASE("elementwise ops, reshape and reductions by hand", "[ops][elementwise]") {
  Tape tape;
  Var a = tape.input(Tensor({2, 2}, {1, 2, 3, 4}));
  Var b = tape.input(Tensor({2, 2}, {5, 6, 7, 8}));
  CHECK(tape.value(add(tape, a, b)).values() == std::vector<Scalar>{6, 8, 10, 12});
  CHECK(tape.value(mul(tape, a, b)).values() == std::vector<Scalar>{5, 12, 21, 32});
  CHECK(tape.value(scale(tape, a, -2)).values() == std::vector<Scalar>{-2, -4, -6, -8});
  CHECK(tape.value(sum(tape, a))[0] == 10);
  CHECK(tape.value(mean(tape, a))[0] == 2.5);
  CHECK(tape.value(reshape(tape, a, {4})).shape() == Shape{4});
  CHECK(tape.value(flatten(tape, tape.input(Tensor({2, 3, 2, 2})))).shape() == Shape{2, 12});
  CHECK_THROWS_WITH(add(tape, a, tape.input(Tensor({3}))),
                    Catch::Contains("add") && Catch::Contains("[2, 2]") && Catch::Contains("[3]"));
  CHECK_THROWS_WITH(reshape(tape, a, {3}), Catch::Contains("reshape"));
}

TEST_CASE("relu, reshape, elementwise and reductions pass gradcheck on three shapes", "[ops][elementwise]") {
  const Shape shapes[] = {{5}, {2, 3, 4, 4}, {3, 7}};
  for (const Shape& s : shapes) {
    const Tensor a = distinct_tensor(s, 8), b = random_tensor(s, 9);
    const std::string tag = " " + shape_string(s);
    using Args = const std::vector<Var>&;
    require_gradcheck("relu" + tag, [](Tape& t, Args v) { return relu(t, v[0]); }, {a}, {"x"});
    require_gradcheck("add" + tag, [](Tape& t, Args v) { return add(t, v[0], v[1]); }, {a, b}, {"a", "b"});
    require_gradcheck("mul" + tag, [](Tape& t, Args v) { return mul(t, v[0], v[1]); }, {a, b}, {"a", "b"});
    require_gradcheck("scale" + tag, [](Tape& t, Args v) { return scale(t, v[0], 0.75); }, {a}, {"a"});
    require_gradcheck("sum" + tag, [](Tape& t, Args v) { return sum(t, v[0]); }, {a}, {"a"});
    require_gradcheck("mean" + tag, [](Tape& t, Args v) { return mean(t, v[0]); }, {a}, {"a"});
    require_gradcheck("flatten" + tag, [](Tape& t, Args v) { return flatten(t, v[0]); }, {a}, {"a"});
  }
}

// ---- softmax family and select -----------------------------------------------------
TEST_CASE("softmax, log_softmax, cross-entropy and select by hand", "[ops][softmax]") {
  // Row (0, ln 3): softmax = (1/4, 3/4).
  Tape tape;
  Var z = tape.input(Tensor({1, 2}, {0, Scalar(std::log(3.0))}));
  const Tensor& p = tape.value(softmax(tape, z));
  CHECK(p[0] == Approx(0.25));
  CHECK(p[1] == Approx(0.75));
  CHECK(tape.value(log_softmax(tape, z))[0] == Approx(std::log(0.25)));
  CHECK(tape.value(softmax_cross_entropy(tape, z, {1}))[0] == Approx(-std::log(0.75)));
  // Large logits stay finite (log-sum-exp).
  Var big = tape.input(Tensor({1, 2}, {1000, 0}));
  CHECK(tape.value(softmax_cross_entropy(tape, big, {1}))[0] == Approx(1000));
  Var rows = tape.input(Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  CHECK(tape.value(select(tape, rows, {2, 0})).values() == std::vector<Scalar>{3, 4});
  CHECK_THROWS_WITH(select(tape, rows, {3, 0}), Catch::Contains("select") && Catch::Contains("class 3"));
  CHECK_THROWS_WITH(softmax_cross_entropy(tape, rows, {1}), Catch::Contains("1 labels"));
}

TEST_CASE("softmax family and select pass gradcheck on three shapes", "[ops][softmax]") {
  const Shape shapes[] = {{1, 2}, {4, 10}, {3, 7}};
  for (const Shape& s : shapes) {
    const Tensor z = random_tensor(s, 10, -3, 3);
    std::vector<int> labels(static_cast<std::size_t>(s[0]));
    for (std::size_t n = 0; n < labels.size(); ++n) labels[n] = static_cast<int>((3 * n + 1) % std::size_t(s[1]));
    const std::string tag = " " + shape_string(s);
    using Args = const std::vector<Var>&;
    require_gradcheck("softmax" + tag, [](Tape& t, Args v) { return softmax(t, v[0]); }, {z}, {"z"});
    require_gradcheck("log_softmax" + tag, [](Tape& t, Args v) { return log_softmax(t, v[0]); }, {z}, {"z"});
    require_gradcheck("softmax_cross_entropy" + tag,
                      [&](Tape& t, Args v) { return softmax_cross_entropy(t, v[0], labels); }, {z}, {"z"});
    require_gradcheck("select" + tag, [&](Tape& t, Args v) { return select(t, v[0], labels); }, {z}, {"z"});
  }
}

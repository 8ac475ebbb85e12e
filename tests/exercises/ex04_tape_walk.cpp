// Exercise ex04 checks: Tape::backward, the reverse walk with accumulation.
// docs/exercises/ex04-tape-walk.md
//
// Only ops whose rules are not exercises are recorded here (add, mul, scale,
// sum, log_softmax, avg_pool2d, global_avg_pool), so these checks depend on
// nothing but the walk.
#include <stdexcept>
#include <string>

#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/core/error.hpp"
#include "gcam/ops/ops.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex04-tape-walk.md (Tape::backward in include/gcam/autograd/tape.hpp)";

// Runs `call`, which must throw a std::logic_error other than NotImplemented
// and other than ShapeError; returns whether it did.
template <class F>
bool throws_plain_logic_error(F call) {
  try {
    call();
  } catch (const NotImplemented&) {
    throw;  // the stub: report its message
  } catch (const ShapeError&) {
    return false;
  } catch (const std::logic_error&) {
    return true;
  }
  return false;
}
}  // namespace

TEST_CASE("ex04 the seed becomes the output's gradient and flows down a chain", "[exercise][ex04][float]") {
  Tape tape;
  Var x = tape.input(T({3}, {1, -2, 0.5}), "x");
  Var y = scale(tape, x, 3);
  const Gradients g = tape.backward(y, T({3}, {1, 2, 3}));
  check_values("ex04 gradient of the output itself (the seed)", g.of(y), T({3}, {1, 2, 3}), kPage);
  check_values("ex04 gradient of x for y = 3x, seed [1, 2, 3]", g.of(x), T({3}, {3, 6, 9}), kPage);
}

TEST_CASE("ex04 a value used twice gets the SUM of the gradients of its uses", "[exercise][ex04][float]") {
  {
    // b = a + a, c = b + b: dc/db = 2, dc/da = 4.
    Tape tape;
    Var a = tape.input(T({3}, {1, 2, 3}), "a");
    Var b = add(tape, a, a);
    Var c = add(tape, b, b);
    const Gradients g = tape.backward(c, T({3}, {1, 1, 1}));
    check_values("ex04 b = a + a, c = b + b: dc/db", g.of(b), T({3}, {2, 2, 2}), kPage);
    check_values("ex04 b = a + a, c = b + b: dc/da", g.of(a), T({3}, {4, 4, 4}), kPage);
  }
  {
    // b = 2a, c = b + a, d = c ⊙ b = 6a²: the adjoint of b collects c (from d) and b (through c).
    Tape tape;
    Var a = tape.input(T({2}, {1, 2}), "a");
    Var b = scale(tape, a, 2);
    Var c = add(tape, b, a);
    Var d = mul(tape, c, b);
    const Gradients g = tape.backward(d, T({2}, {1, 1}));
    check_values("ex04 d = c*b, c = b + a, b = 2a: dd/dc = b", g.of(c), T({2}, {2, 4}), kPage);
    check_values("ex04 d = c*b, c = b + a, b = 2a: dd/db = c + b", g.of(b), T({2}, {5, 10}), kPage);
    check_values("ex04 d = c*b, c = b + a, b = 2a: dd/da = 12a", g.of(a), T({2}, {12, 24}), kPage);
  }
  {
    // y = Σ (x ⊙ x + 2x): dy/dx = 2x + 2, through backward(y) with the default seed 1.
    Tape tape;
    Var x = tape.input(T({3}, {1, -2, 0.5}), "x");
    Var y = sum(tape, add(tape, mul(tape, x, x), scale(tape, x, 2)));
    check_values("ex04 y = sum(x*x + 2x): dy/dx = 2x + 2", tape.backward(y).of(x), T({3}, {4, -2, 3}), kPage);
  }
}

TEST_CASE("ex04 values the output does not depend on: zero gradient, not reached, no rule run",
          "[exercise][ex04][float]") {
  Tape tape;
  Var x = tape.input(T({2}, {1, 2}), "x");
  Var unused = tape.input(T({2, 2}, {3, 4, 5, 6}), "unused");
  Var y = scale(tape, x, 2);
  Var z = sum(tape, y);
  Var after = scale(tape, x, 5);  // recorded after z: never visited by backward(z)
  const Gradients g = tape.backward(z);
  check_values("ex04 gradient of an input z does not use", g.of(unused), T({2, 2}, {0, 0, 0, 0}), kPage);
  check_values("ex04 gradient of a value recorded after the output", g.of(after), T({2}, {0, 0}), kPage);
  check_values("ex04 gradient of x for z = sum(2x)", g.of(x), T({2}, {2, 2}), kPage);
  INFO("reached(x) = " << g.reached(x) << ", reached(unused) = " << g.reached(unused) << ". Read " << kPage);
  CHECK(g.reached(x));
  CHECK_FALSE(g.reached(unused));
  CHECK_FALSE(g.reached(after));
  INFO("rules_run() = " << g.rules_run() << ": the rules of z, y and x ran (x is a leaf: its rule does nothing,"
                        << " but it was reached); 'unused' was never reached. Read " << kPage);
  CHECK(g.rules_run() == 3);
}

TEST_CASE("ex04 stop_at: nothing at or below the stop is visited", "[exercise][ex04][float]") {
  Tape tape;
  Var x = tape.input(T({2}, {1, 2}), "x");
  Var s1 = scale(tape, x, 2);
  Var late = tape.input(T({1}, {7}), "late");  // above the stop, unused
  Var s2 = scale(tape, s1, 3);
  Var y = sum(tape, s2);
  BackwardOptions options;
  options.stop_at = s1;
  const Gradients g = tape.backward(y, options);
  check_values("ex04 stopped at s1: gradient of s1 (complete: all its uses lie above it)", g.of(s1), T({2}, {3, 3}),
               kPage);
  check_values("ex04 stopped at s1: gradient of s2", g.of(s2), T({2}, {1, 1}), kPage);
  check_values("ex04 stopped at s1: gradient of an unused value above the stop", g.of(late), T({1}, {0}), kPage);
  INFO("rules_run() = " << g.rules_run() << ": only the rules of y and s2 may run. Read " << kPage);
  CHECK(g.rules_run() == 2);
  INFO("asking for x, below the stop, must throw std::logic_error (Gradients::of does it when stop_ is set)");
  CHECK_THROWS_AS(g.of(x), std::logic_error);
  // Without a stop the whole chain runs: y, s2, s1, x.
  const Gradients full = tape.backward(y);
  check_values("ex04 without a stop: gradient of x", full.of(x), T({2}, {6, 6}), kPage);
  CHECK(full.rules_run() == 4);
}

TEST_CASE("ex04 wrt: only the records that depend on a wanted value are visited", "[exercise][ex04][float]") {
  Tape tape;
  Var a = tape.input(T({2}, {1, 2}), "a");
  Var b = tape.input(T({2}, {3, -4}), "b");
  Var c = tape.input(T({2}, {5, 6}), "c");
  Var s = add(tape, mul(tape, a, b), scale(tape, c, 2));
  Var out = sum(tape, s);
  Var after = scale(tape, a, 5);  // depends on a, recorded after the output: never reached
  BackwardOptions options;
  options.wrt = {a};
  const Gradients g = tape.backward(out, options);
  check_values("ex04 wrt = {a}: gradient of a for out = sum(a*b + 2c)", g.of(a), T({2}, {3, -4}), kPage);
  check_values("ex04 wrt = {a}: gradient of s (it reads a product of a)", g.of(s), T({2}, {1, 1}), kPage);
  check_values("ex04 wrt = {a}: gradient of a value that depends on a but was not reached", g.of(after), T({2}, {0, 0}),
               kPage);
  INFO("rules_run() = " << g.rules_run() << ": with wrt = {a} only out, s, a*b and a depend on a; the rules"
                        << " of 2c, c and b must not run. Read " << kPage);
  CHECK(g.rules_run() == 4);
  INFO("asking for c, which is not wanted and reads no wanted value, must throw std::logic_error");
  CHECK_THROWS_AS(g.of(c), std::logic_error);
  // Without wrt every rule runs: out, s, 2c, a*b, c, b, a.
  CHECK(tape.backward(out).rules_run() == 7);
}

TEST_CASE("ex04 options.rules replaces the rule of an op kind for one pass only", "[exercise][ex04][float]") {
  Tape tape;
  Var x = tape.input(T({2}, {1, 2}), "x");
  Var y = sum(tape, scale(tape, x, 3));
  BackwardOptions options;
  options.rules[OpKind::Scale] = [](const Tape&, const Record& r, const Tensor& upstream, Gradients& grads) {
    Tensor& dx = grads.accumulator(r.inputs[0]);
    for (std::size_t e = 0; e < dx.size(); ++e) dx[e] += 100 * upstream[e];
  };
  check_values("ex04 gradient of x with the Scale rule replaced (dx += 100 * upstream)",
               tape.backward(y, options).of(x), T({2}, {100, 100}), kPage);
  check_values("ex04 gradient of x in the next pass, standard rules", tape.backward(y).of(x), T({2}, {3, 3}), kPage);
}

TEST_CASE("ex04 backward is repeatable and linear in the seed", "[exercise][ex04][float]") {
  Tape tape;
  Var x = tape.input(T({2, 3}, {0.5, -1, 2, 1, 0, -0.5}), "x");
  Var z = log_softmax(tape, mul(tape, x, x));
  const Tensor seed = T({2, 3}, {1, -2, 0.5, 0, 1, 3});
  const Tensor g1 = tape.backward(z, seed).of(x);
  const Tensor g2 = tape.backward(z, seed).of(x);
  check_values("ex04 the same backward twice (gradients are not kept on the tape)", g2, g1, kPage, 0);
  Tensor seed3 = seed;
  for (Scalar& v : seed3.values()) v *= 3;
  Tensor expected = g1;
  for (Scalar& v : expected.values()) v *= 3;
  check_values("ex04 three times the seed gives three times the gradient", tape.backward(z, seed3).of(x), expected,
               kPage, kFloat ? 1e-5 : 1e-12);
}

TEST_CASE("ex04 backward refuses a seed of the wrong shape and a stop above the output", "[exercise][ex04][float]") {
  Tape tape;
  Var x = tape.input(T({3}, {1, 2, 3}), "x");
  Var y = scale(tape, x, 2);
  Var z = scale(tape, y, 2);
  INFO("a seed of shape [2] for an output of shape [3] must throw ShapeError. Read " << kPage);
  CHECK_THROWS_AS(tape.backward(y, T({2}, {1, 1})), ShapeError);
  BackwardOptions options;
  options.stop_at = z;
  INFO("stop_at z, which lies after the output y on the tape, must throw std::logic_error");
  CHECK(throws_plain_logic_error([&] { tape.backward(y, T({3}, {1, 1, 1}), options); }));
}

TEST_CASE("ex04 the walk agrees with finite differences through several ops", "[exercise][ex04][float]") {
  {
    // z = log_softmax(x ⊙ w + x/2): x is used twice.
    const Tensor x = gcam_test::random_tensor({3, 4}, 41), w = gcam_test::random_tensor({3, 4}, 42);
    const Tensor u = gcam_test::random_tensor({3, 4}, 43);
    auto build = [](Tape& t, Var a, Var b) { return log_softmax(t, add(t, mul(t, a, b), scale(t, a, Scalar(0.5)))); };
    Tape tape;
    Var xv = tape.input(x), wv = tape.input(w);
    const Gradients g = tape.backward(build(tape, xv, wv), u);
    check_gradients(
        "ex04 log_softmax(x*w + x/2)",
        [&](const std::vector<Tensor>& a) {
          Tape t;
          return t.value(build(t, t.input(a[0]), t.input(a[1])));
        },
        {x, w}, {"x", "w"}, {g.of(xv), g.of(wv)}, u, kPage);
  }
  {
    // p = global_avg_pool(avg_pool2d(x ⊙ x, 2, 1)) on (2, 3, 4, 4).
    const Tensor x = gcam_test::random_tensor({2, 3, 4, 4}, 44);
    const Tensor u = gcam_test::random_tensor({2, 3}, 45);
    auto build = [](Tape& t, Var a) { return global_avg_pool(t, avg_pool2d(t, mul(t, a, a), 2, 1)); };
    Tape tape;
    Var xv = tape.input(x);
    const Gradients g = tape.backward(build(tape, xv), u);
    check_gradients(
        "ex04 global_avg_pool(avg_pool2d(x*x))",
        [&](const std::vector<Tensor>& a) {
          Tape t;
          return t.value(build(t, t.input(a[0])));
        },
        {x}, {"x"}, {g.of(xv)}, u, kPage);
  }
}

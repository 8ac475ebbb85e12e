// Helpers for the course-exercise checks (docs/exercises/README.md).
//
// Every check names the element that differs, the value it should have, the
// value it has, and the page to read. The finite-difference checker is a
// private copy of (G1)/(G2) on purpose: gcam::gradcheck needs exercises ex01
// (central_difference) and ex04 (the tape walk), and each exercise must be
// checkable while the others are still stubs. It calls the kernels directly,
// never through the tape or the fast path.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam_exercise {

using namespace gcam;

constexpr bool kFloat = std::is_same<Scalar, float>::value;

// Hand-computed values: |actual − expected| ≤ kValueTolerance · max(1, |expected|).
constexpr double kValueTolerance = kFloat ? 2e-6 : 1e-12;
// Finite differences: step h, accepted relative error (G2), and its floor.
// Float can only resolve a difference of about 1e-7 of the function value,
// so it needs a larger step and tolerance; a wrong rule is off by far more.
constexpr double kStep = kFloat ? 1e-2 : 1e-6;
constexpr double kGradientTolerance = kFloat ? 1e-2 : 1e-6;
constexpr double kTiny = kFloat ? 1e-2 : 1e-7;
// Distance of test inputs from kinks (ReLU at 0): larger than the step.
constexpr double kKinkGap = kFloat ? 0.05 : 0.01;

// A tensor from a shape and values written as doubles.
inline Tensor T(const Shape& shape, std::initializer_list<double> values) {
  std::vector<Scalar> v;
  for (double x : values) v.push_back(static_cast<Scalar>(x));
  return Tensor(shape, std::move(v));
}

// "(0,1,2,1)" for flat index e of a tensor of `shape`.
inline std::string index_string(const Shape& shape, std::size_t e) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = e % static_cast<std::size_t>(shape[d]);
    e /= static_cast<std::size_t>(shape[d]);
  }
  std::string s = "(";
  for (std::size_t d = 0; d < idx.size(); ++d) s += (d ? "," : "") + std::to_string(idx[d]);
  return s + ")";
}

inline std::string number(double v) {
  std::ostringstream out;
  out.precision(10);
  out << v;
  return out.str();
}

inline std::string values_string(const Tensor& t) {
  std::string s = "[";
  for (std::size_t e = 0; e < t.size(); ++e) s += (e ? ", " : "") + number(double(t[e]));
  return s + "]";
}

// Checks `actual` against `expected` element by element. `what` says which
// function and output ("ex06 conv2d_backward, stride 1: dx, eq. (C2)"), `page`
// where to read ("docs/exercises/ex06-conv2d-backward.md").
inline void check_values(const std::string& what, const Tensor& actual, const Tensor& expected, const std::string& page,
                         double tolerance = kValueTolerance) {
  if (actual.shape() != expected.shape()) {
    FAIL_CHECK(what << ": the shape is " << shape_string(actual.shape()) << " but should be "
                    << shape_string(expected.shape()) << ". Read " << page);
    return;
  }
  std::size_t wrong = 0, first = 0;
  for (std::size_t e = 0; e < expected.size(); ++e) {
    const double a = actual[e], x = expected[e];
    if (!(std::fabs(a - x) <= tolerance * std::max(1.0, std::fabs(x)))) {  // NaN counts as wrong
      if (wrong++ == 0) first = e;
    }
  }
  if (wrong == 0) {
    SUCCEED(what << ": all " << expected.size() << " elements as expected");
    return;
  }
  const double a = actual[first], x = expected[first];
  std::ostringstream msg;
  msg << what << ": element " << first << " " << index_string(expected.shape(), first) << " is " << number(a)
      << " but should be " << number(x) << " (difference " << number(a - x) << ", tolerance "
      << number(tolerance * std::max(1.0, std::fabs(x))) << "); " << wrong << " of " << expected.size()
      << " elements differ.";
  if (expected.size() <= 16)
    msg << "\n  expected " << values_string(expected) << "\n  got      " << values_string(actual);
  msg << "\n  Read " << page;
  FAIL_CHECK(msg.str());
}

// One scalar.
inline void check_value(const std::string& what, double actual, double expected, const std::string& page,
                        double tolerance = kValueTolerance) {
  if (std::fabs(actual - expected) <= tolerance * std::max(1.0, std::fabs(expected))) {
    SUCCEED(what << " = " << number(actual));
    return;
  }
  FAIL_CHECK(what << " is " << number(actual) << " but should be " << number(expected) << " (difference "
                  << number(actual - expected) << "). Read " << page);
}

// The outputs of a function of several tensors (forward pass).
using Forward = std::function<Tensor(const std::vector<Tensor>& args)>;

// Finite-difference check of a backward rule. For L(args) = Σ u ⊙ f(args),
// analytic[i] must be ∂L/∂args[i] — what the rule gives for the upstream
// gradient u. Each coordinate is compared with the central difference (G1)
// by the relative error (G2); the worst coordinate is reported.
inline void check_gradients(const std::string& what, const Forward& f, const std::vector<Tensor>& args,
                            const std::vector<std::string>& names, const std::vector<Tensor>& analytic, const Tensor& u,
                            const std::string& page, double step = kStep) {
  auto loss = [&](const std::vector<Tensor>& a) {
    const Tensor y = f(a);
    double total = 0;
    for (std::size_t e = 0; e < y.size(); ++e) total += double(u[e]) * double(y[e]);
    return total;
  };
  std::vector<Tensor> work = args;
  double worst = -1, worst_a = 0, worst_n = 0;
  std::size_t worst_arg = 0, worst_e = 0, off = 0, total = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (analytic[i].shape() != args[i].shape()) {
      FAIL_CHECK("gradient check of " << what << ": the gradient for '" << names[i] << "' has shape "
                                      << shape_string(analytic[i].shape()) << " but '" << names[i] << "' is "
                                      << shape_string(args[i].shape()) << ". Read " << page);
      return;
    }
    for (std::size_t e = 0; e < args[i].size(); ++e, ++total) {
      const Scalar original = work[i][e];
      // The step actually taken after rounding to Scalar (matters in float).
      const Scalar plus = static_cast<Scalar>(double(original) + step);
      const Scalar minus = static_cast<Scalar>(double(original) - step);
      work[i][e] = plus;
      const double l_plus = loss(work);
      work[i][e] = minus;
      const double l_minus = loss(work);
      work[i][e] = original;
      const double numeric = (l_plus - l_minus) / (double(plus) - double(minus));
      const double a = analytic[i][e];
      double err = std::fabs(a - numeric) / std::max(kTiny, std::fabs(a) + std::fabs(numeric));
      if (std::isnan(err)) err = std::numeric_limits<double>::infinity();
      if (err > kGradientTolerance) ++off;
      if (err > worst) {
        worst = err;
        worst_a = a;
        worst_n = numeric;
        worst_arg = i;
        worst_e = e;
      }
    }
  }
  if (off == 0) {
    SUCCEED("gradient check of " << what << ": " << total << " coordinates, largest relative error "
                                 << number(std::max(worst, 0.0)));
    return;
  }
  FAIL_CHECK("gradient check of " << what << ": the gradient for '" << names[worst_arg] << "' at element " << worst_e
                                  << " " << index_string(args[worst_arg].shape(), worst_e) << " is " << number(worst_a)
                                  << " but finite differences give " << number(worst_n) << " (relative error "
                                  << number(worst) << ", tolerance " << number(kGradientTolerance) << "); " << off
                                  << " of " << total << " coordinates are off. A correct rule stays below about "
                                  << (kFloat ? "1e-3" : "1e-7") << " in this build.\n  Read " << page);
}

}  // namespace gcam_exercise

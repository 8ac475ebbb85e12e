// Shared helpers for the tests: seeded random tensors and a gradcheck wrapper.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include <catch2/catch.hpp>

#include "gcam/core/rng.hpp"
#include "gcam/gradcheck/gradcheck.hpp"
#include "gcam/ops/ops.hpp"

namespace gcam_test {

using namespace gcam;

// The largest |value| of a tensor: a comparison of two maps means something
// only when they are not both zero.
inline double max_abs(const Tensor& t) {
  double m = 0;
  for (Scalar v : t.values()) m = std::max(m, std::fabs(double(v)));
  return m;
}

// Same shape and the same bits in every element (NaNs included): what the
// fast kernels promise for any thread count, and max-pool and ReLU promise
// against their references.
inline bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(Scalar)) == 0;
}

// Uniform values in [lo, hi) from a fixed seed.
inline Tensor random_tensor(const Shape& shape, std::uint64_t seed, double lo = -1, double hi = 1) {
  Rng rng(seed);
  Tensor t(shape);
  for (std::size_t e = 0; e < t.size(); ++e) t[e] = static_cast<Scalar>(rng.uniform(lo, hi));
  return t;
}

// Values that are all different by at least 1/size·spread (no max-pool ties)
// and at least `gap` away from 0 (no ReLU kinks), in random order.
inline Tensor distinct_tensor(const Shape& shape, std::uint64_t seed, double gap = 0.01) {
  Tensor t(shape);
  std::vector<std::size_t> order(t.size());
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  const double n = double(t.size());
  for (std::size_t e = 0; e < t.size(); ++e) {
    const double v = -1 + 2 * (double(order[e]) + 0.5) / n;  // in (-1, 1)
    t[e] = static_cast<Scalar>(v + (v < 0 ? -gap : gap));
  }
  return t;
}

// Runs gradcheck and fails the test with its message if it does not pass.
inline GradcheckResult require_gradcheck(const std::string& what, const TapeFunction& f,
                                         const std::vector<Tensor>& args, const std::vector<std::string>& names,
                                         double tolerance = 1e-6) {
  GradcheckOptions options;
  options.tolerance = tolerance;
  GradcheckResult r = gradcheck(what, f, args, names, options);
  INFO(r.message);
  CHECK(r.passed);
  return r;
}

// Same options but with replacement backward rules; returns the result so the
// test can assert that the checker REJECTS them.
inline GradcheckResult gradcheck_with_rules(const std::string& what, const TapeFunction& f,
                                            const std::vector<Tensor>& args, const std::vector<std::string>& names,
                                            std::map<OpKind, BackwardRule> rules) {
  GradcheckOptions options;
  options.backward.rules = std::move(rules);
  return gradcheck(what, f, args, names, options);
}

}  // namespace gcam_test

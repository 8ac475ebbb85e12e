// gradcheck.hpp — check a backward rule against central finite differences.
//
// The idea (CS231n-style): pick a random "upstream" tensor u of the output's
// shape and look at the scalar L(x) = Σ u ⊙ f(x). Its gradient is exactly
// what the tape returns when seeded with u, and each coordinate of it can be
// estimated numerically as (L(x + h·e_i) − L(x − h·e_i)) / 2h. A random u
// checks every output element's contribution at once.
//
// Use the double build: with h = 1e-6 the two agree to ~1e-8 relative error.
// Keep inputs away from kinks (ReLU at 0, max-pool ties): there the function
// is not differentiable and the two sides of the difference disagree.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gcam/autograd/tape.hpp"

namespace gcam {

// (G1) f'(x) ≈ (f(x + h) − f(x − h)) / (2h)   — error O(h²), not O(h).
double central_difference(const std::function<double(double)>& f, double x, double h);

// (G2) |a − n| / max(tiny, |a| + |n|): scale-free, and 0 when both are 0.
double relative_error(double analytic, double numeric, double tiny);

// Builds a computation on `tape` from leaves holding the arguments.
using TapeFunction = std::function<Var(Tape& tape, const std::vector<Var>& args)>;

struct GradcheckOptions {
  double step = 1e-6;               // h in (G1)
  double tolerance = 1e-6;          // largest accepted relative error
  double tiny = 1e-7;               // floor of the denominator in (G2)
  std::uint64_t seed = 12345;       // for the random upstream gradient u
  std::size_t max_coordinates = 0;  // per argument; 0 = every coordinate
  BackwardOptions backward;         // rules to check instead of the standard ones
};

struct GradcheckResult {
  bool passed = true;
  double max_relative_error = 0;
  std::size_t coordinates_checked = 0;
  // The worst coordinate:
  std::string argument;
  std::size_t index = 0;
  double analytic = 0, numeric = 0;
  // "gradcheck <what>: argument 'w' index 7 (0,1,2,1): analytic ... numeric ..."
  std::string message;
};

// Checks ∂(Σ u⊙f)/∂args[i] for every argument i (named by arg_names[i]).
GradcheckResult gradcheck(const std::string& what, const TapeFunction& f, const std::vector<Tensor>& args,
                          const std::vector<std::string>& arg_names, const GradcheckOptions& options = {});

class Model;
// Checks ∂L/∂θ for every parameter tensor θ of `model`, L = softmax
// cross-entropy of the model on (images, labels); perturbs θ in place.
GradcheckResult gradcheck_parameters(Model& model, const Tensor& images, const std::vector<int>& labels,
                                     const GradcheckOptions& options = {});

}  // namespace gcam

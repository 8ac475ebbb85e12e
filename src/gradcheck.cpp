#include "gcam/gradcheck.hpp"

#include <sstream>

#include "gcam/error.hpp"
#include "gcam/rng.hpp"

namespace gcam {

namespace {

// "(0,1,2,1)" for flat index `e` of a tensor of `shape`.
std::string multi_index(const Shape& shape, std::size_t e) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = e % static_cast<std::size_t>(shape[d]);
    e /= static_cast<std::size_t>(shape[d]);
  }
  std::string s = "(";
  for (std::size_t d = 0; d < idx.size(); ++d) s += (d ? "," : "") + std::to_string(idx[d]);
  return s + ")";
}

// L = Σ u ⊙ f(args), evaluated on a fresh tape (in double).
double projected_output(const TapeFunction& f, const std::vector<Tensor>& args, const Tensor& u) {
  Tape tape;
  std::vector<Var> vars;
  for (const Tensor& a : args) vars.push_back(tape.input(a));
  const Tensor& y = tape.value(f(tape, vars));
  double total = 0;
  for (std::size_t e = 0; e < y.size(); ++e) total += double(u[e]) * double(y[e]);
  return total;
}

}  // namespace

GradcheckResult gradcheck(const std::string& what, const TapeFunction& f, const std::vector<Tensor>& args,
                          const std::vector<std::string>& arg_names, const GradcheckOptions& options) {
  if (arg_names.size() != args.size())
    throw std::invalid_argument("gradcheck " + what + ": " + std::to_string(args.size()) + " arguments but " +
                                std::to_string(arg_names.size()) + " names");
  // Analytic side: one backward pass seeded with a random u.
  Tape tape;
  std::vector<Var> vars;
  for (std::size_t i = 0; i < args.size(); ++i) vars.push_back(tape.input(args[i], arg_names[i]));
  const Var out = f(tape, vars);
  Rng rng(options.seed);
  Tensor u(tape.value(out).shape());
  for (std::size_t e = 0; e < u.size(); ++e) u[e] = static_cast<Scalar>(rng.uniform(-1.0, 1.0));
  const Gradients grads = tape.backward(out, u, options.backward);

  // Numeric side: perturb one coordinate at a time.
  GradcheckResult result;
  std::vector<Tensor> work = args;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const Tensor& analytic = grads.of(vars[i]);
    std::size_t count = args[i].size();
    if (options.max_coordinates && options.max_coordinates < count) count = options.max_coordinates;
    for (std::size_t k = 0; k < count; ++k) {
      // When sampling, spread the checked coordinates over the whole tensor.
      const std::size_t e = count == args[i].size() ? k : k * args[i].size() / count;
      const Scalar original = work[i][e];
      auto loss_at = [&](double t) {
        work[i][e] = static_cast<Scalar>(t);
        return projected_output(f, work, u);
      };
      const double numeric = central_difference(loss_at, double(original), options.step);
      work[i][e] = original;
      const double a = analytic[e];
      const double err = relative_error(a, numeric, options.tiny);
      ++result.coordinates_checked;
      if (err > result.max_relative_error || result.argument.empty()) {
        result.max_relative_error = std::max(result.max_relative_error, err);
        result.argument = arg_names[i];
        result.index = e;
        result.analytic = a;
        result.numeric = numeric;
        std::ostringstream msg;
        msg.precision(10);
        msg << "gradcheck " << what << ": argument '" << arg_names[i] << "' index " << e << " "
            << multi_index(args[i].shape(), e) << ": analytic " << a << " vs numeric " << numeric
            << " (relative error " << err << ", tolerance " << options.tolerance << ")";
        result.message = msg.str();
      }
    }
  }
  result.passed = result.max_relative_error <= options.tolerance;
  return result;
}

}  // namespace gcam

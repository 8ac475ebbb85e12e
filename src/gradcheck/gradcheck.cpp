#include "gcam/gradcheck/gradcheck.hpp"

#include <sstream>

#include "gcam/core/error.hpp"
#include "gcam/core/rng.hpp"
#include "gcam/nn/model.hpp"
#include "gcam/ops/ops.hpp"

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

// Checks every (or every sampled) coordinate of `values` against `analytic`:
// perturbs the coordinate in place by ±h and calls `loss` for L.
void check_coordinates(const std::string& what, const std::string& argument, Tensor& values, const Tensor& analytic,
                       const std::function<double()>& loss, const GradcheckOptions& options, GradcheckResult& result) {
  std::size_t count = values.size();
  if (options.max_coordinates && options.max_coordinates < count) count = options.max_coordinates;
  for (std::size_t k = 0; k < count; ++k) {
    // When sampling, spread the checked coordinates over the whole tensor.
    const std::size_t e = count == values.size() ? k : k * values.size() / count;
    const Scalar original = values[e];
    auto loss_at = [&](double t) {
      values[e] = static_cast<Scalar>(t);
      return loss();
    };
    const double numeric = central_difference(loss_at, double(original), options.step);
    values[e] = original;
    const double a = analytic[e];
    const double err = relative_error(a, numeric, options.tiny);
    ++result.coordinates_checked;
    if (err <= result.max_relative_error && !result.argument.empty()) continue;
    result.max_relative_error = std::max(result.max_relative_error, err);
    result.argument = argument;
    result.index = e;
    result.analytic = a;
    result.numeric = numeric;
    std::ostringstream msg;
    msg.precision(10);
    msg << "gradcheck " << what << ": argument '" << argument << "' index " << e << " "
        << multi_index(values.shape(), e) << ": analytic " << a << " vs numeric " << numeric << " (relative error "
        << err << ", tolerance " << options.tolerance << ")";
    result.message = msg.str();
  }
  result.passed = result.max_relative_error <= options.tolerance;
}

Tensor random_upstream(const Shape& shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor u(shape);
  for (std::size_t e = 0; e < u.size(); ++e) u[e] = static_cast<Scalar>(rng.uniform(-1.0, 1.0));
  return u;
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
  const Tensor u = random_upstream(tape.value(out).shape(), options.seed);
  const Gradients grads = tape.backward(out, u, options.backward);

  // Numeric side: perturb one coordinate at a time.
  GradcheckResult result;
  std::vector<Tensor> work = args;
  for (std::size_t i = 0; i < args.size(); ++i)
    check_coordinates(
        what, arg_names[i], work[i], grads.of(vars[i]), [&] { return projected_output(f, work, u); }, options, result);
  return result;
}

GradcheckResult gradcheck_parameters(Model& model, const Tensor& images, const std::vector<int>& labels,
                                     const GradcheckOptions& options) {
  auto loss = [&] {
    Tape tape;
    return double(tape.value(softmax_cross_entropy(tape, model.forward(tape, images).logits, labels))[0]);
  };
  Tape tape;
  const ForwardPass pass = model.forward(tape, images);
  const Gradients grads = tape.backward(softmax_cross_entropy(tape, pass.logits, labels), options.backward);
  GradcheckResult result;
  std::vector<Parameter*> params = model.parameters();
  for (std::size_t k = 0; k < params.size(); ++k)
    check_coordinates(model.architecture(), params[k]->name, params[k]->value, grads.of(pass.parameter_vars[k]), loss,
                      options, result);
  return result;
}

}  // namespace gcam

// The reverse walk: the heart of reverse-mode automatic differentiation.
//
// Records were appended in execution order, so every consumer of a value sits
// after it on the tape. Walking from the last record to the first therefore
// finishes a value's adjoint (the sum over all its uses) before its own rule
// runs. That is why one reverse loop suffices.
#include <algorithm>
#include <stdexcept>

#include "gcam/autograd/tape.hpp"
#include "gcam/core/error.hpp"

namespace gcam {

// Course exercise ex04: with EXERCISES=ex04, src/exercises/ex04_tape_walk.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX04
Gradients Tape::backward(Var output, const Tensor& seed, const BackwardOptions& options) const {
  const Tensor& out = value(output);
  if (seed.shape() != out.shape())
    throw ShapeError("backward: seed " + shape_string(seed.shape()) + " does not match output " +
                     shape_string(out.shape()));
  const int stop = options.stop_at.valid() ? options.stop_at.id : -1;
  if (stop > output.id)
    throw std::logic_error("backward: stop_at #" + std::to_string(stop) + " comes after the output #" +
                           std::to_string(output.id) + " on the tape");

  Gradients grads;
  grads.tape_ = this;
  grads.stop_ = stop;
  grads.adjoint_.resize(records_.size());
  grads.reached_.assign(records_.size(), false);
  grads.needed_ = depends_on(options.wrt);
  grads.workspace_ = workspace_;
  if (!options.wrt.empty() && !options.keep_intermediate) {
    grads.kept_.assign(records_.size(), false);
    for (Var v : options.wrt) grads.kept_[static_cast<std::size_t>(v.id)] = true;
  }
  grads.accumulator(output.id) = seed;  // ∂output/∂output · seed

  // Records above `stop` only: once the walk is below every consumer of the
  // stop value, that value's adjoint is complete and nothing lower is needed.
  for (int id = output.id; id > stop; --id) {
    if (!grads.reached_[static_cast<std::size_t>(id)]) continue;  // output does not depend on it
    if (!grads.needed(id)) continue;                              // no wanted value below it
    const Record& r = records_[static_cast<std::size_t>(id)];
    const Tensor& upstream = grads.adjoint_[static_cast<std::size_t>(id)];
    auto rule = options.rules.find(r.kind);
    if (rule != options.rules.end())
      rule->second(*this, r, upstream, grads);
    else
      standard_backward(*this, r, upstream, grads);
    ++grads.rules_run_;
    if (!grads.kept(id)) grads.release(id);  // passed on and not wanted: free (or reuse) it now
  }
  // Values the output does not depend on have a zero gradient.
  for (int id = std::max(stop, 0); id < size(); ++id)
    if (!grads.reached_[static_cast<std::size_t>(id)] && grads.needed(id) && grads.kept(id))
      grads.adjoint_[static_cast<std::size_t>(id)] = Tensor(records_[static_cast<std::size_t>(id)].output().shape());
  return grads;
}
#endif  // GCAM_EXERCISE_EX04

}  // namespace gcam

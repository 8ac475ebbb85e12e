// Exercise ex04 — the reverse walk over the tape: the heart of reverse-mode
// automatic differentiation. See docs/exercises/ex04-tape-walk.md and the
// comments of include/gcam/autograd/tape.hpp (Tape::backward, Gradients, BackwardOptions).
//
// Stub: stands in for the reference in src/autograd/tape_walk.cpp (the block marked GCAM_EXERCISE_EX04 there)
// when the exercise is selected (make exercise N=4 does that). Write the body of Tape::backward, then
// run that command.
//
// Records were appended in execution order, so every consumer of a value sits
// after it on the tape. Walking from the last record to the first therefore
// finishes a value's adjoint (the sum over all its uses) before its own rule
// runs. That is why one reverse loop suffices.
#include <algorithm>
#include <stdexcept>

#include "gcam/autograd/tape.hpp"
#include "gcam/core/error.hpp"
#include "not_implemented.hpp"

namespace gcam {

// Given, not part of the exercise: Tape::depends_on (in src/autograd/tape.cpp) serves
// BackwardOptions::wrt.

Gradients Tape::backward(Var output, const Tensor& seed, const BackwardOptions& options) const {
  // TODO(ex04), in this order:
  //  1. Refuse a seed whose shape is not the output's (ShapeError naming both shapes), and a
  //     stop_at that lies after the output on the tape (std::logic_error).
  //  2. Prepare a Gradients (Tape is its friend): tape_ = this, stop_ = the stop id (−1 if none),
  //     one adjoint_ and one reached_ flag (false) per record, needed_ = depends_on(options.wrt).
  //     Then accumulator(output.id) = seed.
  //  3. Walk the ids from output.id down to (not including) the stop. Skip a record that was not
  //     reached (the output does not depend on it) or is not needed (no wanted value below it).
  //     Otherwise run its rule with its adjoint as `upstream`: the one in options.rules for its
  //     kind if there is one, else standard_backward. Count every rule run in rules_run_.
  //     (Optional, for memory: when options.wrt is given and options.keep_intermediate is false,
  //     mark the wrt values in kept_ and free every other adjoint right after its rule has run.)
  //  4. Give every needed value at or above the stop (and id ≥ 0) that was never reached a zero
  //     gradient of its value's shape (records_[id].output()).
  not_implemented("ex04", "Tape::backward", "ex04-tape-walk.md", output, seed, options);
}

}  // namespace gcam

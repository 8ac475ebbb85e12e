// ops/reduce.hpp — sum and mean of all elements. Tape ops and rules: src/ops/reduce.cpp.
//
// sum:  y = Σ_e a[e]          da[e] += dy
// mean: y = (1/n) Σ_e a[e]    da[e] += dy / n
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

Var sum(Tape& tape, Var a);   // → a scalar (shape [])
Var mean(Tape& tape, Var a);  // → a scalar; throws ShapeError for an empty tensor

}  // namespace gcam

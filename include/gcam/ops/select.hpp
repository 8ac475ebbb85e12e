// ops/select.hpp — y^c: from logits (N, K) pick column classes[n] of row n → (N).
// Tape op and rule: src/ops/select.cpp.
//
// y[n] = z[n, c_n]      dz[n,k] += dy[n] · [k = c_n]   (a one-hot per row)
#pragma once

#include <vector>

#include "gcam/autograd/tape.hpp"

namespace gcam {

Var select(Tape& tape, Var logits, const std::vector<int>& classes);

}  // namespace gcam

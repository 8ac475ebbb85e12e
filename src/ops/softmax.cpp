// softmax and log-softmax: equations (S1)–(S4) of include/gcam/ops/softmax.hpp —
// the reference loops, then the tape records and their backward rules.
#include "gcam/ops/softmax.hpp"

#include <algorithm>
#include <cmath>

#include "op_record.hpp"

namespace gcam {

// ---- reference forward (S1), (S3) and backward (S2), (S4) -----------------------------
// log Σ_j exp(z[n,j]) computed as m + log Σ_j exp(z[n,j] − m): no overflow.
static Scalar row_log_sum_exp(const Tensor& z, int n) {
  const int K = z.dim(1);
  Scalar m = z.at(n, 0);
  for (int k = 1; k < K; ++k) m = std::max(m, z.at(n, k));
  Scalar sum = 0;
  for (int k = 0; k < K; ++k) sum += std::exp(z.at(n, k) - m);
  return m + std::log(sum);
}

Tensor log_softmax_forward(const Tensor& z) {
  Tensor out(z.shape());
  for (int n = 0; n < z.dim(0); ++n) {
    const Scalar lse = row_log_sum_exp(z, n);
    for (int k = 0; k < z.dim(1); ++k) out.at(n, k) = z.at(n, k) - lse;  // (S3)
  }
  return out;
}

Tensor softmax_forward(const Tensor& z) {
  Tensor p = log_softmax_forward(z);
  for (std::size_t e = 0; e < p.size(); ++e) p[e] = std::exp(p[e]);  // (S1)
  return p;
}

void softmax_backward(const Tensor& p, const Tensor& dp, Tensor& dz) {
  for (int n = 0; n < p.dim(0); ++n) {
    Scalar dot = 0;
    for (int k = 0; k < p.dim(1); ++k) dot += dp.at(n, k) * p.at(n, k);
    for (int k = 0; k < p.dim(1); ++k) dz.at(n, k) += p.at(n, k) * (dp.at(n, k) - dot);  // (S2)
  }
}

void log_softmax_backward(const Tensor& log_p, const Tensor& dl, Tensor& dz) {
  for (int n = 0; n < log_p.dim(0); ++n) {
    Scalar total = 0;
    for (int k = 0; k < log_p.dim(1); ++k) total += dl.at(n, k);
    for (int k = 0; k < log_p.dim(1); ++k) dz.at(n, k) += dl.at(n, k) - std::exp(log_p.at(n, k)) * total;  // (S4)
  }
}

// ---- tape rules and records --------------------------------------------------------
using namespace op_record;

static void backward_softmax(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  softmax_backward(r.value, dy, grads.accumulator(r.inputs[0]));
}

static void backward_log_softmax(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  log_softmax_backward(r.value, dy, grads.accumulator(r.inputs[0]));
}

Var softmax(Tape& tape, Var z) {
  require_rows("softmax", tape.value(z));
  return tape.record(make(OpKind::Softmax, backward_softmax, {z.id}, softmax_forward(tape.value(z))));
}

Var log_softmax(Tape& tape, Var z) {
  require_rows("log_softmax", tape.value(z));
  return tape.record(make(OpKind::LogSoftmax, backward_log_softmax, {z.id}, log_softmax_forward(tape.value(z))));
}

}  // namespace gcam

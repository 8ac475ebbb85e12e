// softmax cross-entropy: equations (S5) and (S6) of
// include/gcam/ops/softmax_cross_entropy.hpp — the reference loops, then the
// tape record and its backward rule.
//
// Fusing softmax and cross-entropy keeps the backward simple and exact:
// ∂L/∂z = (p − onehot)/N, with no division by a probability that may have
// underflowed to zero.
#include "gcam/ops/softmax_cross_entropy.hpp"

#include <algorithm>
#include <cmath>

#include "gcam/ops/softmax.hpp"
#include "op_record.hpp"

namespace gcam {

// ---- reference forward (S5) and backward (S6): course exercise ex08 -----------------
// Course exercise ex08: with EXERCISES=ex08, src/exercises/ex08_softmax_cross_entropy.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX08
Scalar softmax_cross_entropy_forward(const Tensor& z, const std::vector<int>& labels, Tensor& probabilities) {
  probabilities = log_softmax_forward(z);  // log p for now
  const int N = z.dim(0);
  Scalar loss = 0;
  for (int n = 0; n < N; ++n) loss -= probabilities.at(n, labels[static_cast<std::size_t>(n)]);
  for (std::size_t e = 0; e < probabilities.size(); ++e) probabilities[e] = std::exp(probabilities[e]);
  return loss / Scalar(N);  // (S5)
}

void softmax_cross_entropy_backward(const Tensor& probabilities, const std::vector<int>& labels, Scalar dL,
                                    Tensor& dz) {
  const int N = probabilities.dim(0), K = probabilities.dim(1);
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      const Scalar onehot = (k == labels[static_cast<std::size_t>(n)]) ? Scalar(1) : Scalar(0);
      dz.at(n, k) += dL * (probabilities.at(n, k) - onehot) / Scalar(N);  // (S6)
    }
}
#endif  // GCAM_EXERCISE_EX08

// ---- tape rule and record --------------------------------------------------------
using namespace op_record;

static void backward_softmax_cross_entropy(const Tape&, const Record& r, const Tensor& dy, Gradients& grads) {
  softmax_cross_entropy_backward(r.saved, r.attrs.labels, dy[0], grads.accumulator(r.inputs[0]));
}

Var softmax_cross_entropy(Tape& tape, Var logits, const std::vector<int>& labels) {
  const Tensor& z = tape.value(logits);
  require_rows("softmax_cross_entropy", z);
  require_labels("softmax_cross_entropy", z, labels);
  Record r = make(OpKind::SoftmaxCrossEntropy, backward_softmax_cross_entropy, {logits.id}, Tensor());
  r.attrs.labels = labels;
  Tensor probabilities;
  const Scalar loss = softmax_cross_entropy_forward(z, labels, probabilities);
  // Kept in the tape's buffers, so that a training loop's workspace gets back only what it gave.
  r.value = tape.buffer(Shape{});
  r.value[0] = loss;
  r.saved = tape.buffer(probabilities.shape());
  std::copy(probabilities.values().begin(), probabilities.values().end(), r.saved.values().begin());
  return tape.record(std::move(r));
}

}  // namespace gcam

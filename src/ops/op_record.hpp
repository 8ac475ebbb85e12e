// op_record.hpp — what every op file in src/ops/ shares: shape checks with
// messages that name the op, building its Record, and choosing its kernels.
// Private to src/ops/.
#pragma once

#include <string>
#include <vector>

#include "gcam/autograd/tape.hpp"
#include "gcam/fast/targets.hpp"

namespace gcam {
namespace op_record {

// Throws ShapeError "<op>: <what>".
[[noreturn]] void shape_error(const char* op, const std::string& what);
// Throws unless `t` has `rank` dimensions; `arg` names the argument.
void require_rank(const char* op, const char* arg, const Tensor& t, int rank);
// Pooling: x (N, C, H, W), kernel and stride ≥ 1, the window no larger than the map.
void check_pool(const char* op, const Tensor& x, int kernel, int stride);
// Softmax family: logits (N, K) with K ≥ 1.
void require_rows(const char* op, const Tensor& z);
// One label per row of z, each in [0, K).
void require_labels(const char* op, const Tensor& z, const std::vector<int>& labels);
// A record of `kind` whose backward rule is `rule`.
Record make(OpKind kind, RuleFunction rule, std::vector<int> inputs, Tensor value);
// The value of input i of record r.
const Tensor& input_value(const Tape& tape, const Record& r, int i);
// Whether the tape runs the fast kernels (src/fast/: GEMM-based, threaded).
bool use_fast(const Tape& tape);
// The gradients a conv or dense rule must produce: only those of needed inputs.
fast::Targets targets(const Record& r, const Gradients& grads);
// The adjoint of input i if it is needed, else `unused` (an empty stand-in, never written).
Tensor& adjoint_if_needed(const Record& r, int i, Gradients& grads, Tensor& unused);

}  // namespace op_record
}  // namespace gcam

// batch_norm2d: equations (B1)–(B6) of include/gcam/ops/batch_norm2d.hpp — the
// reference loops, then the tape records and their backward rule. The loops
// are already one pass over memory per sum, so the fast build runs them too.
#include "gcam/ops/batch_norm2d.hpp"

#include <cmath>

#include "gcam/core/part_sums.hpp"
#include "gcam/fast/batch_norm.hpp"
#include "op_record.hpp"

namespace gcam {

namespace {

// Visits every x[n, c, i, j] of channel c as body(c, flat index).
template <typename Body>
void for_each_in_channels(const Tensor& x, Body body) {
  const int N = x.dim(0), C = x.dim(1);
  const std::size_t plane = static_cast<std::size_t>(x.dim(2)) * static_cast<std::size_t>(x.dim(3));
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      const std::size_t first = (static_cast<std::size_t>(n) * static_cast<std::size_t>(C) + std::size_t(c)) * plane;
      for (std::size_t e = first; e < first + plane; ++e) body(c, e);
    }
}

}  // namespace

// ---- reference forward (B1), (B2), (B6) ------------------------------------------
std::vector<double> channel_sums(const Tensor& x) {
  std::vector<double> sum(static_cast<std::size_t>(x.dim(1)), 0.0);
  for_each_in_channels(x, [&](int c, std::size_t e) { sum[std::size_t(c)] += x[e]; });
  return sum;
}

std::vector<double> channel_squared_deviations(const Tensor& x, const std::vector<double>& mean) {
  std::vector<double> sum(mean.size(), 0.0);
  for_each_in_channels(x, [&](int c, std::size_t e) {
    const double d = x[e] - mean[std::size_t(c)];
    sum[std::size_t(c)] += d * d;
  });
  return sum;
}

void batch_norm_forward(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                        const Tensor& gamma, const Tensor& beta, Tensor& y) {
  for_each_in_channels(x, [&](int c, std::size_t e) {
    const double xhat = (x[e] - mean[std::size_t(c)]) * inv_std[std::size_t(c)];  // (B2)
    y[e] = static_cast<Scalar>(gamma[std::size_t(c)] * xhat + beta[std::size_t(c)]);
  });
}

// ---- reference backward (B3), (B4): course exercise ex13 ---------------------------
// Course exercise ex13: with EXERCISES=ex13, src/exercises/ex13_batch_norm_backward.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX13
NormGradientSums norm_gradient_sums(const Tensor& x, const std::vector<double>& mean,
                                    const std::vector<double>& inv_std, const Tensor& dy) {
  const int N = x.dim(0), C = x.dim(1);
  const std::size_t plane = static_cast<std::size_t>(x.dim(2)) * static_cast<std::size_t>(x.dim(3));
  NormGradientSums s{std::vector<double>(mean.size(), 0.0), std::vector<double>(mean.size(), 0.0)};
  for (int n = 0; n < N; ++n)
    for (std::size_t c = 0; c < std::size_t(C); ++c) {
      const std::size_t first = (std::size_t(n) * std::size_t(C) + c) * plane;
      for (std::size_t e = first; e < first + plane; ++e) {
        const double xhat = (x[e] - mean[c]) * inv_std[c];
        s.dy[c] += dy[e];              // (B3) dβ
        s.dy_xhat[c] += dy[e] * xhat;  // (B3) dγ
      }
    }
  return s;
}

void batch_norm_input_gradient(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                               const Tensor& gamma, const Tensor& dy, const NormGradientSums& sums, double count,
                               Tensor& dx) {
  const int N = x.dim(0), C = x.dim(1);
  const std::size_t plane = static_cast<std::size_t>(x.dim(2)) * static_cast<std::size_t>(x.dim(3));
  for (int n = 0; n < N; ++n)
    for (std::size_t c = 0; c < std::size_t(C); ++c) {
      const std::size_t first = (std::size_t(n) * std::size_t(C) + c) * plane;
      for (std::size_t e = first; e < first + plane; ++e) {
        const double xhat = (x[e] - mean[c]) * inv_std[c];
        const double mean_term = sums.dy[c];                  // through μ: every x moved the mean
        const double variance_term = xhat * sums.dy_xhat[c];  // through σ²: every x moved the spread
        dx[e] +=
            static_cast<Scalar>(gamma[c] * inv_std[c] / count * (count * dy[e] - mean_term - variance_term));  // (B4)
      }
    }
}
#endif  // GCAM_EXERCISE_EX13

void update_running_statistics(const BatchStatistics& stats, Tensor& running_mean, Tensor& running_var,
                               double momentum) {
  const double unbiased = stats.count / (stats.count - 1);  // (B5): M/(M − 1)
  for (std::size_t c = 0; c < stats.mean.size(); ++c) {
    running_mean[c] = static_cast<Scalar>((1 - momentum) * running_mean[c] + momentum * stats.mean[c]);
    running_var[c] = static_cast<Scalar>((1 - momentum) * running_var[c] + momentum * stats.variance[c] * unbiased);
  }
}

// ---- tape rule and records ---------------------------------------------------------
using namespace op_record;

namespace {

// The part's sums in, the whole batch's out (unchanged on an unshared tape).
std::vector<double> batch_total(const Tape& tape, std::vector<double> sums) {
  return tape.part_sums() ? tape.part_sums()->total(tape.part(), sums) : sums;
}

bool fast_kernels(const Tape& tape) { return tape.kernels() == Kernels::Fast; }

// (B3)'s sums by the reference loops or the fast kernels, as the tape asks.
NormGradientSums gradient_sums(const Tape& tape, const Tensor& x, const std::vector<double>& mean,
                               const std::vector<double>& inv_std, const Tensor& dy) {
  if (!fast_kernels(tape)) return norm_gradient_sums(x, mean, inv_std, dy);
  NormGradientSums sums;
  fast::norm_gradient_sums(x, mean, inv_std, dy, sums.dy, sums.dy_xhat, tape.pool());
  return sums;
}

std::vector<double> saved_row(const Record& r, int row) {
  const int C = r.saved.dim(1);
  return std::vector<double>(r.saved.data() + row * C, r.saved.data() + (row + 1) * C);
}

void backward_batch_norm2d(const Tape& tape, const Record& r, const Tensor& dy, Gradients& grads) {
  const Tensor& x = input_value(tape, r, 0);
  const Tensor& gamma = input_value(tape, r, 1);
  const std::vector<double> mean = saved_row(r, 0), inv_std = saved_row(r, 1);
  NormGradientSums sums = gradient_sums(tape, x, mean, inv_std, dy);
  if (grads.needed(r.inputs[1])) {
    Tensor& dgamma = grads.accumulator(r.inputs[1]);
    for (std::size_t c = 0; c < mean.size(); ++c) dgamma[c] += static_cast<Scalar>(sums.dy_xhat[c]);
  }
  if (grads.needed(r.inputs[2])) {
    Tensor& dbeta = grads.accumulator(r.inputs[2]);
    for (std::size_t c = 0; c < mean.size(); ++c) dbeta[c] += static_cast<Scalar>(sums.dy[c]);
  }
  if (!grads.needed(r.inputs[0])) return;
  if (!r.attrs.batch_statistics && fast_kernels(tape))
    return fast::batch_norm_constant_input_gradient(gamma, inv_std, dy, grads.accumulator(r.inputs[0]), tape.pool());
  if (!r.attrs.batch_statistics) {  // (B6): the statistics are constants
    Tensor& dx = grads.accumulator(r.inputs[0]);
    for_each_in_channels(x, [&](int c, std::size_t e) {
      dx[e] += static_cast<Scalar>(gamma[std::size_t(c)] * inv_std[std::size_t(c)] * dy[e]);
    });
    return;
  }
  if (tape.part_sums()) {  // (B4) needs the sums of the whole batch
    const std::size_t C = mean.size();
    std::vector<double> both = sums.dy;
    both.insert(both.end(), sums.dy_xhat.begin(), sums.dy_xhat.end());
    both = batch_total(tape, both);
    sums.dy.assign(both.begin(), both.begin() + std::ptrdiff_t(C));
    sums.dy_xhat.assign(both.begin() + std::ptrdiff_t(C), both.end());
  }
  if (fast_kernels(tape)) {  // when dy is freed after this rule (training), its buffer becomes dx
    if (Tensor* g = grads.reuse_upstream(r))
      return fast::batch_norm_input_gradient_in_place(x, mean, inv_std, gamma, sums.dy, sums.dy_xhat, r.attrs.count, *g,
                                                      tape.pool());
    return fast::batch_norm_input_gradient(x, mean, inv_std, gamma, dy, sums.dy, sums.dy_xhat, r.attrs.count,
                                           grads.accumulator(r.inputs[0]), tape.pool());
  }
  batch_norm_input_gradient(x, mean, inv_std, gamma, dy, sums, r.attrs.count, grads.accumulator(r.inputs[0]));
}

void check_batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta) {
  require_rank("batch_norm2d", "input", x, 4);
  const Shape channels{x.dim(1)};
  if (gamma.shape() != channels || beta.shape() != channels)
    shape_error("batch_norm2d", "weight " + shape_string(gamma.shape()) + " and bias " + shape_string(beta.shape()) +
                                    " must both be (C) for input " + shape_string(x.shape()));
}

Var record_batch_norm(Tape& tape, Var x, Var gamma, Var beta, const std::vector<double>& mean,
                      const std::vector<double>& inv_std, const OpAttributes& attrs) {
  const int C = static_cast<int>(mean.size());
  Tensor saved = tape.buffer({2, C});
  for (int c = 0; c < C; ++c) {
    saved.at(0, c) = Scalar(mean[std::size_t(c)]);
    saved.at(1, c) = Scalar(inv_std[std::size_t(c)]);
  }
  Record r =
      make(OpKind::BatchNorm2d, backward_batch_norm2d, {x.id, gamma.id, beta.id}, tape.buffer(tape.value(x).shape()));
  r.saved = std::move(saved);
  r.attrs = attrs;
  // The forward uses the statistics as saved, so that the rule differentiates exactly what was computed.
  if (fast_kernels(tape))
    fast::batch_norm_forward(tape.value(x), saved_row(r, 0), saved_row(r, 1), tape.value(gamma), tape.value(beta),
                             r.value, tape.pool());
  else
    batch_norm_forward(tape.value(x), saved_row(r, 0), saved_row(r, 1), tape.value(gamma), tape.value(beta), r.value);
  return tape.record(std::move(r));
}

}  // namespace

Var batch_norm2d_training(Tape& tape, Var x, Var gamma, Var beta, BatchStatistics* stats, double epsilon) {
  const Tensor& xv = tape.value(x);
  check_batch_norm(xv, tape.value(gamma), tape.value(beta));
  const int C = xv.dim(1);
  std::vector<double> sums = fast_kernels(tape) ? fast::channel_sums(xv, tape.pool()) : channel_sums(xv);
  sums.push_back(double(xv.size()) / C);  // this part's M
  sums = batch_total(tape, sums);
  const double count = sums.back();
  if (count < 2)
    shape_error("batch_norm2d",
                "training needs more than one value per channel, got input " + shape_string(xv.shape()));
  const std::size_t channels = static_cast<std::size_t>(C);
  std::vector<double> mean(channels), variance(channels), inv_std(channels);
  for (std::size_t c = 0; c < channels; ++c) mean[c] = sums[c] / count;  // (B1)
  const std::vector<double> deviations =
      batch_total(tape, fast_kernels(tape) ? fast::channel_squared_deviations(xv, mean, tape.pool())
                                           : channel_squared_deviations(xv, mean));
  for (std::size_t c = 0; c < channels; ++c) {
    variance[c] = deviations[c] / count;  // (B1), biased
    inv_std[c] = 1 / std::sqrt(variance[c] + epsilon);
  }
  if (stats) *stats = {mean, variance, count};
  OpAttributes attrs;
  attrs.batch_statistics = true;
  attrs.epsilon = epsilon;
  attrs.count = count;
  return record_batch_norm(tape, x, gamma, beta, mean, inv_std, attrs);
}

Var batch_norm2d_evaluation(Tape& tape, Var x, Var gamma, Var beta, const Tensor& running_mean,
                            const Tensor& running_var, double epsilon) {
  const Tensor& xv = tape.value(x);
  check_batch_norm(xv, tape.value(gamma), tape.value(beta));
  if (running_mean.shape() != tape.value(gamma).shape() || running_var.shape() != running_mean.shape())
    shape_error("batch_norm2d", "running statistics " + shape_string(running_mean.shape()) + ", " +
                                    shape_string(running_var.shape()) + " do not match input " +
                                    shape_string(xv.shape()));
  std::vector<double> mean(running_mean.size()), inv_std(running_mean.size());
  for (std::size_t c = 0; c < mean.size(); ++c) {
    mean[c] = running_mean[c];
    inv_std[c] = 1 / std::sqrt(double(running_var[c]) + epsilon);  // (B6)
  }
  OpAttributes attrs;
  attrs.epsilon = epsilon;
  attrs.count = double(xv.size()) / xv.dim(1);
  return record_batch_norm(tape, x, gamma, beta, mean, inv_std, attrs);
}

FoldedConv fold_batch_norm(const Tensor& weight, const Tensor& bias, const Tensor& gamma, const Tensor& beta,
                           const Tensor& running_mean, const Tensor& running_var, double epsilon) {
  const int O = weight.rank() == 4 ? weight.dim(0) : -1;
  const Shape channels{O};
  if (O < 0 || bias.shape() != channels || gamma.shape() != channels || beta.shape() != channels ||
      running_mean.shape() != channels || running_var.shape() != channels)
    shape_error("fold_batch_norm", "weight " + shape_string(weight.shape()) + " with bias, γ, β and statistics " +
                                       shape_string(gamma.shape()) + " (expected (O, C, kH, kW) and (O))");
  FoldedConv f{Tensor(weight.shape()), Tensor(bias.shape())};
  const std::size_t per_output = weight.size() / std::size_t(O);
  for (std::size_t o = 0; o < std::size_t(O); ++o) {
    const double s = double(gamma[o]) / std::sqrt(double(running_var[o]) + epsilon);  // (B7)
    for (std::size_t e = o * per_output; e < (o + 1) * per_output; ++e) f.weight[e] = Scalar(s * double(weight[e]));
    f.bias[o] = Scalar(s * (double(bias[o]) - double(running_mean[o])) + double(beta[o]));
  }
  return f;
}

}  // namespace gcam

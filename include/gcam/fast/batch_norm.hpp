// fast/batch_norm.hpp — batch normalization's passes over the data, vectorised
// and split over threads: the same equations (B1)–(B4), (B6) as the reference
// loops of include/gcam/ops/batch_norm2d.hpp, which they must agree with
// (tests/test_fast_batch_norm.cpp).
//
// The reference adds up each channel in one chain of dependent double
// additions; here each channel's planes are summed, image by image, into 32
// double lanes (four vector registers that add independently) and a tail
// for the values left over, then the lanes and the tail in order. Sums stay in
// double, as in the reference. Each channel is reduced by one thread, and
// each plane written by one thread, so results are bit-identical for any
// thread count. The per-element passes run in Scalar with constants per
// channel folded first (y = x·scale_c + shift_c), so they differ from the
// reference, which rounds once from double, in the last bits.
#pragma once

#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

// (B1): per channel Σ x, and Σ (x − μ_c)².
std::vector<double> channel_sums(const Tensor& x, ThreadPool* pool);
std::vector<double> channel_squared_deviations(const Tensor& x, const std::vector<double>& mean, ThreadPool* pool);

// (B2) / (B6): y = x·scale_c + shift_c with scale = γ·inv_std, shift = β − μ·scale.
void batch_norm_forward(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                        const Tensor& gamma, const Tensor& beta, Tensor& y, ThreadPool* pool);

// (B3): per channel Σ dy (into dy_sum) and Σ dy·x̂ (into dy_xhat_sum).
void norm_gradient_sums(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                        const Tensor& dy, std::vector<double>& dy_sum, std::vector<double>& dy_xhat_sum,
                        ThreadPool* pool);

// (B4) with the whole batch's sums, as dx += a_c·dy + b_c·x + d_c:
//   a = γ·inv_std,  b = −γ·inv_std²·Σdy·x̂/M,  d = −γ·inv_std·Σdy/M − b·μ.
void batch_norm_input_gradient(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                               const Tensor& gamma, const Tensor& dy, const std::vector<double>& dy_sum,
                               const std::vector<double>& dy_xhat_sum, double count, Tensor& dx, ThreadPool* pool);

// The same with dx starting at zero, in place on the upstream gradient g
// (Gradients::reuse_upstream): g becomes what the above adds into zeros.
void batch_norm_input_gradient_in_place(const Tensor& x, const std::vector<double>& mean,
                                        const std::vector<double>& inv_std, const Tensor& gamma,
                                        const std::vector<double>& dy_sum, const std::vector<double>& dy_xhat_sum,
                                        double count, Tensor& g, ThreadPool* pool);

// (B6)'s input gradient: dx += γ·inv_std·dy.
void batch_norm_constant_input_gradient(const Tensor& gamma, const std::vector<double>& inv_std, const Tensor& dy,
                                        Tensor& dx, ThreadPool* pool);

}  // namespace fast
}  // namespace gcam

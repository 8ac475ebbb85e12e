// Fast batch normalization (fast/batch_norm.hpp).
#include "gcam/fast/batch_norm.hpp"

#include <cstddef>
#include <functional>

#include "gcam/core/thread_pool.hpp"

namespace gcam {
namespace fast {

namespace {

using std::size_t;

struct Planes {
  int N, C;
  size_t plane;  // H·W
  explicit Planes(const Tensor& x)
      : N(x.dim(0)), C(x.dim(1)), plane(static_cast<size_t>(x.dim(2)) * static_cast<size_t>(x.dim(3))) {}
  size_t first(int n, int c) const { return (size_t(n) * size_t(C) + size_t(c)) * plane; }
};

constexpr size_t kLanes = 8;

// Σ f(e) over one plane in 8 double lanes, then the lanes in order.
template <typename Term>
double plane_sum(size_t first, size_t count, Term term) {
  double lanes[kLanes] = {};
  size_t e = 0;
  for (; e + kLanes <= count; e += kLanes)
    for (size_t l = 0; l < kLanes; ++l) lanes[l] += term(first + e + l);
  double sum = 0;
  for (const double lane : lanes) sum += lane;
  for (; e < count; ++e) sum += term(first + e);
  return sum;
}

// Per channel, Σ over images in order of plane_sum: one channel per thread.
template <typename Term>
std::vector<double> per_channel(const Planes& p, ThreadPool* pool, Term term) {
  std::vector<double> sums(size_t(p.C), 0.0);
  parallel_for(pool_if_worth(pool, double(p.N) * double(p.C) * double(p.plane)), p.C, [&](int begin, int end) {
    for (int c = begin; c < end; ++c)
      for (int n = 0; n < p.N; ++n)
        sums[size_t(c)] += plane_sum(p.first(n, c), p.plane, [&](size_t e) { return term(c, e); });
  });
  return sums;
}

// body(c, first element, plane size) for every (image, channel) plane, split over threads.
void each_plane(const Planes& p, ThreadPool* pool, const std::function<void(int, size_t)>& body) {
  parallel_for(pool_if_worth(pool, double(p.N) * double(p.C) * double(p.plane)), p.N * p.C, [&](int begin, int end) {
    for (int unit = begin; unit < end; ++unit) body(unit % p.C, p.first(unit / p.C, unit % p.C));
  });
}

}  // namespace

std::vector<double> channel_sums(const Tensor& x, ThreadPool* pool) {
  const Scalar* v = x.data();
  return per_channel(Planes(x), pool, [v](int, size_t e) { return double(v[e]); });
}

std::vector<double> channel_squared_deviations(const Tensor& x, const std::vector<double>& mean, ThreadPool* pool) {
  const Scalar* v = x.data();
  return per_channel(Planes(x), pool, [&](int c, size_t e) {
    const double d = double(v[e]) - mean[size_t(c)];
    return d * d;
  });
}

void batch_norm_forward(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                        const Tensor& gamma, const Tensor& beta, Tensor& y, ThreadPool* pool) {
  const Planes p(x);
  each_plane(p, pool, [&](int c, size_t first) {
    const double scale = double(gamma[size_t(c)]) * inv_std[size_t(c)];
    const Scalar s = Scalar(scale), shift = Scalar(double(beta[size_t(c)]) - mean[size_t(c)] * scale);
    const Scalar* in = x.data() + first;
    Scalar* out = y.data() + first;
    for (size_t e = 0; e < p.plane; ++e) out[e] = in[e] * s + shift;
  });
}

void norm_gradient_sums(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                        const Tensor& dy, std::vector<double>& dy_sum, std::vector<double>& dy_xhat_sum,
                        ThreadPool* pool) {
  const Planes p(x);
  const Scalar *v = x.data(), *g = dy.data();
  dy_sum = per_channel(p, pool, [g](int, size_t e) { return double(g[e]); });
  // Σ dy·x̂ = inv_std·(Σ dy·x − μ·Σ dy): one pass over x and dy, no x̂ formed.
  const std::vector<double> dy_x = per_channel(p, pool, [v, g](int, size_t e) { return double(g[e]) * double(v[e]); });
  dy_xhat_sum.assign(size_t(p.C), 0.0);
  for (size_t c = 0; c < size_t(p.C); ++c) dy_xhat_sum[c] = inv_std[c] * (dy_x[c] - mean[c] * dy_sum[c]);
}

void batch_norm_input_gradient(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                               const Tensor& gamma, const Tensor& dy, const std::vector<double>& dy_sum,
                               const std::vector<double>& dy_xhat_sum, double count, Tensor& dx, ThreadPool* pool) {
  const Planes p(x);
  each_plane(p, pool, [&](int c, size_t first) {
    const size_t k = size_t(c);
    const double a = double(gamma[k]) * inv_std[k];
    const double b = -a * inv_std[k] * dy_xhat_sum[k] / count;
    const double d = -a * dy_sum[k] / count - b * mean[k];
    const Scalar sa = Scalar(a), sb = Scalar(b), sd = Scalar(d);
    const Scalar *in = x.data() + first, *g = dy.data() + first;
    Scalar* out = dx.data() + first;
    for (size_t e = 0; e < p.plane; ++e) out[e] += sa * g[e] + sb * in[e] + sd;
  });
}

void batch_norm_constant_input_gradient(const Tensor& gamma, const std::vector<double>& inv_std, const Tensor& dy,
                                        Tensor& dx, ThreadPool* pool) {
  const Planes p(dy);
  each_plane(p, pool, [&](int c, size_t first) {
    const Scalar a = Scalar(double(gamma[size_t(c)]) * inv_std[size_t(c)]);
    const Scalar* g = dy.data() + first;
    Scalar* out = dx.data() + first;
    for (size_t e = 0; e < p.plane; ++e) out[e] += a * g[e];
  });
}

}  // namespace fast
}  // namespace gcam

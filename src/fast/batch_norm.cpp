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

// 32 double lanes: four vector registers of 8 (AVX-512) that add
// independently, so the sum runs at the adders' throughput, not at one
// addition's latency per 8 values (which 8 lanes, one register, did: the
// sums took 3× as long as the normalizing pass).
constexpr size_t kLanes = 32, kVectorLanes = 8;

// Whole blocks of kWidth elements of a plane, from its element e on, into
// lanes 0 … kWidth−1; returns the first element left over.
template <size_t kWidth, size_t kTerms, typename Terms>
size_t add_blocks(size_t first, size_t e, size_t count, Terms& terms, double lanes[kTerms][kLanes]) {
  for (; e + kWidth <= count; e += kWidth)
    for (size_t l = 0; l < kWidth; ++l) {
      double t[kTerms];
      terms(first + e + l, t);
      for (size_t k = 0; k < kTerms; ++k) lanes[k][l] += t[k];
    }
  return e;
}

// Adds one plane's kTerms terms into `lanes` (lane l takes elements l,
// l + kLanes, ...; what is left in blocks of kVectorLanes into the first
// lanes) and its last few values into `tail`. terms(e, t) writes the kTerms
// terms of element e into t.
template <size_t kTerms, typename Terms>
void add_plane(size_t first, size_t count, Terms terms, double lanes[kTerms][kLanes], double tail[kTerms]) {
  size_t e = add_blocks<kLanes, kTerms>(first, 0, count, terms, lanes);
  e = add_blocks<kVectorLanes, kTerms>(first, e, count, terms, lanes);
  for (; e < count; ++e) {
    double t[kTerms];
    terms(first + e, t);
    for (size_t k = 0; k < kTerms; ++k) tail[k] += t[k];
  }
}

// Per channel, Σ of the kTerms terms over its planes (images in order) in
// the lanes of add_plane, then the lanes and the tail in order: one channel
// per thread. The lanes are added up once per channel, not once per plane
// (for a 7×7 plane that was 32 additions per 49 values). The grouping
// depends on the shape only: the same bits for any thread count.
// Returns kTerms vectors of C sums.
template <size_t kTerms, typename Terms>
std::vector<std::vector<double>> per_channel(const Planes& p, ThreadPool* pool, Terms terms) {
  std::vector<std::vector<double>> sums(kTerms, std::vector<double>(size_t(p.C), 0.0));
  parallel_for(pool_if_worth(pool, double(p.N) * double(p.C) * double(p.plane)), p.C, [&](int begin, int end) {
    for (int c = begin; c < end; ++c) {
      double lanes[kTerms][kLanes] = {}, tail[kTerms] = {};
      for (int n = 0; n < p.N; ++n)
        add_plane<kTerms>(
            p.first(n, c), p.plane, [&](size_t e, double* t) { terms(c, e, t); }, lanes, tail);
      for (size_t k = 0; k < kTerms; ++k) {
        for (const double lane : lanes[k]) sums[k][size_t(c)] += lane;
        sums[k][size_t(c)] += tail[k];
      }
    }
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
  return per_channel<1>(Planes(x), pool, [v](int, size_t e, double* t) { t[0] = double(v[e]); })[0];
}

std::vector<double> channel_squared_deviations(const Tensor& x, const std::vector<double>& mean, ThreadPool* pool) {
  const Scalar* v = x.data();
  return per_channel<1>(Planes(x), pool, [&](int c, size_t e, double* t) {
    const double d = double(v[e]) - mean[size_t(c)];
    t[0] = d * d;
  })[0];
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
  // Σ dy and Σ dy·x in one pass over x and dy; Σ dy·x̂ = inv_std·(Σ dy·x − μ·Σ dy), no x̂ formed.
  std::vector<std::vector<double>> sums = per_channel<2>(p, pool, [v, g](int, size_t e, double* t) {
    t[0] = double(g[e]);
    t[1] = double(g[e]) * double(v[e]);
  });
  dy_sum = std::move(sums[0]);
  const std::vector<double>& dy_x = sums[1];
  dy_xhat_sum.assign(size_t(p.C), 0.0);
  for (size_t c = 0; c < size_t(p.C); ++c) dy_xhat_sum[c] = inv_std[c] * (dy_x[c] - mean[c] * dy_sum[c]);
}

namespace {

// (B4) for channel c as a line: dx = a·dy + b·x + d.
struct GradientLine {
  Scalar a, b, d;
};
GradientLine gradient_line(int c, const std::vector<double>& mean, const std::vector<double>& inv_std,
                           const Tensor& gamma, const std::vector<double>& dy_sum,
                           const std::vector<double>& dy_xhat_sum, double count) {
  const size_t k = size_t(c);
  const double a = double(gamma[k]) * inv_std[k];
  const double b = -a * inv_std[k] * dy_xhat_sum[k] / count;
  const double d = -a * dy_sum[k] / count - b * mean[k];
  return {Scalar(a), Scalar(b), Scalar(d)};
}

}  // namespace

void batch_norm_input_gradient(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                               const Tensor& gamma, const Tensor& dy, const std::vector<double>& dy_sum,
                               const std::vector<double>& dy_xhat_sum, double count, Tensor& dx, ThreadPool* pool) {
  const Planes p(x);
  each_plane(p, pool, [&](int c, size_t first) {
    const GradientLine l = gradient_line(c, mean, inv_std, gamma, dy_sum, dy_xhat_sum, count);
    const Scalar *in = x.data() + first, *g = dy.data() + first;
    Scalar* out = dx.data() + first;
    for (size_t e = 0; e < p.plane; ++e) out[e] += l.a * g[e] + l.b * in[e] + l.d;
  });
}

void batch_norm_input_gradient_in_place(const Tensor& x, const std::vector<double>& mean,
                                        const std::vector<double>& inv_std, const Tensor& gamma,
                                        const std::vector<double>& dy_sum, const std::vector<double>& dy_xhat_sum,
                                        double count, Tensor& g, ThreadPool* pool) {
  const Planes p(x);
  each_plane(p, pool, [&](int c, size_t first) {
    const GradientLine l = gradient_line(c, mean, inv_std, gamma, dy_sum, dy_xhat_sum, count);
    const Scalar* in = x.data() + first;
    Scalar* io = g.data() + first;
    for (size_t e = 0; e < p.plane; ++e) io[e] = Scalar(0) + (l.a * io[e] + l.b * in[e] + l.d);  // as += into zeros
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

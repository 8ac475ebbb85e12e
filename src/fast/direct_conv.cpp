// Direct convolution for few terms per output (fast/direct_conv.hpp).
//
// Every loop below is one of (C1)–(C4) written as "for each kernel tap
// (c, p, q), add a shifted row of one plane, scaled, to a row of another":
// the shift is the tap's offset (p − padding, q − padding), and the rows and
// columns that would read the zero padding are skipped (valid_span).
#include "gcam/fast/direct_conv.hpp"

#include <algorithm>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/core/window.hpp"
#include "gcam/fast/lane_sum.hpp"

namespace gcam {
namespace fast {

namespace {

using std::size_t;

// Output positions t in [lo, hi) read input t + offset inside [0, in).
struct Span {
  int lo, hi;
};
Span valid_span(int out, int in, int offset) {
  const int lo = std::min(out, std::max(0, -offset));
  return {lo, std::max(lo, std::min(out, in - offset))};
}

struct Geometry {
  int N, C, H, W, O, KH, KW, OH, OW, pad;
  Geometry(const Tensor& x, const Tensor& w, int padding)
      : N(x.dim(0)),
        C(x.dim(1)),
        H(x.dim(2)),
        W(x.dim(3)),
        O(w.dim(0)),
        KH(w.dim(2)),
        KW(w.dim(3)),
        OH(conv_output_size(H, KH, 1, padding)),
        OW(conv_output_size(W, KW, 1, padding)),
        pad(padding) {}
  const Scalar* x_plane(const Tensor& x, int n, int c) const { return x.data() + (size_t(n) * C + c) * H * W; }
  size_t out_plane(int n, int o) const { return (size_t(n) * O + o) * OH * OW; }
  // Multiply-adds of one pass, and the fewest worth waking the pool for (as gemm's).
  double work() const { return double(N) * O * OH * OW * C * KH * KW; }
  static constexpr double kMinParallelWork = 1 << 21;
  Scalar tap(const Tensor& w, int o, int c, int p, int q) const {
    return w.data()[((size_t(o) * C + c) * KH + p) * KW + q];
  }
};

// (C1) for one output plane (n, o): y = b[o] + Σ_{c,p,q} w[o,c,p,q]·x shifted by (p − pad, q − pad).
void forward_plane(const Geometry& g, const Tensor& x, const Tensor& w, Scalar bias, int n, int o, Scalar* out) {
  std::fill(out, out + size_t(g.OH) * g.OW, bias);
  for (int c = 0; c < g.C; ++c)
    for (int p = 0; p < g.KH; ++p) {
      const Span rows = valid_span(g.OH, g.H, p - g.pad);
      for (int q = 0; q < g.KW; ++q) {
        const Span cols = valid_span(g.OW, g.W, q - g.pad);
        const Scalar weight = g.tap(w, o, c, p, q);
        for (int i = rows.lo; i < rows.hi; ++i) {
          const Scalar* in = g.x_plane(x, n, c) + size_t(i + p - g.pad) * g.W + (q - g.pad);
          Scalar* row = out + size_t(i) * g.OW;
          for (int j = cols.lo; j < cols.hi; ++j) row[j] += weight * in[j];
        }
      }
    }
}

// (C3) for one weight w[o,c,p,q] and (C4) for db[o]: the products summed row
// by row into `partial` (one lane per output column, so the loop
// vectorises), then the lanes in order.
Scalar weight_gradient(const Geometry& g, const Tensor& x, const Tensor& dy, int o, int c, int p, int q,
                       std::vector<Scalar>& partial) {
  const Span rows = valid_span(g.OH, g.H, p - g.pad), cols = valid_span(g.OW, g.W, q - g.pad);
  std::fill(partial.begin(), partial.end(), Scalar(0));
  for (int n = 0; n < g.N; ++n)
    for (int i = rows.lo; i < rows.hi; ++i) {
      const Scalar* in = g.x_plane(x, n, c) + size_t(i + p - g.pad) * g.W + (q - g.pad);
      const Scalar* grad = dy.data() + g.out_plane(n, o) + size_t(i) * g.OW;
      for (int j = cols.lo; j < cols.hi; ++j) partial[size_t(j)] += grad[j] * in[j];
    }
  Scalar sum = 0;
  for (const Scalar v : partial) sum += v;
  return sum;
}

Scalar bias_gradient(const Geometry& g, const Tensor& dy, int o) {
  Scalar sum = 0;
  for (int n = 0; n < g.N; ++n) sum += lane_sum(dy.data() + g.out_plane(n, o), size_t(g.OH) * g.OW);
  return sum;
}

// (C2) for one input plane (n, c): dx += Σ_{o,p,q} w[o,c,p,q]·dy shifted back by (p − pad, q − pad).
void input_gradient_plane(const Geometry& g, const Tensor& w, const Tensor& dy, int n, int c, Scalar* dx) {
  for (int o = 0; o < g.O; ++o)
    for (int p = 0; p < g.KH; ++p) {
      const Span rows = valid_span(g.OH, g.H, p - g.pad);
      for (int q = 0; q < g.KW; ++q) {
        const Span cols = valid_span(g.OW, g.W, q - g.pad);
        const Scalar weight = g.tap(w, o, c, p, q);
        for (int i = rows.lo; i < rows.hi; ++i) {
          const Scalar* grad = dy.data() + g.out_plane(n, o) + size_t(i) * g.OW;
          Scalar* row = dx + size_t(i + p - g.pad) * g.W + (q - g.pad);
          for (int j = cols.lo; j < cols.hi; ++j) row[j] += weight * grad[j];
        }
      }
    }
}

}  // namespace

bool direct_conv_suits(const Shape& x, const Shape& w, int stride) {
  return stride == 1 && x.size() == 4 && w.size() == 4 && w[1] * w[2] * w[3] <= kDirectConvTerms;
}

void direct_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int padding, ThreadPool* pool,
                           Tensor& y) {
  const Geometry g(x, w, padding);
  y.resize({g.N, g.O, g.OH, g.OW});  // every element is written below
  parallel_for(pool_if_worth(pool, g.work(), Geometry::kMinParallelWork), g.N * g.O, [&](int begin, int end) {
    for (int plane = begin; plane < end; ++plane) {
      const int n = plane / g.O, o = plane % g.O;
      forward_plane(g, x, w, b[size_t(o)], n, o, y.data() + g.out_plane(n, o));
    }
  });
}

void direct_conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int padding, Tensor& dx, Tensor& dw,
                            Tensor& db, ThreadPool* pool, Targets targets) {
  const Geometry g(x, w, padding);
  if (dy.shape() != Shape{g.N, g.O, g.OH, g.OW})
    throw ShapeError("conv2d backward: dy " + shape_string(dy.shape()) + " does not match the output shape " +
                     shape_string({g.N, g.O, g.OH, g.OW}));
  if (targets.weight || targets.bias)
    parallel_for(pool_if_worth(pool, g.work(), Geometry::kMinParallelWork), g.O, [&](int begin, int end) {
      std::vector<Scalar> partial(size_t(g.OW));
      for (int o = begin; o < end; ++o) {
        if (targets.bias) db[size_t(o)] += bias_gradient(g, dy, o);
        for (int c = 0; targets.weight && c < g.C; ++c)
          for (int p = 0; p < g.KH; ++p)
            for (int q = 0; q < g.KW; ++q)
              dw.data()[((size_t(o) * g.C + c) * g.KH + p) * g.KW + q] +=
                  weight_gradient(g, x, dy, o, c, p, q, partial);
      }
    });
  if (targets.input)
    parallel_for(pool_if_worth(pool, g.work(), Geometry::kMinParallelWork), g.N * g.C, [&](int begin, int end) {
      for (int plane = begin; plane < end; ++plane)
        input_gradient_plane(g, w, dy, plane / g.C, plane % g.C,
                             dx.data() + (size_t(plane / g.C) * g.C + plane % g.C) * g.H * g.W);
    });
}

}  // namespace fast
}  // namespace gcam

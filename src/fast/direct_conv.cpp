// Direct convolution for few terms per output (fast/direct_conv.hpp).
//
// Every loop below is one of (C1)–(C4) written as "for each kernel tap
// (c, p, q), add a shifted row of one plane, scaled, to a row of another":
// the shift is the tap's offset (p − padding, q − padding), and the rows and
// columns that would read the zero padding are skipped (valid_span).
#include "gcam/fast/direct_conv.hpp"

#include <algorithm>
#include <vector>

#include "conv_geometry.hpp"
#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/core/window.hpp"
#include "gcam/fast/lane_sum.hpp"

namespace gcam {
namespace fast {

namespace {

using std::size_t;

Range valid_span(int out, int in, int offset) { return valid_range(out, in, offset, 1); }

// The direct kernels' view of ConvShape (stride 1): where planes and taps sit.
struct Geometry : ConvShape {
  Geometry(const Tensor& x, const Tensor& w, int padding) : ConvShape(x, w, 1, padding) {}
  const Scalar* x_plane(const Tensor& x, int n, int c) const { return x.data() + (size_t(n) * C + c) * H * W; }
  size_t out_plane(int n, int o) const { return (size_t(n) * O + o) * OH * OW; }
  Scalar tap(const Tensor& w, int o, int c, int p, int q) const {
    return w.data()[((size_t(o) * C + c) * KH + p) * KW + q];
  }
  // Multiply-adds of one pass, and the fewest worth waking the pool for (as gemm's).
  double work() const { return double(N) * O * OH * OW * C * KH * KW; }
  static constexpr double kMinParallelWork = 1 << 21;
};

// One kernel tap (p, q) between a W-wide input plane and an OW-wide output
// plane: for output rows i and columns j that do not read the padding,
//   forward:  out[i, j]              += weight · in[i + p − pad, j + q − pad]
//   backward: in[i + p − pad, j + q − pad] += weight · out[i, j]
// Indices stay signed and inside the planes (no pointer before a plane's start).
void add_tap(const Geometry& g, int p, int q, Scalar weight, const Scalar* from, Scalar* to, bool to_input) {
  const Range rows = valid_span(g.OH, g.H, p - g.padding), cols = valid_span(g.OW, g.W, q - g.padding);
  for (int i = rows.lo; i < rows.hi; ++i) {
    const std::ptrdiff_t out_row = std::ptrdiff_t(i) * g.OW;
    const std::ptrdiff_t in_row = std::ptrdiff_t(i + p - g.padding) * g.W + (q - g.padding);
    const Scalar* src = from + (to_input ? out_row : in_row);
    Scalar* dst = to + (to_input ? in_row : out_row);
    for (int j = cols.lo; j < cols.hi; ++j) dst[j] += weight * src[j];
  }
}

// (C1) for one output plane (n, o): y = b[o] + Σ_{c,p,q} w[o,c,p,q]·x shifted by (p − pad, q − pad).
void forward_plane(const Geometry& g, const Tensor& x, const Tensor& w, Scalar bias, int n, int o, Scalar* out) {
  std::fill(out, out + size_t(g.OH) * g.OW, bias);
  for (int c = 0; c < g.C; ++c)
    for (int p = 0; p < g.KH; ++p)
      for (int q = 0; q < g.KW; ++q) add_tap(g, p, q, g.tap(w, o, c, p, q), g.x_plane(x, n, c), out, false);
}

// (C3) for one weight w[o,c,p,q] and (C4) for db[o]: the products summed row
// by row into `partial` (one lane per output column, so the loop
// vectorises), then the lanes in order.
Scalar weight_gradient(const Geometry& g, const Tensor& x, const Tensor& dy, int o, int c, int p, int q,
                       std::vector<Scalar>& partial) {
  const Range rows = valid_span(g.OH, g.H, p - g.padding), cols = valid_span(g.OW, g.W, q - g.padding);
  std::fill(partial.begin(), partial.end(), Scalar(0));
  for (int n = 0; n < g.N; ++n)
    for (int i = rows.lo; i < rows.hi; ++i) {
      const Scalar* plane = g.x_plane(x, n, c);
      const std::ptrdiff_t in_row = std::ptrdiff_t(i + p - g.padding) * g.W + (q - g.padding);
      const Scalar* grad = dy.data() + g.out_plane(n, o) + size_t(i) * g.OW;
      for (int j = cols.lo; j < cols.hi; ++j) partial[size_t(j)] += grad[j] * plane[in_row + j];
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
    for (int p = 0; p < g.KH; ++p)
      for (int q = 0; q < g.KW; ++q) add_tap(g, p, q, g.tap(w, o, c, p, q), dy.data() + g.out_plane(n, o), dx, true);
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

// Fast conv2d: the reference loops of src/ops/conv2d.cpp, equations (C1)–(C4),
// rewritten as matrix products and run through the cache-blocked gemm (gemm.hpp).
// tests/test_fast_kernels.cpp checks that both agree.
//
// Per chunk of images, cols = im2col(x), G = dy viewed as a matrix:
//   (C1) y_n = W·cols_n + b       W: O × (C·kH·kW), cols_n: image n's (C·kH·kW) × (OH·OW) block of cols
//   (C3) dW += G·colsᵀ            G: O × (images·OH·OW)
//   (C2) dx += col2im(Wᵀ·G)
//   (C4) db += row sums of G
// Every stride-1 convolution goes to the implicit GEMM of implicit_conv.hpp
// instead, which reads the im2col rows straight out of a padded copy of the
// image; im2col serves the strided ones (resnet-mini's downsampling).
//
// Determinism. Parallel work is split so that every output element is
// written by exactly one thread, in an order that does not depend on the
// thread count: gemm splits C into tiles (see gemm.cpp); im2col and col2im
// split over (image, channel) planes; the batch sums of dW and db are never
// split over threads — they run over the chunks of images in order, and gemm
// parallelizes inside each chunk's product over the elements of dW. So the
// same inputs give bit-identical results for any pool size, including null.
// (They differ from the reference kernels in the last bits, because the sums
// are grouped differently; the tests bound that difference.)
//
// Workspace. The im2col matrix and the reshaped output / gradient matrix are
// thread_local std::vectors of the calling thread, grown to the largest chunk
// seen and then reused: steady-state calls allocate only their result tensor.
#include "gcam/fast/conv2d.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <vector>

#include "conv_geometry.hpp"
#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/core/window.hpp"
#include "gcam/fast/gemm.hpp"
#include "gcam/fast/implicit_conv.hpp"
#include "gcam/fast/lane_sum.hpp"

namespace gcam {
namespace fast {

namespace {

using std::size_t;

// Images are lowered in chunks so that the im2col matrix (and the O × columns
// output/gradient matrix) hold at most this many Scalars (1 MB in float):
// large enough that each chunk is one big, efficient gemm, small enough to
// stay in L3 and to bound the workspace. Depends on shapes only, never on
// the thread count, so the grouping of sums (and thus the bits) is fixed.
constexpr size_t kChunkElements = size_t(1) << 18;

// Below this many Scalars copied (1 MB in float), a copy loop runs on the
// calling thread: a batch-1 im2col of a 16-channel 28×28 map (113 K values,
// tens of microseconds) cost more in waking the pool than it saved.
constexpr double kMinParallelCopy = 1 << 18;

thread_local std::vector<Scalar> cols_workspace;
thread_local std::vector<Scalar> matrix_workspace;

// Runs body over [0, count) on the pool when the work is worth it.
void split(ThreadPool* pool, int count, double work, const std::function<void(int, int)>& body) {
  parallel_for(pool_if_worth(pool, work, kMinParallelCopy), count, body);
}

// Images per chunk: as many as keep the im2col matrix (or the O × columns
// matrix) within kChunkElements, at least one.
int images_per_chunk(const ConvShape& s) {
  const size_t per_image = size_t(std::max({s.rows, s.O, 1})) * size_t(std::max(s.P, 1));
  return static_cast<int>(std::max<size_t>(1, std::min<size_t>(size_t(s.N), kChunkElements / per_image)));
}

}  // namespace

// ---- im2col / col2im ----------------------------------------------------------------

void im2col(const Tensor& x, int n0, int count, int kernel_h, int kernel_w, int stride, int padding, Scalar* cols,
            ThreadPool* pool) {
  const int C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int OH = conv_output_size(H, kernel_h, stride, padding), OW = conv_output_size(W, kernel_w, stride, padding);
  const size_t P = size_t(OH) * OW, ld = P * count;  // ld: length of one row of cols
  const double work = double(count) * C * kernel_h * kernel_w * double(P);
  // One unit = one (image, channel) plane: it writes kH·kW row segments of cols.
  split(pool, count * C, work, [&](int begin, int end) {
    for (int unit = begin; unit < end; ++unit) {
      const int b = unit / C, c = unit % C;
      const Scalar* plane = x.data() + (size_t(n0 + b) * C + c) * H * W;
      for (int p = 0; p < kernel_h; ++p) {
        const Range ri = valid_range(OH, H, p - padding, stride);
        for (int q = 0; q < kernel_w; ++q) {
          const Range rj = valid_range(OW, W, q - padding, stride);
          Scalar* dst = cols + (size_t(c * kernel_h + p) * kernel_w + q) * ld + size_t(b) * P;
          for (int i = 0; i < OH; ++i) {
            Scalar* out = dst + size_t(i) * OW;
            if (i < ri.lo || i >= ri.hi) {
              std::fill(out, out + OW, Scalar(0));
              continue;
            }
            const Scalar* src = plane + size_t(i * stride + p - padding) * W;
            std::fill(out, out + rj.lo, Scalar(0));
            if (stride == 1)
              std::copy(src + (rj.lo + q - padding), src + (rj.hi + q - padding), out + rj.lo);
            else
              for (int j = rj.lo; j < rj.hi; ++j) out[j] = src[j * stride + q - padding];
            std::fill(out + rj.hi, out + OW, Scalar(0));
          }
        }
      }
    }
  });
}

void col2im(const Scalar* cols, int n0, int count, int kernel_h, int kernel_w, int stride, int padding, Tensor& dx,
            ThreadPool* pool) {
  const int C = dx.dim(1), H = dx.dim(2), W = dx.dim(3);
  const int OH = conv_output_size(H, kernel_h, stride, padding), OW = conv_output_size(W, kernel_w, stride, padding);
  const size_t P = size_t(OH) * OW, ld = P * count;
  const double work = double(count) * C * kernel_h * kernel_w * double(P);
  // One unit = one (image, channel) plane of dx, owned by one thread, summed
  // in the fixed order (p, q, i, j).
  split(pool, count * C, work, [&](int begin, int end) {
    for (int unit = begin; unit < end; ++unit) {
      const int b = unit / C, c = unit % C;
      Scalar* plane = dx.data() + (size_t(n0 + b) * C + c) * H * W;
      for (int p = 0; p < kernel_h; ++p) {
        const Range ri = valid_range(OH, H, p - padding, stride);
        for (int q = 0; q < kernel_w; ++q) {
          const Range rj = valid_range(OW, W, q - padding, stride);
          const Scalar* src = cols + (size_t(c * kernel_h + p) * kernel_w + q) * ld + size_t(b) * P;
          for (int i = ri.lo; i < ri.hi; ++i) {
            // dx index of output column j: base + j·stride (>= 0 for j in rj).
            const std::ptrdiff_t base = std::ptrdiff_t(i * stride + p - padding) * W + (q - padding);
            const Scalar* in = src + size_t(i) * OW;
            if (stride == 1)
              for (int j = rj.lo; j < rj.hi; ++j) plane[base + j] += in[j];
            else
              for (int j = rj.lo; j < rj.hi; ++j) plane[base + std::ptrdiff_t(j) * stride] += in[j];
          }
        }
      }
    }
  });
}

// ---- conv2d ---------------------------------------------------------------------------

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool) {
  Tensor y;
  conv2d_forward(x, w, b, stride, padding, pool, y);
  return y;
}

void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool,
                    Tensor& y) {
  if (implicit_conv_suits(stride)) return implicit_conv2d_forward(x, w, b, padding, pool, y);
  const ConvShape s(x, w, stride, padding);
  y.resize({s.N, s.O, s.OH, s.OW});  // every element is written below
  if (y.empty()) return;
  const int chunk = images_per_chunk(s);
  Scalar* cols = grow(cols_workspace, size_t(s.rows) * chunk * s.P);
  for (int n0 = 0; n0 < s.N; n0 += chunk) {
    const int count = std::min(chunk, s.N - n0);
    const int columns = count * s.P;
    im2col(x, n0, count, s.KH, s.KW, stride, padding, cols, pool);
    // (C1) image by image, straight into y: y[n] (O × P) starts as the bias
    // and receives W·cols_n, where cols_n is the image's block of P columns
    // (leading dimension `columns`). One image per thread, so no result is
    // shuffled from a chunk-wide matrix into NCHW afterwards.
    split(pool, count, double(s.O) * columns * s.rows, [&](int begin, int end) {
      for (int i = begin; i < end; ++i) {
        Scalar* Y = y.data() + size_t(n0 + i) * s.O * s.P;
        for (int o = 0; o < s.O; ++o) std::fill(Y + size_t(o) * s.P, Y + size_t(o + 1) * s.P, b[size_t(o)]);
        gemm(Trans::No, Trans::No, s.O, s.P, s.rows, w.data(), s.rows, cols + size_t(i) * s.P, columns, Y, s.P,
             Update::Add, count == 1 ? pool : nullptr);
      }
    });
  }
}

void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db, ThreadPool* pool, Targets targets) {
  const ConvShape s(x, w, stride, padding);
  if (targets.input) require_same_shape("conv2d backward (dx vs x)", dx, x);
  if (targets.weight) require_same_shape("conv2d backward (dw vs w)", dw, w);
  if (targets.bias && db.shape() != Shape{s.O})
    throw ShapeError("conv2d backward: db " + shape_string(db.shape()) + " does not match weight " +
                     shape_string(w.shape()));
  if (dy.shape() != Shape{s.N, s.O, s.OH, s.OW})
    throw ShapeError("conv2d backward: dy " + shape_string(dy.shape()) + " does not match the output shape " +
                     shape_string({s.N, s.O, s.OH, s.OW}));
  if (dy.empty()) return;
  if (implicit_conv_suits(stride)) return implicit_conv2d_backward(x, w, dy, padding, dx, dw, db, pool, targets);
  const int chunk = images_per_chunk(s);
  Scalar* cols = grow(cols_workspace, size_t(s.rows) * chunk * s.P);
  for (int n0 = 0; n0 < s.N; n0 += chunk) {
    const int count = std::min(chunk, s.N - n0);
    const int columns = count * s.P;
    // G (O × columns): dy of these images as one matrix, column b·P + e for image n0+b.
    const Scalar* G = dy.data() + size_t(n0) * s.O * s.P;
    if (count > 1) {
      Scalar* shuffled = grow(matrix_workspace, size_t(s.O) * columns);
      split(pool, count, double(s.O) * columns, [&](int begin, int end) {
        for (int i = begin; i < end; ++i)
          for (int o = 0; o < s.O; ++o) {
            const Scalar* src = dy.data() + (size_t(n0 + i) * s.O + o) * s.P;
            std::copy(src, src + s.P, shuffled + size_t(o) * columns + size_t(i) * s.P);
          }
      });
      G = shuffled;
    }
    // (C4) db[o] += Σ of row o (lane_sum: a fixed grouping, vectorised).
    for (int o = 0; targets.bias && o < s.O; ++o) db[size_t(o)] += lane_sum(G + size_t(o) * columns, size_t(columns));
    // (C3) dW += G·colsᵀ
    if (targets.weight) {
      im2col(x, n0, count, s.KH, s.KW, stride, padding, cols, pool);
      gemm(Trans::No, Trans::Yes, s.O, s.rows, columns, G, columns, cols, columns, dw.data(), s.rows, Update::Add,
           pool);
    }
    // (C2) dcols = Wᵀ·G (overwriting cols, no longer needed), dx += col2im(dcols)
    if (targets.input) {
      gemm(Trans::Yes, Trans::No, s.rows, columns, s.O, w.data(), s.rows, G, columns, cols, columns, Update::Overwrite,
           pool);
      col2im(cols, n0, count, s.KH, s.KW, stride, padding, dx, pool);
    }
  }
}

}  // namespace fast
}  // namespace gcam

// Implicit-GEMM convolution (the fast conv2d of fast/conv2d.hpp): equations (C1)–(C4) of
// src/ops/conv2d.cpp as products whose im2col rows are shifted views of the
// padded image (its layout, phase planes at stride s > 1: implicit_grid.hpp).
//
// On the wide grid (output t = i·Wq + j, OH rows of Wq; columns j ≥ OW dropped):
//   (C1) Yw  = W · cols,              row (c,p,q) of cols = a phase plane of x_c, shifted
//   (C4) db += Σ_t Gw[o][t]           Gw = dy on the wide grid, dropped columns 0
//   (C3) dW += Gw · colsᵀ             implicit_weight_gradient.cpp
//   (C2) phase (a, b) of dx_pad, at its row u and column v (t' = u·Wq + v), gets
//        the taps p = a + s·m, q = b + s·n (m < Ma, n < Nb) of every output
//        (u − m, v − n):
//        dX_ab[c][t'] = Σ_{o,m,n} w[o,c,a+s·m,b+s·n] · Gw[o][t' − m·Wq − n]
//                     = Σ_{o,m',n'} w[o,c,a+s·(Ma−1−m'),b+s·(Nb−1−n')] · E_o[t' − (Ma−1)·Wq − (Nb−1) + m'·Wq + n'],
//        E_o = Gw[o] after L zeros and before more: the same implicit
//        product, each phase's part of the kernel flipped, channels swapped.
//        A shift that runs off the left of a row lands in the previous row's
//        dropped columns, which are zero; off the top, in the L zeros. At
//        stride 1 there is one phase, the whole kernel.
#include <algorithm>
#include <vector>

#include "conv_geometry.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/fast/gemm.hpp"
#include "gcam/fast/lane_sum.hpp"
#include "gcam/fast/pool_relu.hpp"
#include "implicit_grid.hpp"
#include "max_pool_2x2.hpp"

namespace gcam {
namespace fast {

namespace {

using std::size_t;

// Per-thread buffers, grown to the largest call and then reused.
struct Buffers {
  std::vector<Scalar> padded, wide, extended, flipped, masked;
  std::vector<const Scalar*> rows;
  // The weights (forward) or each phase's flipped kernel (input gradient),
  // packed once per call.
  std::vector<PackedA> kernels;
};
thread_local Buffers buffers;

// Images whose padded input and E are held at once in backward: about
// 256 KB in float, so they stay in L2 while every tile of dW passes over
// them. Depends on the shapes only (and so do the bits).
int images_per_chunk(size_t per_image, int images) {
  constexpr size_t kChunkElements = size_t(1) << 17;
  return int(std::clamp<size_t>(kChunkElements / std::max<size_t>(per_image, 1), 1, size_t(std::max(images, 1))));
}

// Writes n zeros at out; returns the end.
Scalar* put_zeros(Scalar* out, size_t n) {
  std::fill(out, out + n, Scalar(0));
  return out + n;
}

// Writes `rows` rows of `width` values (consecutive in src), each with `left`
// zeros before and `right` zeros after it; returns the end. Every value of the
// padded layouts is written once (no zero-fill of the whole buffer first).
Scalar* put_rows(const Scalar* src, int rows, int width, int left, int right, Scalar* out) {
  for (int r = 0; r < rows; ++r, src += width) {
    out = put_zeros(out, size_t(left));
    out = std::copy(src, src + width, out);
    out = put_zeros(out, size_t(right));
  }
  return out;
}

// Writes n values of src, `stride` apart, at out; returns the end. Stride 2
// is spelled out: g++ vectorises a constant stride (a permute per 16 values),
// not one known only at run time.
Scalar* put_every(const Scalar* src, int stride, int n, Scalar* out) {
  if (stride == 2)
    for (int v = 0; v < n; ++v) out[v] = src[2 * v];
  else
    for (int v = 0; v < n; ++v) out[v] = src[size_t(stride) * v];
  return out + n;
}

// Adds n values of src into out, `stride` apart (the scatter of put_every,
// spelled out for stride 1 and 2 for the same reason).
void add_every(const Scalar* src, int stride, int n, Scalar* out) {
  if (stride == 1)
    for (int v = 0; v < n; ++v) out[v] += src[v];
  else if (stride == 2)
    for (int v = 0; v < n; ++v) out[2 * v] += src[v];
  else
    for (int v = 0; v < n; ++v) out[size_t(stride) * v] += src[v];
}

// Phase plane (a, b) of one image plane: its rows u hold padded rows s·u + a,
// of which columns s·v + b (zero outside the image); returns the end.
Scalar* put_phase_plane(const PaddedGrid& g, const Scalar* plane, int a, int b, Scalar* out) {
  const Range ru = valid_range(g.Hq, g.H, a - g.padding, g.stride);  // rows u inside the image
  const Range rv = valid_range(g.Wq, g.W, b - g.padding, g.stride);
  out = put_zeros(out, size_t(ru.lo) * g.Wq);
  if (g.stride == 1)  // the padded plane itself: whole rows copied
    out = put_rows(plane, ru.hi - ru.lo, g.W, rv.lo, g.Wq - rv.hi, out);
  else
    for (int u = ru.lo; u < ru.hi; ++u) {
      const Scalar* row = plane + size_t(g.stride * u + a - g.padding) * g.W + (b - g.padding);
      out = put_zeros(out, size_t(rv.lo));
      out = put_every(row + g.stride * rv.lo, g.stride, rv.hi - rv.lo, out);
      out = put_zeros(out, size_t(g.Wq - rv.hi));
    }
  return put_zeros(out, size_t(g.Hq - ru.hi) * g.Wq);
}

// Image n of x onto the padded grid: each channel's phase planes, then the slack.
void pad_image(const PaddedGrid& g, const Tensor& x, int n, Scalar* out) {
  for (int c = 0; c < g.C; ++c) {
    const Scalar* plane = x.data() + (size_t(n) * g.C + c) * g.H * g.W;
    for (int a = 0; a < g.phases_h; ++a)
      for (int b = 0; b < g.phases_w; ++b) out = put_phase_plane(g, plane, a, b, out);
  }
  put_zeros(out, g.padded_image() - size_t(g.C) * g.phases * g.phase_plane);
}

// Images [n0, n0 + count) of x onto the padded grid, in this thread's buffer.
const Scalar* pad_images(const PaddedGrid& g, const Tensor& x, int n0, int count, Buffers& buf) {
  Scalar* padded = grow(buf.padded, g.padded_image() * count);
  for (int b = 0; b < count; ++b) pad_image(g, x, n0 + b, padded + b * g.padded_image());
  return padded;
}

// (R1) as relu_forward writes it (a −0 or a NaN becomes +0): the same bits.
inline Scalar rectify(Scalar v) { return v > 0 ? v : Scalar(0); }

// (CRP1) for image n: max(0, Yw + bias) in place on the wide grid (whole
// planes: g++ vectorises them), then pooled 2×2 from there into z, as the
// fast max-pool pools (blocks of windows that g++ vectorises even for rows
// of 7 or 14 outputs), with winners indexing the unpooled output (rows OW
// apart) as max_pool2d keeps them.
void pool_rectified_image(const PaddedGrid& g, Scalar* wide, const Tensor& b, int n, Tensor& z,
                          std::vector<int>& winners) {
  for (int o = 0; o < g.O; ++o) {
    Scalar* plane = wide + size_t(o) * g.wide;
    const Scalar bias = b[size_t(o)];
    for (int t = 0; t < g.wide; ++t) plane[t] = rectify(plane[t] + bias);
  }
  const int PH = g.OH / 2, PW = g.OW / 2;
  const size_t first = size_t(n) * g.O * PH * PW;
  max_pool_2x2_planes(wide, g.OH, g.Wq, PH, PW, 0, g.O, z.data() + first, winners.data() + first, g.OW,
                      n * g.O * g.OH * g.OW);
}

// (C1) for image n: Yw = W·cols on the wide grid, then narrowed into y with
// the bias, and the epilogue applied. The padded image goes to slot n of
// `kept`, if given, else to this thread's buffer.
void forward_image(const PaddedGrid& g, const Tensor& x, const Tensor& w, const PackedA& packed_w, const Tensor& b,
                   int n, Tensor& y, Tensor* kept, Epilogue epilogue, std::vector<int>* winners, ThreadPool* pool) {
  Buffers& buf = buffers;
  Scalar* padded = kept ? kept->data() + size_t(n) * g.padded_image() : grow(buf.padded, g.padded_image());
  pad_image(g, x, n, padded);
  const Scalar* const* rows = tap_rows(g, padded, buf.rows);
  Scalar* wide = grow(buf.wide, size_t(g.O) * g.wide);
  gemm_rows(Trans::No, Trans::No, g.O, g.wide, g.rows, w.data(), g.rows, rows, wide, g.wide, Update::Overwrite, pool,
            &packed_w, /*rows_padded=*/true);  // padded_image()'s slack
  if (epilogue == Epilogue::ReluMaxPool) return pool_rectified_image(g, wide, b, n, y, *winners);
  for (int o = 0; o < g.O; ++o) {
    const Scalar bias = b[size_t(o)];
    for (int i = 0; i < g.OH; ++i) {
      const Scalar* src = wide + size_t(o) * g.wide + size_t(i) * g.Wq;
      Scalar* dst = y.data() + ((size_t(n) * g.O + o) * g.OH + i) * g.OW;
      if (epilogue == Epilogue::Relu)
        for (int j = 0; j < g.OW; ++j) dst[j] = rectify(src[j] + bias);
      else
        for (int j = 0; j < g.OW; ++j) dst[j] = src[j] + bias;
    }
  }
}

// (R2) for n values: out = 0 + dy where y > 0, else 0, by the ReLU's own
// in-place rule (the same bits as a ReLU recorded on its own). Whole planes
// at a time, so that it runs in vectors. Copied first, then masked in place:
// a loop reading dy only where y > 0 became masked loads that kept their
// vector on the stack (this pass then cost twice the separate ReLU's
// backward).
void rectify_gradient(const Scalar* dy, const Scalar* y, size_t n, Scalar* out) {
  std::copy(dy, dy + n, out);
  relu_backward_in_place(y, out, n);
}

// Plane o of E for image n from a pooled epilogue's dy (P2, then R2 at the
// winner, where the unpooled y is the pooled z): zeros, and at each winner
// 0 + dy if z > 0, else 0 (as the max-pool's and the ReLU's rules compute it
// into zeros: the same bits). One flat loop over the pooled plane, without
// a branch (the signs are random), so that it runs in vectors: the winner's
// unpooled index u = row·OW + column lands at u + row·(Wq − OW) on the wide
// grid, its row taken as ⌊(u + ½)/OW⌋ in double (exact: u + ½ is at least ½
// from a multiple of OW). Returns the end.
Scalar* extend_pooled_plane(const PaddedGrid& g, const Tensor& dy, const EpilogueOutput& after, int n, int o,
                            Scalar* out) {
  std::fill(out, out + g.extended_plane, Scalar(0));
  const int pooled = (g.OH / 2) * (g.OW / 2);
  const size_t first = (size_t(n) * g.O + o) * size_t(pooled);
  const Scalar* z = after.y->data() + first;
  const Scalar* d = dy.data() + first;
  const int* winner = after.winners->data() + first;
  const int unpooled_first = (n * g.O + o) * g.OH * g.OW, extra = g.Wq - g.OW;
  const double per_row = 1.0 / g.OW;
  Scalar* gw = out + g.lead;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC ivdep  // the winners are distinct and gw holds no z or dy: a vector scatter is safe
#endif
  for (int k = 0; k < pooled; ++k) {
    const int u = winner[k] - unpooled_first, row = int((u + 0.5) * per_row);
    gw[u + row * extra] = z[k] > 0 ? Scalar(0) + d[k] : Scalar(0);
  }
  return out + g.extended_plane;
}

// E for image n: each plane of dy on the wide grid (dropped columns zero)
// with L zeros before it and zeros after it. Gw[o] starts at E + o·extended_plane + L.
// After a rectifying epilogue (conv2d_relu: after.y is its y), dy·[y > 0]
// (R2), masked one plane at a time in this thread's buffer (it stays in L1),
// so that no masked copy of the whole dy is written and read back; after a
// pooling one, extend_pooled_plane.
void extend_gradient(const PaddedGrid& g, const Tensor& dy, const EpilogueOutput& after, int n, Scalar* out) {
  const size_t plane = size_t(g.OH) * g.OW;
  const bool rectified = after.epilogue == Epilogue::Relu;
  Scalar* masked = rectified ? grow(buffers.masked, plane) : nullptr;
  for (int o = 0; o < g.O; ++o) {
    if (after.epilogue == Epilogue::ReluMaxPool) {
      out = extend_pooled_plane(g, dy, after, n, o, out);
      continue;
    }
    const size_t first = (size_t(n) * g.O + o) * plane;
    const Scalar* source = dy.data() + first;
    if (rectified) source = (rectify_gradient(source, after.y->data() + first, plane, masked), masked);
    Scalar* end = put_rows(source, g.OH, g.OW, 0, g.Wq - g.OW, put_zeros(out, size_t(g.lead)));
    out = put_zeros(end, g.extended_plane - size_t(g.lead) - size_t(g.wide));
  }
}

// ---- (C2) by phases ---------------------------------------------------------------------

// Phase (a, b) of the input gradient: the kernel taps p = a + s·m (m < taps_h)
// and q = b + s·n (n < taps_w), and where its flipped kernel sits.
struct Phase {
  int a, b, taps_h, taps_w;
  size_t kernel;  // offset of its flipped kernel in Buffers::flipped
  int depth(const PaddedGrid& g) const { return g.O * taps_h * taps_w; }
};

// Taps a, a + s, ... of a kernel axis of `size`: how many there are.
int phase_taps(int size, int a, int stride) { return a < size ? (size - a + stride - 1) / stride : 0; }

// The phases that collect at least one tap (at stride 1: one, the whole
// kernel), each with its part of the kernel flipped and its channels
// swapped, a C × (O·Ma·Nb) matrix, packed into buf.kernels:
// flipped[c][(o·Ma + m')·Nb + n'] = w[o][c][a + s·(Ma−1−m')][b + s·(Nb−1−n')].
std::vector<Phase> flip_kernel_phases(const PaddedGrid& g, const Tensor& w, Buffers& buf) {
  std::vector<Phase> phases;
  Scalar* flipped = grow(buf.flipped, size_t(g.C) * g.flipped_depth);
  size_t offset = 0;
  for (int a = 0; a < g.stride; ++a)
    for (int b = 0; b < g.stride; ++b) {
      const Phase ph{a, b, phase_taps(g.KH, a, g.stride), phase_taps(g.KW, b, g.stride), offset};
      const int depth = ph.depth(g);
      if (depth == 0) continue;  // a 1×1 kernel at stride 2 reaches one phase of four
      Scalar* out = flipped + offset;
      for (int o = 0; o < g.O; ++o)
        for (int c = 0; c < g.C; ++c)
          for (int m = 0; m < ph.taps_h; ++m)
            for (int n = 0; n < ph.taps_w; ++n)
              out[size_t(c) * depth + (size_t(o) * ph.taps_h + ph.taps_h - 1 - m) * ph.taps_w + (ph.taps_w - 1 - n)] =
                  w.data()[((size_t(o) * g.C + c) * g.KH + a + g.stride * m) * g.KW + b + g.stride * n];
      phases.push_back(ph);
      offset += size_t(g.C) * depth;
    }
  if (buf.kernels.size() < phases.size()) buf.kernels.resize(phases.size());
  for (size_t k = 0; k < phases.size(); ++k) {
    const int depth = phases[k].depth(g);
    buf.kernels[k].pack(Trans::No, g.C, depth, flipped + phases[k].kernel, depth);
  }
  return phases;
}

// Phase (a, b) of (C2) for image n: dX_ab = flipped_ab · rows of E, on the
// phase rows u that hold image rows only, then the image's columns added into dx.
void input_gradient_phase(const PaddedGrid& g, const Phase& ph, const PackedA& packed, const Scalar* flipped,
                          const Scalar* extended, int n, Tensor& dx, ThreadPool* pool) {
  Buffers& buf = buffers;
  const Range ru = valid_range(g.Hq, g.H, ph.a - g.padding, g.stride);
  const Range rv = valid_range(g.Wq, g.W, ph.b - g.padding, g.stride);
  if (ru.hi <= ru.lo || rv.hi <= rv.lo) return;
  const int columns = (ru.hi - ru.lo) * g.Wq, depth = ph.depth(g);
  // Row (o, m', n') of E: plane o at L − (Ma−1)·Wq − (Nb−1) + (u_lo + m')·Wq + n'.
  const size_t first = size_t(g.lead - (ph.taps_h - 1) * g.Wq - (ph.taps_w - 1) + ru.lo * g.Wq);
  buf.rows.resize(size_t(depth));
  for (int o = 0; o < g.O; ++o)
    for (int m = 0; m < ph.taps_h; ++m)
      for (int k = 0; k < ph.taps_w; ++k)
        buf.rows[(size_t(o) * ph.taps_h + m) * ph.taps_w + k] =
            extended + o * g.extended_plane + first + size_t(m) * g.Wq + k;
  Scalar* wide = grow(buf.wide, size_t(g.C) * columns);
  gemm_rows(Trans::No, Trans::No, g.C, columns, depth, flipped + ph.kernel, depth, buf.rows.data(), wide, columns,
            Update::Overwrite, pool, &packed, /*rows_padded=*/true);  // the extended buffer's slack
  for (int c = 0; c < g.C; ++c)
    for (int u = ru.lo; u < ru.hi; ++u) {
      const Scalar* src = wide + size_t(c) * columns + size_t(u - ru.lo) * g.Wq;
      Scalar* dst =
          dx.data() + ((size_t(n) * g.C + c) * g.H + (g.stride * u + ph.a - g.padding)) * g.W + (ph.b - g.padding);
      add_every(src + rv.lo, g.stride, rv.hi - rv.lo, dst + g.stride * rv.lo);
    }
}

}  // namespace

const Scalar* const* tap_rows(const PaddedGrid& g, const Scalar* padded, std::vector<const Scalar*>& table) {
  table.resize(size_t(g.rows));
  for (int c = 0; c < g.C; ++c)
    for (int p = 0; p < g.KH; ++p)
      for (int q = 0; q < g.KW; ++q) table[(size_t(c) * g.KH + p) * g.KW + q] = padded + g.tap_offset(c, p, q);
  return table.data();
}

void implicit_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding,
                             ThreadPool* pool, Tensor& y, Tensor* kept, Epilogue epilogue, std::vector<int>* winners) {
  const PaddedGrid g(x, w, stride, padding);
  if (epilogue == Epilogue::ReluMaxPool) {
    y.resize({g.N, g.O, g.OH / 2, g.OW / 2});  // every element is written below
    winners->resize(y.size());
  } else {
    y.resize({g.N, g.O, g.OH, g.OW});
  }
  if (kept) kept->resize({g.N, int(g.padded_image())});
  if (y.empty()) return;
  Buffers& buf = buffers;
  if (buf.kernels.empty()) buf.kernels.resize(1);
  PackedA& packed_w = buf.kernels[0];  // read by every thread, written only here
  packed_w.pack(Trans::No, g.O, g.rows, w.data(), g.rows);
  if (g.N == 1) return forward_image(g, x, w, packed_w, b, 0, y, kept, epilogue, winners, pool);  // gemm may use pool
  parallel_for(pool_if_worth(pool, g.work(), kMinParallelWork), g.N, [&](int begin, int end) {
    for (int n = begin; n < end; ++n) forward_image(g, x, w, packed_w, b, n, y, kept, epilogue, winners, nullptr);
  });
}

void implicit_conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                              Tensor& dw, Tensor& db, ThreadPool* pool, Targets targets, const Tensor* kept,
                              const EpilogueOutput& after) {
  const PaddedGrid g(x, w, stride, padding);
  Buffers& buf = buffers;
  const std::vector<Phase> phases = targets.input ? flip_kernel_phases(g, w, buf) : std::vector<Phase>();
  const size_t x_image = g.padded_image(), g_image = size_t(g.O) * g.extended_plane;
  const int chunk = images_per_chunk(x_image + g_image, g.N);
  for (int n0 = 0; n0 < g.N; n0 += chunk) {  // chunks in order: the batch sums never depend on threads
    const int count = std::min(chunk, g.N - n0);
    Scalar* extended = grow(buf.extended, g_image * count + kRowSlack);  // slack: (C2)'s last tile
    for (int b = 0; b < count; ++b) extend_gradient(g, dy, after, n0 + b, extended + b * g_image);
    for (int b = 0; targets.bias && b < count; ++b)
      for (int o = 0; o < g.O; ++o)
        db[size_t(o)] += lane_sum(extended + b * g_image + g.lead + o * g.extended_plane, size_t(g.wide));
    if (targets.weight) {
      const Scalar* padded = kept ? kept->data() + size_t(n0) * x_image : pad_images(g, x, n0, count, buf);
      implicit_weight_gradient(g, padded, extended, count, dw, pool);
    }
    // (C2) one image per thread: an image's product split over the threads
    // cost more in wake-ups than it saved (two threads ran resnet-mini's
    // convolution backward slower than one). Each image writes its own dx,
    // with the same bits either way.
    ThreadPool* per_image =
        count > 1 ? pool_if_worth(pool, double(count) * g.O * g.rows * g.wide, kMinParallelWork) : nullptr;
    parallel_for(per_image, count, [&](int begin, int end) {
      for (int b = begin; b < end; ++b)
        for (size_t k = 0; k < phases.size(); ++k)
          input_gradient_phase(g, phases[k], buf.kernels[k], buf.flipped.data(), extended + b * g_image, n0 + b, dx,
                               per_image ? nullptr : pool);
    });
  }
}

}  // namespace fast
}  // namespace gcam

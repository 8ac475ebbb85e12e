// Implicit-GEMM convolution at stride 1 (fast/implicit_conv.hpp): equations
// (C1)–(C4) of src/ops/conv2d.cpp as products whose im2col rows are shifted
// views of a padded plane.
//
// On the padded grid (Hp × Wp planes, output t = i·Wp + j; "wide" output
// planes of OH·Wp values whose columns j ≥ OW are dropped):
//   (C1) Yw  = W · cols,              row (c,p,q) of cols = padded x_c shifted by p·Wp + q
//   (C4) db += Σ_t Gw[o][t]           Gw = dy on the wide grid, dropped columns 0
//   (C3) dW += Gw · colsᵀ             two ways, both reading cols from the padded image:
//        dot products along t (few output channels), outer products with Gw transposed (many)
//   (C2) dx_pad[c][s] = Σ_{o,p,q} w[o,c,p,q] · Gw[o][s − p·Wp − q]
//        = Σ_{o,p',q'} w[o,c,kH−1−p',kW−1−q'] · E_o[s + p'·Wp + q'],
//        E_o = Gw[o] with L = (kH−1)·Wp + kW−1 zeros before and after it: the
//        same implicit product, kernel flipped, channels swapped. A shift that
//        runs off the left of a row lands in the previous row's dropped
//        columns, which are zero: there are exactly kW − 1 of them.
#include "gcam/fast/implicit_conv.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv_geometry.hpp"
#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/fast/gemm.hpp"
#include "gcam/fast/lane_sum.hpp"
#include "vector_unit.hpp"

namespace gcam {
namespace fast {

namespace {

using std::size_t;

// Lanes is a GCC/clang vector extension: kDotLanes Scalars that the compiler
// keeps in one vector register of the target (64 bytes with AVX-512, 32 with
// AVX, 16 otherwise), with + and * lane by lane. The 16 accumulators are 16
// named variables, not an array: g++ keeps an array of vectors in memory
// here (measured: half the speed), clang either way.
constexpr int kTileO = 4, kTileR = 4, kDotLanes = kVectorBytes / int(sizeof(Scalar));
typedef Scalar Lanes __attribute__((vector_size(kVectorBytes)));

Lanes load_lanes(const Scalar* from) {  // rows are not aligned to a vector
  Lanes v;
  std::memcpy(&v, from, sizeof v);
  return v;
}

// Where things sit on the padded grid of one image.
struct PaddedGrid : ConvShape {
  int Hp, Wp;
  size_t padded_plane;    // Hp·Wp
  int wide;               // OH·Wp: one output plane on the wide grid
  int dot_length;         // wide rounded up to whole Lanes: the length of (C3)'s dot products
  int lead;               // L: zeros before a gradient plane in E
  size_t extended_plane;  // one plane of E: L zeros, Gw[o], at least L zeros (and up to dot_length)
  int flipped_depth;      // O·kH·kW: a row of the flipped kernel, the depth of (C2)'s product
  PaddedGrid(const Tensor& x, const Tensor& w, int padding)
      : ConvShape(x, w, 1, padding),
        Hp(H + 2 * padding),
        Wp(W + 2 * padding),
        padded_plane(size_t(Hp) * Wp),
        wide(OH * Wp),
        dot_length((wide + kDotLanes - 1) / kDotLanes * kDotLanes),
        lead((KH - 1) * Wp + KW - 1),
        extended_plane(size_t(lead) + size_t(wide) + size_t(std::max(lead, dot_length - wide))),
        flipped_depth(O * KH * KW) {}
  // The last tap's row reads kW − 1 values past the last padded plane in
  // (C1), and up to kDotLanes − 1 more in (C3)'s rounded-up dot products
  // (where they meet zeros of Gw).
  size_t padded_image() const { return size_t(C) * padded_plane + size_t(KW - 1 + kDotLanes); }
  double work() const { return double(N) * O * P * rows; }  // multiply-adds of one product
};

// Per-thread buffers, grown to the largest call and then reused.
struct Buffers {
  std::vector<Scalar> padded, wide, extended, flipped;
  std::vector<const Scalar*> rows;
  PackedA kernel;  // the weights (forward) or the flipped kernel (input gradient), packed once per call
};
thread_local Buffers buffers;

// Below this many multiply-adds a loop runs on the calling thread, as in gemm.cpp.
constexpr double kMinParallelWork = 1 << 21;

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

// Image n of x onto the padded grid: C zero-bordered planes, then the slack.
void pad_image(const PaddedGrid& g, const Tensor& x, int n, Scalar* out) {
  const size_t border = size_t(g.padding) * g.Wp;
  for (int c = 0; c < g.C; ++c) {
    const Scalar* plane = x.data() + (size_t(n) * g.C + c) * g.H * g.W;
    out = put_zeros(out, border);
    out = put_rows(plane, g.H, g.W, g.padding, g.padding, out);
    out = put_zeros(out, border);
  }
  put_zeros(out, g.padded_image() - size_t(g.C) * g.padded_plane);
}

// Row (c, p, q) of the implicit im2col matrix: plane c of `planes` (each
// `plane` long) shifted by p·Wp + q, plus `offset`.
const Scalar* const* tap_rows(const PaddedGrid& g, const Scalar* planes, size_t plane, int channels, size_t offset,
                              std::vector<const Scalar*>& table) {
  table.resize(size_t(channels) * g.KH * g.KW);
  for (int c = 0; c < channels; ++c)
    for (int p = 0; p < g.KH; ++p)
      for (int q = 0; q < g.KW; ++q)
        table[(size_t(c) * g.KH + p) * g.KW + q] = planes + c * plane + offset + size_t(p) * g.Wp + q;
  return table.data();
}

// (C1) for image n: Yw = W·cols on the wide grid, then narrowed into y with the bias.
void forward_image(const PaddedGrid& g, const Tensor& x, const Tensor& w, const PackedA& packed_w, const Tensor& b,
                   int n, Tensor& y, ThreadPool* pool) {
  Buffers& buf = buffers;
  Scalar* padded = grow(buf.padded, g.padded_image());
  pad_image(g, x, n, padded);
  const Scalar* const* rows = tap_rows(g, padded, g.padded_plane, g.C, 0, buf.rows);
  Scalar* wide = grow(buf.wide, size_t(g.O) * g.wide);
  gemm_rows(Trans::No, Trans::No, g.O, g.wide, g.rows, w.data(), g.rows, rows, wide, g.wide, Update::Overwrite, pool,
            &packed_w);
  for (int o = 0; o < g.O; ++o) {
    const Scalar bias = b[size_t(o)];
    for (int i = 0; i < g.OH; ++i) {
      const Scalar* src = wide + size_t(o) * g.wide + size_t(i) * g.Wp;
      Scalar* dst = y.data() + ((size_t(n) * g.O + o) * g.OH + i) * g.OW;
      for (int j = 0; j < g.OW; ++j) dst[j] = src[j] + bias;
    }
  }
}

// E for image n: each plane of dy on the wide grid (dropped columns zero)
// with L zeros before it and at least L after. Gw[o] starts at E + o·extended_plane + L.
void extend_gradient(const PaddedGrid& g, const Tensor& dy, int n, Scalar* out) {
  for (int o = 0; o < g.O; ++o) {
    const Scalar* plane = dy.data() + (size_t(n) * g.O + o) * g.OH * g.OW;
    Scalar* end = put_rows(plane, g.OH, g.OW, 0, g.Wp - g.OW, put_zeros(out, size_t(g.lead)));
    out = put_zeros(end, g.extended_plane - size_t(g.lead) - size_t(g.wide));
  }
}

// The kernel flipped and its channels swapped, as a C × (O·kH·kW) matrix:
// flipped[c][(o·kH + p')·kW + q'] = w[o][c][kH−1−p'][kW−1−q'].
const Scalar* flip_kernel(const PaddedGrid& g, const Tensor& w, std::vector<Scalar>& buffer) {
  const int row = g.flipped_depth;
  Scalar* out = grow(buffer, size_t(g.C) * row);
  for (int o = 0; o < g.O; ++o)
    for (int c = 0; c < g.C; ++c)
      for (int p = 0; p < g.KH; ++p)
        for (int q = 0; q < g.KW; ++q)
          out[size_t(c) * row + (size_t(o) * g.KH + g.KH - 1 - p) * g.KW + (g.KW - 1 - q)] =
              w.data()[((size_t(o) * g.C + c) * g.KH + p) * g.KW + q];
  return out;
}

// (C2) for image n: dx_pad = flipped · rows of E, on the padded rows h + pad
// only (H·Wp columns), then the valid columns added into dx.
void input_gradient_image(const PaddedGrid& g, const Scalar* flipped, const PackedA& packed_flipped,
                          const Scalar* extended, int n, Tensor& dx, ThreadPool* pool) {
  Buffers& buf = buffers;
  const int columns = g.H * g.Wp, depth = g.flipped_depth;
  const Scalar* const* rows = tap_rows(g, extended, g.extended_plane, g.O, size_t(g.padding) * g.Wp, buf.rows);
  Scalar* wide = grow(buf.wide, size_t(g.C) * columns);
  gemm_rows(Trans::No, Trans::No, g.C, columns, depth, flipped, depth, rows, wide, columns, Update::Overwrite, pool,
            &packed_flipped);
  for (int c = 0; c < g.C; ++c)
    for (int h = 0; h < g.H; ++h) {
      const Scalar* src = wide + size_t(c) * columns + size_t(h) * g.Wp + g.padding;
      Scalar* dst = dx.data() + ((size_t(n) * g.C + c) * g.H + h) * g.W;
      for (int j = 0; j < g.W; ++j) dst[j] += src[j];
    }
}

// ---- (C3) as dot products along t ------------------------------------------------------
// dW[o][r] = Σ_n Σ_t Gw_n[o][t] · X_n,r[t]: both factors run contiguously
// along t, so the sums are dot products, computed for a tile of kTileO output
// channels × kTileR im2col rows at once (16 accumulators of kDotLanes lanes;
// each loaded vector serves 4 of them). A gemm would first transpose one
// factor into its packed panels, one scalar at a time; here nothing is
// copied. Each tile sums its images in order and its lanes in order at the
// end: the same bits for any thread count.
//
// Row a of G and row r of X for image n start at g[a] + n·g_step and x[r] + n·x_step.
struct DotTile {
  const Scalar* g[kTileO];
  const Scalar* x[kTileR];
  size_t g_step, x_step;
};

Scalar lane_total(Lanes v) {
  Scalar sum = 0;
  for (int l = 0; l < kDotLanes; ++l) sum += v[l];
  return sum;
}

// sums[a][r] = Σ_n Σ_t g_a[t]·x_r[t], t < length (a whole number of Lanes).
__attribute__((noinline))  // inlined into its caller, g++ keeps the accumulators in memory
void dot_tile(const DotTile& tile, int images, int length, Scalar sums[kTileO][kTileR]) {
  Lanes a00{}, a01{}, a02{}, a03{}, a10{}, a11{}, a12{}, a13{}, a20{}, a21{}, a22{}, a23{}, a30{}, a31{}, a32{}, a33{};
  for (int n = 0; n < images; ++n) {
    const Scalar *g0 = tile.g[0] + n * tile.g_step, *g1 = tile.g[1] + n * tile.g_step,
                 *g2 = tile.g[2] + n * tile.g_step, *g3 = tile.g[3] + n * tile.g_step;
    const Scalar *x0 = tile.x[0] + n * tile.x_step, *x1 = tile.x[1] + n * tile.x_step,
                 *x2 = tile.x[2] + n * tile.x_step, *x3 = tile.x[3] + n * tile.x_step;
    for (int t = 0; t < length; t += kDotLanes) {
      const Lanes v0 = load_lanes(x0 + t), v1 = load_lanes(x1 + t), v2 = load_lanes(x2 + t), v3 = load_lanes(x3 + t);
      Lanes g = load_lanes(g0 + t);
      a00 += g * v0, a01 += g * v1, a02 += g * v2, a03 += g * v3;
      g = load_lanes(g1 + t);
      a10 += g * v0, a11 += g * v1, a12 += g * v2, a13 += g * v3;
      g = load_lanes(g2 + t);
      a20 += g * v0, a21 += g * v1, a22 += g * v2, a23 += g * v3;
      g = load_lanes(g3 + t);
      a30 += g * v0, a31 += g * v1, a32 += g * v2, a33 += g * v3;
    }
  }
  const Lanes acc[kTileO][kTileR] = {
      {a00, a01, a02, a03}, {a10, a11, a12, a13}, {a20, a21, a22, a23}, {a30, a31, a32, a33}};
  for (int a = 0; a < kTileO; ++a)
    for (int r = 0; r < kTileR; ++r) sums[a][r] = lane_total(acc[a][r]);
}

// (C3) for `images` consecutive images: `padded` holds their padded images
// (padded_image() apart), `extended` their E (O·extended_plane apart).
void weight_gradient_images(const PaddedGrid& g, const Scalar* padded, const Scalar* extended, int images, Tensor& dw,
                            ThreadPool* pool) {
  const int tiles_o = (g.O + kTileO - 1) / kTileO, tiles_r = (g.rows + kTileR - 1) / kTileR;
  const double work = double(images) * g.O * g.rows * g.wide;
  const Scalar* const* cols = tap_rows(g, padded, g.padded_plane, g.C, 0, buffers.rows);  // of the first image
  parallel_for(pool_if_worth(pool, work, kMinParallelWork), tiles_o * tiles_r, [&](int begin, int end) {
    for (int index = begin; index < end; ++index) {
      const int o0 = index / tiles_r * kTileO, r0 = index % tiles_r * kTileR;
      DotTile tile{{}, {}, size_t(g.O) * g.extended_plane, g.padded_image()};
      // A tile hanging over the last channel or row repeats it; those sums are not stored.
      for (int a = 0; a < kTileO; ++a) tile.g[a] = extended + g.lead + std::min(o0 + a, g.O - 1) * g.extended_plane;
      for (int r = 0; r < kTileR; ++r) tile.x[r] = cols[std::min(r0 + r, g.rows - 1)];
      Scalar sums[kTileO][kTileR];
      dot_tile(tile, images, g.dot_length, sums);
      for (int a = 0; a < kTileO && o0 + a < g.O; ++a)
        for (int r = 0; r < kTileR && r0 + r < g.rows; ++r)
          dw.data()[size_t(o0 + a) * g.rows + size_t(r0 + r)] += sums[a][r];
    }
  });
}

// (C3) for many output channels, as outer products that need no packing:
//   dWᵀ[r][o] += Σ_t cols[r][t] · GT[t][o]
// with GT = Gw transposed (t-major, GT[t] holds the O values of position t,
// zero past O up to whole kOutTile). A tile of kRowTile im2col rows ×
// kOutTile channels stays in registers for all t of all the chunk's images;
// each t broadcasts one value of each row (read straight from the padded
// image) and loads one row of GT: the shape of gemm's micro-kernel, without
// copying cols into panels first. From kOuterFrom channels on it beats the
// dot tiles, whose loaded vectors serve only kTileR or kTileO sums each.
constexpr int kRowTile = 8, kOutTile = 32, kOuterFrom = 32;

// acc[i][j] = Σ_n Σ_t row_i,n[t] · GT_n[t][o0 + j]; row i of image n starts at
// rows[i] + n·x_step, image n's GT at gt + n·g_step.
void outer_tile(const Scalar* const rows[kRowTile], size_t x_step, const Scalar* gt, size_t g_step, int ld, int images,
                int length, Scalar acc[kRowTile][kOutTile]) {
  for (int i = 0; i < kRowTile; ++i)
    for (int j = 0; j < kOutTile; ++j) acc[i][j] = 0;
  for (int n = 0; n < images; ++n) {
    const Scalar* r[kRowTile];
    for (int i = 0; i < kRowTile; ++i) r[i] = rows[i] + n * x_step;
    const Scalar* g = gt + n * g_step;
    for (int t = 0; t < length; ++t) {
      const Scalar* b = g + size_t(t) * ld;
      for (int i = 0; i < kRowTile; ++i)
        for (int j = 0; j < kOutTile; ++j) acc[i][j] += r[i][t] * b[j];
    }
  }
}

// GT for `count` images from dy: image b at b·wide·ld, zero at the dropped
// columns and past O.
// Every value is written once, position by position: each row of GT is
// written contiguously (the O values gathered from the image's planes, which
// sit in L1, then the zeros), rather than each plane scattered with a stride
// of ld, which cost more than the transposition's arithmetic.
Scalar* transpose_gradient(const PaddedGrid& g, const Tensor& dy, int n0, int count, int ld) {
  thread_local std::vector<Scalar> gt;
  gt.resize(size_t(count) * g.wide * ld);
  const size_t plane = size_t(g.OH) * g.OW;
  Scalar* dst = gt.data();
  for (int b = 0; b < count; ++b) {
    const Scalar* image = dy.data() + size_t(n0 + b) * g.O * plane;
    for (int i = 0; i < g.OH; ++i)
      for (int j = 0; j < g.Wp; ++j, dst += ld) {
        const int channels = j < g.OW ? g.O : 0;  // the dropped columns are all zero
        const Scalar* src = image + size_t(i) * g.OW + size_t(j);
        for (int o = 0; o < channels; ++o) dst[o] = src[size_t(o) * plane];
        std::fill(dst + channels, dst + ld, Scalar(0));
      }
  }
  return gt.data();
}

void weight_gradient_outer(const PaddedGrid& g, const Scalar* padded, const Tensor& dy, int n0, int count, Tensor& dw,
                           ThreadPool* pool) {
  const int ld = (g.O + kOutTile - 1) / kOutTile * kOutTile;
  const Scalar* gt = transpose_gradient(g, dy, n0, count, ld);
  const int row_tiles = (g.rows + kRowTile - 1) / kRowTile, out_tiles = ld / kOutTile;
  const double work = double(count) * g.O * g.rows * g.wide;
  const Scalar* const* cols = tap_rows(g, padded, g.padded_plane, g.C, 0, buffers.rows);  // of the first image
  parallel_for(pool_if_worth(pool, work, kMinParallelWork), row_tiles * out_tiles, [&](int begin, int end) {
    for (int index = begin; index < end; ++index) {
      const int r0 = index / out_tiles * kRowTile, o0 = index % out_tiles * kOutTile;
      const Scalar* rows[kRowTile];
      for (int i = 0; i < kRowTile; ++i)
        rows[i] = cols[std::min(r0 + i, g.rows - 1)];  // past the last: repeated, not stored
      Scalar acc[kRowTile][kOutTile];
      outer_tile(rows, g.padded_image(), gt + o0, size_t(g.wide) * ld, ld, count, g.wide, acc);
      for (int i = 0; i < kRowTile && r0 + i < g.rows; ++i)
        for (int j = 0; j < kOutTile && o0 + j < g.O; ++j)
          dw.data()[size_t(o0 + j) * g.rows + size_t(r0 + i)] += acc[i][j];
    }
  });
}

}  // namespace

bool implicit_conv_suits(int stride) { return stride == 1; }

void implicit_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int padding, ThreadPool* pool,
                             Tensor& y) {
  const PaddedGrid g(x, w, padding);
  y.resize({g.N, g.O, g.OH, g.OW});  // every element is written below
  if (y.empty()) return;
  PackedA& packed_w = buffers.kernel;  // read by every thread, written only here
  packed_w.pack(Trans::No, g.O, g.rows, w.data(), g.rows);
  if (g.N == 1) return forward_image(g, x, w, packed_w, b, 0, y, pool);  // the gemm may use the pool
  parallel_for(pool_if_worth(pool, g.work(), kMinParallelWork), g.N, [&](int begin, int end) {
    for (int n = begin; n < end; ++n) forward_image(g, x, w, packed_w, b, n, y, nullptr);
  });
}

void implicit_conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int padding, Tensor& dx, Tensor& dw,
                              Tensor& db, ThreadPool* pool, Targets targets) {
  const PaddedGrid g(x, w, padding);
  Buffers& buf = buffers;
  const Scalar* flipped = targets.input ? flip_kernel(g, w, buf.flipped) : nullptr;
  if (targets.input) buf.kernel.pack(Trans::No, g.C, g.flipped_depth, flipped, g.flipped_depth);
  const size_t x_image = g.padded_image(), g_image = size_t(g.O) * g.extended_plane;
  const int chunk = images_per_chunk(x_image + g_image, g.N);
  for (int n0 = 0; n0 < g.N; n0 += chunk) {  // chunks in order: the batch sums never depend on threads
    const int count = std::min(chunk, g.N - n0);
    Scalar* extended = grow(buf.extended, g_image * count);
    for (int b = 0; b < count; ++b) extend_gradient(g, dy, n0 + b, extended + b * g_image);
    for (int b = 0; targets.bias && b < count; ++b)
      for (int o = 0; o < g.O; ++o)
        db[size_t(o)] += lane_sum(extended + b * g_image + g.lead + o * g.extended_plane, size_t(g.wide));
    if (targets.weight) {
      Scalar* padded = grow(buf.padded, x_image * count);
      for (int b = 0; b < count; ++b) pad_image(g, x, n0 + b, padded + b * x_image);
      if (g.O < kOuterFrom)
        weight_gradient_images(g, padded, extended, count, dw, pool);
      else
        weight_gradient_outer(g, padded, dy, n0, count, dw, pool);
    }
    for (int b = 0; targets.input && b < count; ++b)
      input_gradient_image(g, flipped, buf.kernel, extended + b * g_image, n0 + b, dx, pool);
  }
}

}  // namespace fast
}  // namespace gcam

// (C3) of the implicit-GEMM convolution (implicit_grid.hpp): the weight
// gradient dW[o][r] = Σ_n Σ_t Gw_n[o][t] · X_n,r[t], where row r = (c, p, q)
// of the im2col matrix X is read in place from the padded image. By the
// number of output channels: outer products with Gw transposed for one
// vector's worth or for many, dot products along t for the others.
#include <algorithm>
#include <cstring>
#include <vector>

#include "gcam/core/thread_pool.hpp"
#include "implicit_grid.hpp"

namespace gcam {
namespace fast {

namespace {

using std::size_t;

// The 16 accumulators of dot_tile are 16 named variables, not an array: g++
// keeps an array of vectors in memory here (measured: half the speed), clang
// either way.
constexpr int kTileO = 4, kTileR = 4;

thread_local std::vector<const Scalar*> rows_table;

// ---- (C3) as dot products along t ------------------------------------------------------
// dW[o][r] = Σ_n Σ_t Gw_n[o][t] · X_n,r[t]: both factors run contiguously
// along t, so the sums are dot products, computed for a tile of kTileO output
// channels × kTileR im2col rows at once (16 accumulators of kDotLanes lanes;
// each loaded vector serves 4 of them, from a register: load_to_register). A
// gemm would first transpose one factor into its packed panels, one scalar at
// a time; here nothing is copied. Each tile sums its images in order and its
// lanes in order at the end: the same bits for any thread count.
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
      const Lanes v0 = load_to_register(x0 + t), v1 = load_to_register(x1 + t), v2 = load_to_register(x2 + t),
                  v3 = load_to_register(x3 + t);
      const Lanes h0 = load_to_register(g0 + t), h1 = load_to_register(g1 + t), h2 = load_to_register(g2 + t),
                  h3 = load_to_register(g3 + t);
      a00 += h0 * v0, a01 += h0 * v1, a02 += h0 * v2, a03 += h0 * v3;
      a10 += h1 * v0, a11 += h1 * v1, a12 += h1 * v2, a13 += h1 * v3;
      a20 += h2 * v0, a21 += h2 * v1, a22 += h2 * v2, a23 += h2 * v3;
      a30 += h3 * v0, a31 += h3 * v1, a32 += h3 * v2, a33 += h3 * v3;
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
  const Scalar* const* cols = tap_rows(g, padded, rows_table);  // of the first image
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
// zero past O up to whole tiles of channels). A tile of im2col rows ×
// channels stays in registers for all t of all the chunk's images; each t
// broadcasts one value of each row (read straight from the padded image) and
// loads one row of GT: the shape of gemm's micro-kernel, without copying cols
// into panels first. Each loaded vector serves a whole column of the tile,
// where a dot tile's serve only kTileR or kTileO sums: the wide tile from
// kOuterFrom channels on, the narrow one for one vector's worth.
constexpr int kRowTile = 8, kOutTile = 32, kOuterFrom = 32;
// 12 rows: their 12 pointers, t and GT's pointer fit the 16 general registers
// (with 16 rows g++ kept some pointers in vector registers, 10 % slower).
constexpr int kNarrowRows = kVectorRegisters >= 32 ? 12 : 8, kNarrowOuts = kDotLanes;

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

// The same for a tile one vector of channels wide, written in Lanes: g++
// unrolls a j loop of kDotLanes Scalars before it vectorises and makes it
// scalar code (as gemm_internal.hpp says of NR = 16), 17× slower here.
void narrow_outer_tile(const Scalar* const rows[kNarrowRows], size_t x_step, const Scalar* gt, size_t g_step,
                       int images, int length, Scalar out[kNarrowRows][kNarrowOuts]) {
  Lanes acc[kNarrowRows] = {};
  for (int n = 0; n < images; ++n) {
    const Scalar* r[kNarrowRows];
    for (int i = 0; i < kNarrowRows; ++i) r[i] = rows[i] + n * x_step;
    const Scalar* g = gt + n * g_step;
    for (int t = 0; t < length; ++t) {
      const Lanes b = load_lanes(g + size_t(t) * kNarrowOuts);  // GT's rows are one tile wide
      for (int i = 0; i < kNarrowRows; ++i) acc[i] += r[i][t] * b;
    }
  }
  for (int i = 0; i < kNarrowRows; ++i) std::memcpy(out[i], &acc[i], sizeof acc[i]);
}

// GT for `count` images from their E (Gw on the wide grid, the dropped
// columns already zero, and already rectified for conv2d_relu): image b at
// b·wide·ld, zero past O.
// Every value is written once, position by position: each row of GT is
// written contiguously (the O values gathered from the image's planes of E,
// which sit in L1, then the zeros), rather than each plane scattered with a
// stride of ld, which cost more than the transposition's arithmetic.
Scalar* transpose_gradient(const PaddedGrid& g, const Scalar* extended, int count, int ld) {
  thread_local std::vector<Scalar> gt;
  gt.resize(size_t(count) * g.wide * ld);
  Scalar* dst = gt.data();
  for (int b = 0; b < count; ++b) {
    const Scalar* gw = extended + size_t(b) * g.O * g.extended_plane + g.lead;
    for (int t = 0; t < g.wide; ++t, dst += ld) {
      for (int o = 0; o < g.O; ++o) dst[o] = gw[size_t(o) * g.extended_plane + size_t(t)];
      std::fill(dst + g.O, dst + ld, Scalar(0));
    }
  }
  return gt.data();
}

// (C3) by outer products, with tiles of kRows im2col rows × kOuts channels.
template <int kRows, int kOuts>
void weight_gradient_outer(const PaddedGrid& g, const Scalar* padded, const Scalar* extended, int count, Tensor& dw,
                           ThreadPool* pool) {
  const int ld = (g.O + kOuts - 1) / kOuts * kOuts;
  const Scalar* gt = transpose_gradient(g, extended, count, ld);
  const int row_tiles = (g.rows + kRows - 1) / kRows, out_tiles = ld / kOuts;
  const double work = double(count) * g.O * g.rows * g.wide;
  const Scalar* const* cols = tap_rows(g, padded, rows_table);  // of the first image
  parallel_for(pool_if_worth(pool, work, kMinParallelWork), row_tiles * out_tiles, [&](int begin, int end) {
    for (int index = begin; index < end; ++index) {
      const int r0 = index / out_tiles * kRows, o0 = index % out_tiles * kOuts;
      const Scalar* rows[kRows];
      for (int i = 0; i < kRows; ++i)
        rows[i] = cols[std::min(r0 + i, g.rows - 1)];  // past the last: repeated, not stored
      Scalar acc[kRows][kOuts];
      if constexpr (kOuts == kNarrowOuts && kRows == kNarrowRows)
        narrow_outer_tile(rows, g.padded_image(), gt + o0, size_t(g.wide) * ld, count, g.wide, acc);
      else
        outer_tile(rows, g.padded_image(), gt + o0, size_t(g.wide) * ld, ld, count, g.wide, acc);
      for (int i = 0; i < kRows && r0 + i < g.rows; ++i)
        for (int j = 0; j < kOuts && o0 + j < g.O; ++j)
          dw.data()[size_t(o0 + j) * g.rows + size_t(r0 + i)] += acc[i][j];
    }
  });
}

}  // namespace

void implicit_weight_gradient(const PaddedGrid& g, const Scalar* padded, const Scalar* extended, int count, Tensor& dw,
                              ThreadPool* pool) {
  if (g.O > kNarrowOuts / 2 && g.O <= kNarrowOuts && g.rows >= kNarrowRows)  // one vector of channels
    weight_gradient_outer<kNarrowRows, kNarrowOuts>(g, padded, extended, count, dw, pool);
  else if (g.O < kOuterFrom)
    weight_gradient_images(g, padded, extended, count, dw, pool);
  else
    weight_gradient_outer<kRowTile, kOutTile>(g, padded, extended, count, dw, pool);
}

}  // namespace fast
}  // namespace gcam

// implicit_grid.hpp — where the implicit-GEMM convolution (implicit_conv.cpp
// and implicit_weight_gradient.cpp) puts an image and its gradient, and the
// vector type of its hand-tiled loops. Private to src/fast/.
//
// The padded grid. Each input plane gets a zero border of `padding` values:
// Hp = H + 2·pad rows of Wp = W + 2·pad values. At stride s that plane is
// stored as s × s phase planes: phase (a, b) holds the padded rows a, a + s,
// a + 2s, ... and, of each, the columns b, b + s, ... (Hq = ⌈Hp/s⌉ rows of
// Wq = ⌈Wp/s⌉ values). Only the phases some tap reads are stored (a < kH,
// b < kW): a 1×1 kernel at stride 2 reads one of four. Output (i, j) is numbered t = i·Wq + j on the "wide"
// grid of OH rows of Wq. Kernel tap (c, p, q) of output t reads padded value
// (s·i + p, s·j + q), which is phase (p mod s, q mod s) of channel c at row
// i + ⌊p/s⌋, column j + ⌊q/s⌋: position t + ⌊p/s⌋·Wq + ⌊q/s⌋ of that phase
// plane. So row (c, p, q) of the im2col matrix is a phase plane shifted by a
// constant: a pointer, never a copy. At stride 1 there is one phase, the
// padded plane itself. The columns j ≥ OW of each wide row are computed and
// dropped (Wq − OW ≥ ⌈kW/s⌉ − 1 of them, which (C2) relies on).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#include "conv_geometry.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/gemm.hpp"
#include "gcam/fast/targets.hpp"
#include "vector_unit.hpp"

namespace gcam {
class ThreadPool;
namespace fast {

// Lanes is a GCC/clang vector extension: kDotLanes Scalars that the compiler
// keeps in one vector register of the target (64 bytes with AVX-512, 32 with
// AVX, 16 otherwise), with + and * lane by lane.
constexpr int kDotLanes = kVectorBytes / int(sizeof(Scalar));
// Values past the end of a row table's rows that the products may read.
constexpr int kRowSlack = std::max(kDotLanes, kGemmTileColumns);
typedef Scalar Lanes __attribute__((vector_size(kVectorBytes)));

inline Lanes load_lanes(const Scalar* from) {  // rows are not aligned to a vector
  Lanes v;
  std::memcpy(&v, from, sizeof v);
  return v;
}

// A loaded vector meant to serve several multiply-adds from one register. g++
// otherwise folds the load into every multiply-add that uses it (a memory
// operand looks free to it), so each vector is loaded once per use and the
// loop is bound by loads: dot_tile ran at half its speed. The empty asm
// claims to change v in a vector register, which forces one load into one
// register; it emits no instruction.
inline Lanes load_to_register(const Scalar* from) {
  Lanes v = load_lanes(from);
#if defined(__x86_64__) || defined(__i386__)
  asm("" : "+v"(v));
#elif defined(__aarch64__)
  asm("" : "+w"(v));
#endif
  return v;
}

// Below this many multiply-adds a loop runs on the calling thread, as in gemm.cpp.
constexpr double kMinParallelWork = 1 << 21;

struct PaddedGrid : ConvShape {
  int Hp, Wp;                  // the zero-bordered plane
  int phases_h, phases_w;      // phase planes per channel along each axis: min(s, kernel size)
  int phases;                  // phases_h·phases_w
  int Hq, Wq;                  // one phase plane; Wq is also the row pitch of the wide grid
  std::size_t phase_plane;     // Hq·Wq
  int wide;                    // OH·Wq: one output plane on the wide grid
  int dot_length;              // wide rounded up to whole Lanes: the length of (C3)'s dot products
  int lead;                    // L = ⌊(kH−1)/s⌋·Wq + ⌊(kW−1)/s⌋: zeros before a gradient plane in E
  std::size_t extended_plane;  // one plane of E: L zeros, Gw[o], then zeros past every read
  int flipped_depth;           // O·kH·kW: every tap of the flipped kernel, all phases together
  PaddedGrid(const Tensor& x, const Tensor& w, int stride_, int padding_)
      : ConvShape(x, w, stride_, padding_),
        Hp(H + 2 * padding),
        Wp(W + 2 * padding),
        phases_h(std::min(stride, KH)),
        phases_w(std::min(stride, KW)),
        phases(phases_h * phases_w),
        Hq((Hp + stride - 1) / stride),
        Wq((Wp + stride - 1) / stride),
        phase_plane(std::size_t(Hq) * Wq),
        wide(OH * Wq),
        dot_length((wide + kDotLanes - 1) / kDotLanes * kDotLanes),
        lead((KH - 1) / stride * Wq + (KW - 1) / stride),
        extended_plane(std::size_t(lead) + std::size_t(wide) +
                       std::size_t(std::max({lead, (Hq - OH) * Wq, dot_length - wide}))),
        flipped_depth(O * KH * KW) {}
  // The padded image of one image: C·s² phase planes, then slack for the
  // last rows, which read ⌊(kW−1)/s⌋ values past the last plane in (C1),
  // then up to kGemmTileColumns − 1 more in (C1)'s last tile (gemm_rows
  // with rows_padded) or kDotLanes − 1 in (C3)'s rounded-up dot products
  // (where they meet zeros of Gw).
  std::size_t padded_image() const {
    return std::size_t(C) * phases * phase_plane + std::size_t((KW - 1) / stride + kRowSlack);
  }
  // Where row (c, p, q) of the im2col matrix starts in a padded image.
  std::size_t tap_offset(int c, int p, int q) const {
    const int phase = p % stride * phases_w + q % stride;
    return (std::size_t(c) * phases + phase) * phase_plane + std::size_t(p / stride) * Wq + q / stride;
  }
  double work() const { return double(N) * O * P * rows; }  // multiply-adds of one product
};

// (C1) into y (resized and overwritten), at any stride, with `epilogue`
// applied as y is written (fast/conv2d.hpp); the padded images into `kept`
// (resized), if not null; for ReluMaxPool the winners into `winners` (resized).
void implicit_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding,
                             ThreadPool* pool, Tensor& y, Tensor* kept, Epilogue epilogue, std::vector<int>* winners);

// (C2)–(C4), adding into the gradients `targets` asks for (shapes checked by
// the caller); (C3) reads the padded images from `kept` when not null. dy is
// the gradient of the epilogue's output, taken back through it (`after`).
void implicit_conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                              Tensor& dw, Tensor& db, ThreadPool* pool, Targets targets, const Tensor* kept,
                              const EpilogueOutput& after);

// The table of row starts of the im2col matrix of the padded image at `padded`.
const Scalar* const* tap_rows(const PaddedGrid& g, const Scalar* padded, std::vector<const Scalar*>& table);

// (C3) dW += Gw·colsᵀ for `count` images: `padded` holds their padded images
// (padded_image() apart), `extended` their E (O·extended_plane apart). Sums
// the images in order: the same bits for any thread count.
void implicit_weight_gradient(const PaddedGrid& g, const Scalar* padded, const Scalar* extended, int count, Tensor& dw,
                              ThreadPool* pool);

}  // namespace fast
}  // namespace gcam

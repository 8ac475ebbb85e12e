// The cache blocks of the fast gemm and the packing of its operands (see the
// top of gemm.cpp for the five loops they serve).
#include <unistd.h>

#include <algorithm>
#include <cstddef>

#include "gcam/fast/gemm.hpp"
#include "gemm_internal.hpp"

namespace gcam {
namespace gemm_detail {

namespace {

long cache_bytes(int name, long fallback) {
  const long bytes = sysconf(name);
  return bytes > 0 ? bytes : fallback;
}

Blocking derive_blocking() {
  const long l1 = cache_bytes(_SC_LEVEL1_DCACHE_SIZE, 32 * 1024), l2 = cache_bytes(_SC_LEVEL2_CACHE_SIZE, 1 << 20),
             l3 = cache_bytes(_SC_LEVEL3_CACHE_SIZE, 8 << 20);
  const long scalar = static_cast<long>(sizeof(Scalar));
  Blocking b{};
  b.kc = static_cast<int>(std::clamp<long>(l1 * 2 / 3 / (NR * scalar) / 16 * 16, 64, 512));
  b.mc = static_cast<int>(std::clamp<long>(l2 / 2 / (b.kc * scalar) / MR * MR, MR, 1024 / MR * MR));
  b.nc = static_cast<int>(std::clamp<long>(l3 / 4 / (b.kc * scalar) / NR * NR, 4 * NR, 4096 / NR * NR));
  return b;
}

// dst[k·pitch + i] = rows[i][k] for i < kRows and k < count: a transposition.
// Blocks of kBlock values of k go through a small kBlock × kRows array with
// fixed trip counts, which g++ turns into kRows vector loads, a network of
// permutes and vector stores; the plain loop moved one value per load and
// store, and packing took 11 % of a 1024³ product.
template <int kRows>
void transpose_rows(const Scalar* const rows[kRows], int count, Scalar* dst, std::size_t pitch) {
  constexpr int kBlock = 16;
  int k = 0;
  for (; k + kBlock <= count; k += kBlock) {
    Scalar block[kBlock][kRows];
    for (int b = 0; b < kBlock; ++b)
      for (int i = 0; i < kRows; ++i) block[b][i] = rows[i][k + b];
    for (int b = 0; b < kBlock; ++b)
      for (int i = 0; i < kRows; ++i) dst[(k + b) * pitch + i] = block[b][i];
  }
  for (; k < count; ++k)
    for (int i = 0; i < kRows; ++i) dst[k * pitch + i] = rows[i][k];
}

}  // namespace

const Blocking& blocking() {
  static const Blocking b = derive_blocking();  // once, thread-safe (magic static)
  return b;
}

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into ceil(mc/MR) micro-panels. Panel r
// holds rows i0 + r·MR ... in k-major order, dst[(r·kc + k)·MR + i], so the
// micro-kernel reads the MR values of one k contiguously. Missing rows of the
// last panel are zero.
void pack_a(const Problem& p, int i0, int mc, int p0, int kc, Scalar* dst) {
  for (int r = 0; r < mc; r += MR) {
    const int rows = std::min(MR, mc - r);
    Scalar* panel = dst + static_cast<std::size_t>(r) * kc;
    if (p.trans_a == Trans::No) {
      const Scalar* src[MR];
      for (int i = 0; i < MR; ++i)  // rows past the last are read as the last, and overwritten by zeros below
        src[i] = p.A + static_cast<std::size_t>(i0 + r + std::min(i, rows - 1)) * p.lda + p0;
      transpose_rows<MR>(src, kc, panel, MR);
    } else {
      for (int k = 0; k < kc; ++k) {
        const Scalar* src = p.A + static_cast<std::size_t>(p0 + k) * p.lda + i0 + r;
        for (int i = 0; i < rows; ++i) panel[k * MR + i] = src[i];
      }
    }
    if (rows < MR)
      for (int k = 0; k < kc; ++k)
        for (int i = rows; i < MR; ++i) panel[k * MR + i] = 0;
  }
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into ceil(nc/NR) micro-panels, panel s
// holding columns j0 + s·NR ... as dst[(s·kc + k)·NR + j]. Missing columns of
// the last panel are zero.
void pack_b(const Problem& p, int p0, int kc, int j0, int nc, Scalar* dst) {
  if (p.trans_b == Trans::No) {
    // Row by row of B, each row's part copied into every panel: the reads run
    // along B's rows, which the hardware prefetches, rather than down a panel's
    // column of rows a whole row pitch apart.
    for (int k = 0; k < kc; ++k) {
      const Scalar* src = b_row(p, p0 + k) + j0;
      for (int s = 0; s < nc; s += NR) {
        const int cols = std::min(NR, nc - s);
        Scalar* out = dst + static_cast<std::size_t>(s) * kc + static_cast<std::size_t>(k) * NR;
        for (int j = 0; j < cols; ++j) out[j] = src[s + j];
        for (int j = cols; j < NR; ++j) out[j] = 0;
      }
    }
    return;
  }
  for (int s = 0; s < nc; s += NR) {
    const int cols = std::min(NR, nc - s);
    Scalar* panel = dst + static_cast<std::size_t>(s) * kc;
    constexpr int kRows = 8;  // columns transposed at once
    static_assert(NR % kRows == 0, "whole blocks of columns");
    for (int j = 0; j < cols; j += kRows) {
      const Scalar* src[kRows];
      for (int i = 0; i < kRows; ++i) src[i] = b_row(p, j0 + s + std::min(j + i, cols - 1)) + p0;
      transpose_rows<kRows>(src, kc, panel + j, NR);
    }
    if (cols < NR)
      for (int k = 0; k < kc; ++k)
        for (int j = cols; j < NR; ++j) panel[k * NR + j] = 0;
  }
}

}  // namespace gemm_detail

GemmBlocking gemm_blocking() {
  using namespace gemm_detail;
  return {MR, NR, blocking().kc, blocking().mc, blocking().nc};
}

void PackedA::pack(Trans trans_a, int M, int K, const Scalar* A, int lda) {
  using namespace gemm_detail;
  rows_ = M;
  depth_ = K;
  data_.resize(static_cast<std::size_t>(padded_rows(M)) * K);
  const Problem p{trans_a, Trans::No, M, 0, K, A, lda, nullptr, 0, nullptr, 0, false, nullptr, nullptr, false};
  const int KC = blocking().kc, MC = blocking().mc;
  for (int pc = 0; pc < K; pc += KC) {
    const int kc = std::min(KC, K - pc);
    for (int ic = 0; ic < M; ic += MC)
      pack_a(p, ic, std::min(MC, M - ic), pc, kc, data_.data() + packed_a_offset(M, ic, pc, kc));
  }
}

}  // namespace gcam

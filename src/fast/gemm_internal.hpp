// gemm_internal.hpp — what gemm.cpp (the loops and micro-kernels) and
// gemm_pack.cpp (the cache blocks and the packing) share; private to src/fast/.
// The design is described at the top of gemm.cpp.
#pragma once

#include <algorithm>
#include <cstddef>

#include "gcam/fast/gemm.hpp"
#include "vector_unit.hpp"

namespace gcam {
namespace gemm_detail {

constexpr int kLanes = fast::kVectorBytes / static_cast<int>(sizeof(Scalar));

// Micro-tile MR×NR, the block of C one micro-kernel call keeps in registers.
// One k-step loads NR values of B (NR/kLanes vectors), broadcasts MR values of
// A and issues MR·NR/kLanes fused multiply-adds into as many accumulator
// registers. About 3/4 of the register file holds accumulators; the rest
// holds the B vectors and broadcasts.
//  NR = 32 Scalars for every target: g++ completely unrolls loops of at most
//       16 iterations before it vectorizes, and then re-vectorizes the
//       unrolled j loop badly (measured 10-20× slower with NR = 16); with 32
//       the j loop is vectorized as a loop, as intended. AVX-512: 2 vectors
//       of float or 4 of double; AVX2: 4 of float.
//  MR = accumulator registers / vectors per row, at most 8: AVX-512 float
//       8×32 (16 accumulators — 16 independent FMA chains hide the FMA
//       latency; MR = 12 measured the same with g++ but is slower with clang,
//       and 8 divides the usual channel counts 8…64, so M = output channels
//       leaves no half-empty edge tiles), AVX-512 double 6×32, AVX2 float
//       3×32. Narrow vector units get MR = 1: correct, just not tuned.
constexpr int NR = kGemmTileColumns;
constexpr int MR = std::max(1, std::min(8, fast::kVectorRegisters * 3 / 4 / (NR / kLanes)));
static_assert(NR % kLanes == 0, "a row of the micro-tile is whole vectors");

// M rounded up to whole micro-panels of MR rows: the rows pack_a writes.
inline int padded_rows(int M) { return (M + MR - 1) / MR * MR; }

// Cache blocking, derived at run time from the caches this machine reports
// (sysconf; fallbacks 32 KB L1d, 1 MB L2, 8 MB L3 where it reports none), so
// that the blocks fit the CPU the program runs on, not the one it was tuned
// on. Other sizes only cost speed, never correctness. (Results depend on KC,
// the grouping of the sums over K: on one machine they are the same for any
// thread count and any run.)
//  KC: depth of one rank-KC update. The B micro-panel (KC×NR) is reused by
//      all MC/MR micro-tiles of a block, so it should stay in L1 together
//      with the A micro-panel (KC×MR) streaming through: the B micro-panel
//      takes about 2/3 of L1d (on a 48 KB L1d: KC = 256 for float, 32 KB).
//      Float KC = 128…384 measured within noise of each other on 512² and
//      1024² products on such a core.
//  MC: rows of the packed A block (MC×KC), which stays in L2 while all the
//      B micro-panels of the NC panel pass by: half of L2, a multiple of MR.
//  NC: columns of the packed B panel (KC×NC), meant for L3; it also bounds
//      the per-thread buffer. A quarter of L3 at most, and at most 4096.
struct Blocking {
  int kc, mc, nc;
};
// The blocks for this machine, derived once (gemm_pack.cpp).
const Blocking& blocking();

// One product's arguments, as gemm and gemm_rows received them.
struct Problem {
  Trans trans_a, trans_b;
  int M, N, K;
  const Scalar* A;
  int lda;
  const Scalar* B;
  int ldb;
  Scalar* C;
  int ldc;
  bool add;
  const Scalar* const* b_rows;  // gemm_rows: where each stored row of B starts (null: B + r·ldb)
  const Scalar* a_packed;       // gemm_rows: op(A) packed beforehand (PackedA), or null
  bool rows_padded;             // gemm_rows: each row readable to N rounded up to whole tiles
};

// Stored row r of B: from the row table of gemm_rows, or r rows past B.
inline const Scalar* b_row(const Problem& p, int r) {
  return p.b_rows ? p.b_rows[r] : p.B + static_cast<std::size_t>(r) * p.ldb;
}

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into ceil(mc/MR) micro-panels (k-major,
// missing rows zero).
void pack_a(const Problem& p, int i0, int mc, int p0, int kc, Scalar* dst);
// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into ceil(nc/NR) micro-panels (missing
// columns zero).
void pack_b(const Problem& p, int p0, int kc, int j0, int nc, Scalar* dst);
// Where PackedA keeps the block of rows from i0 (a multiple of MR) in the
// K-slice from p0 of an M-row op(A): slices one after another, each all of
// op(A)'s padded rows.
inline std::size_t packed_a_offset(int M, int i0, int p0, int kc) {
  return static_cast<std::size_t>(p0) * padded_rows(M) + static_cast<std::size_t>(i0) * kc;
}

}  // namespace gemm_detail
}  // namespace gcam

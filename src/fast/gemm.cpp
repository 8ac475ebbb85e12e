// Reference and fast GEMM (see gemm.hpp for the contract).
//
// The fast gemm follows the classic five-loop structure of high-performance
// GEMM libraries (as described by Goto & van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication", 2008), written here from scratch
// in plain C++ that the compiler vectorizes:
//
//   for jc over N in steps of NC            (B panel, kept in L3)
//     for pc over K in steps of KC          (depth of one rank-KC update)
//       pack op(B)[pc:pc+KC, jc:jc+NC]      → bp: NR-column micro-panels
//       for ic over M in steps of MC        (A block, kept in L2)
//         pack op(A)[ic:ic+MC, pc:pc+KC]    → ap: MR-row micro-panels
//         for jr over NC in steps of NR     (B micro-panel, kept in L1)
//           for ir over MC in steps of MR
//             micro-kernel: C[ir:ir+MR, jr:jr+NR] (+)= ap_ir · bp_jr
//
// gemm_rows skips two of the copies when it can: whole NR-wide tiles of a
// non-transposed B are read in place from the row table (the implicit
// convolution's rows are shifts of an image already in L1), and op(A) may
// come packed beforehand (PackedA: a convolution's weights, packed once for
// all the images of a batch). Block (ic, pc) of a PackedA lies where pack_a
// would have written it, so the micro-kernels see the same values.
//
// Every element C[i][j] is therefore computed as: for each KC-slice of K in
// ascending order, a register accumulator starts at 0, adds a[i][k]·b[k][j]
// for k ascending, and is then stored (first slice with Overwrite) or added
// to C. That sequence depends only on K and KC — not on where the tile sits,
// how the rows and columns were split over threads, or whether the tile is an
// edge tile — which is why results are bit-identical for any thread count.
#include "gcam/fast/gemm.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gcam/core/thread_pool.hpp"
#include "gemm_internal.hpp"

namespace gcam {

// ---- reference --------------------------------------------------------------------

void gemm_reference(Trans trans_a, Trans trans_b, int M, int N, int K, const Scalar* A, int lda, const Scalar* B,
                    int ldb, Scalar* C, int ldc, Update update) {
  using std::size_t;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      Scalar sum = 0;
      for (int k = 0; k < K; ++k) {
        const Scalar a = trans_a == Trans::No ? A[size_t(i) * lda + k] : A[size_t(k) * lda + i];
        const Scalar b = trans_b == Trans::No ? B[size_t(k) * ldb + j] : B[size_t(j) * ldb + k];
        sum += a * b;
      }
      Scalar& c = C[size_t(i) * ldc + j];
      c = update == Update::Add ? c + sum : sum;
    }
}

// ---- fast -------------------------------------------------------------------------

namespace {

using namespace gemm_detail;

// Below this many multiply-adds a product runs on the calling thread: waking
// a sleeping pool (tens of microseconds) costs more than it saves. 2²¹ keeps
// batch-1 Grad-CAM on one thread and every batch-64 conv on all of them.
// (Results do not depend on this choice.)
constexpr double kMinParallelWork = 1 << 21;

// A per-thread growable buffer, aligned to a cache line so the micro-kernel's
// vector loads never straddle two lines. thread_local: each thread of the pool
// (and the caller) packs into its own memory, which is reused by every later
// call on that thread, so steady-state calls allocate nothing.
class PackBuffer {
 public:
  Scalar* get(std::size_t count) {
    constexpr std::size_t kAlign = 64;
    const std::size_t slack = kAlign / sizeof(Scalar);
    if (storage_.size() < count + slack) storage_.resize(count + slack);
    const auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
    const std::size_t skip = ((kAlign - address % kAlign) % kAlign) / sizeof(Scalar);
    return storage_.data() + skip;
  }

 private:
  std::vector<Scalar> storage_;
};

thread_local PackBuffer a_workspace;
thread_local PackBuffer b_workspace;

// Stores the m×n valid part of an MR×NR tile of accumulators to C (add =
// false) or adds it (add = true).
void store_tile(const Scalar (&acc)[MR][NR], Scalar* c, int ldc, int m, int n, bool add) {
  if (m == MR && n == NR) {  // fixed trip counts: vector stores
    for (int i = 0; i < MR; ++i) {
      Scalar* row = c + static_cast<std::size_t>(i) * ldc;
      if (add)
        for (int j = 0; j < NR; ++j) row[j] += acc[i][j];
      else
        for (int j = 0; j < NR; ++j) row[j] = acc[i][j];
    }
    return;
  }
  for (int i = 0; i < m; ++i) {  // edge tile: same arithmetic, only part of it is stored
    Scalar* row = c + static_cast<std::size_t>(i) * ldc;
    if (add)
      for (int j = 0; j < n; ++j) row[j] += acc[i][j];
    else
      for (int j = 0; j < n; ++j) row[j] = acc[i][j];
  }
}

// One MR×NR tile: acc = Σ_k a[k]ᵀ·b[k] over the packed micro-panels, then
// stored. Fixed trip counts let the compiler unroll the i/j loops completely,
// keep acc in vector registers and turn `acc += a·b` into broadcast-FMAs.
void micro_kernel(int kc, const Scalar* a, const Scalar* b, Scalar* c, int ldc, int m, int n, bool add) {
  Scalar acc[MR][NR] = {};
  for (int k = 0; k < kc; ++k) {
    const Scalar* ak = a + k * MR;
    const Scalar* bk = b + k * NR;
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += ak[i] * bk[j];
  }
  store_tile(acc, c, ldc, m, n, add);
}

// The same tile with B read in place: row k of the micro-panel is the NR
// values from b_rows[k] + column on (gemm_rows, B not transposed; a whole
// tile wide, or with rows_padded the last n columns of a partial one, whose
// other columns are read but never stored). The implicit convolution's rows are shifted copies of a
// padded image that sits in L1, so copying them into a panel first (as
// pack_b does) would cost a load and a store per value for nothing. The sums
// are formed in the same order as micro_kernel's, so the results are the
// same bits.
void micro_kernel_in_place(int kc, const Scalar* a, const Scalar* const* b_rows, int column, Scalar* c, int ldc, int m,
                           int n, bool add) {
  Scalar acc[MR][NR] = {};
  for (int k = 0; k < kc; ++k) {
    const Scalar* ak = a + k * MR;
    const Scalar* bk = b_rows[k] + column;
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += ak[i] * bk[j];
  }
  store_tile(acc, c, ldc, m, n, add);
}

// C[i0 : i0+mc, j0 : j0+nc] (+)= packed A block · B panel. The first
// `in_place` columns (micro-tiles) read B's rows in place from
// p.b_rows + p0; the rest come from the packed panel bp.
void macro_kernel(const Problem& p, int i0, int mc, int j0, int nc, int p0, int kc, const Scalar* ap, const Scalar* bp,
                  int in_place, bool add) {
  for (int j = 0; j < nc; j += NR)
    for (int i = 0; i < mc; i += MR) {
      const Scalar* a = ap + static_cast<std::size_t>(i) * kc;
      Scalar* c = p.C + static_cast<std::size_t>(i0 + i) * p.ldc + j0 + j;
      const int m = std::min(MR, mc - i);
      if (j < in_place)
        micro_kernel_in_place(kc, a, p.b_rows + p0, j0 + j, c, p.ldc, m, std::min(NR, nc - j), add);
      else
        micro_kernel(kc, a, bp + static_cast<std::size_t>(j - in_place) * kc, c, p.ldc, m, std::min(NR, nc - j), add);
    }
}

// The five loops for the sub-matrix C[m0:m1, n0:n1], on the calling thread.
void gemm_range(const Problem& p, int m0, int m1, int n0, int n1) {
  if (m0 >= m1 || n0 >= n1) return;
  const int m_span = m1 - m0, n_span = n1 - n0;
  const int KC = blocking().kc, MC = blocking().mc, NC = blocking().nc;  // whole micro-tiles: see derive_blocking
  const int kc_max = std::min(KC, p.K);
  const int mc_max = std::min(MC, padded_rows(m_span));
  const int nc_max = std::min(NC, (n_span + NR - 1) / NR * NR);
  // A packed beforehand (PackedA) needs no buffer of this thread's.
  Scalar* ap = p.a_packed ? nullptr : a_workspace.get(static_cast<std::size_t>(mc_max) * kc_max);
  Scalar* bp = b_workspace.get(static_cast<std::size_t>(nc_max) * kc_max);
  for (int jc = n0; jc < n1; jc += NC) {
    const int nc = std::min(NC, n1 - jc);
    for (int pc = 0; pc < p.K; pc += KC) {
      const int kc = std::min(KC, p.K - pc);
      const bool add = p.add || pc > 0;
      // gemm_rows with B not transposed reads whole tiles of B in place
      // (micro_kernel_in_place); a last, partial tile is packed unless the
      // rows are padded.
      const int in_place = !p.b_rows || p.trans_b == Trans::Yes ? 0
                           : p.rows_padded                      ? (nc + NR - 1) / NR * NR
                                                                : nc / NR * NR;
      if (nc > in_place) pack_b(p, pc, kc, jc + in_place, nc - in_place, bp);
      for (int ic = m0; ic < m1; ic += MC) {
        const int mc = std::min(MC, m1 - ic);
        const Scalar* a_block = ap;
        if (p.a_packed)
          a_block = p.a_packed + packed_a_offset(p.M, ic, pc, kc);
        else
          pack_a(p, ic, mc, pc, kc, ap);
        macro_kernel(p, ic, mc, jc, nc, pc, kc, a_block, bp, in_place, add);
      }
    }
  }
}

}  // namespace

namespace {

// Rows of C this few are computed without packing: packing B costs as much
// as the whole product when each packed value is used only M times (a dense
// layer at batch 1 would copy all its weights to use each one once).
constexpr int kUnpackedRows = 4;

// C (+)= op(A)·op(B) for M ≤ kUnpackedRows, straight from the operands: each
// row of C is a sum of rows of B (B not transposed) or a set of dot products
// with rows of B (B transposed), both over contiguous memory.
void gemm_few_rows(const Problem& p) {
  thread_local std::vector<Scalar> row_of_a;  // row i of op(A), contiguous
  for (int i = 0; i < p.M; ++i) {
    Scalar* c = p.C + static_cast<std::size_t>(i) * p.ldc;
    if (!p.add) std::fill(c, c + p.N, Scalar(0));
    const Scalar* a_row = p.A + static_cast<std::size_t>(i) * p.lda;
    if (p.trans_a == Trans::Yes) {  // a column of A: gathered once, so the loops below read it contiguously
      row_of_a.resize(static_cast<std::size_t>(p.K));
      for (int k = 0; k < p.K; ++k)
        row_of_a[static_cast<std::size_t>(k)] = p.A[static_cast<std::size_t>(k) * p.lda + i];
      a_row = row_of_a.data();
    }
    auto a = [a_row](int k) { return a_row[k]; };
    if (p.trans_b == Trans::No) {
      for (int k = 0; k < p.K; ++k) {
        const Scalar aik = a(k);
        const Scalar* b = b_row(p, k);
        for (int j = 0; j < p.N; ++j) c[j] += aik * b[j];
      }
    } else {
      // Dot products with kLanes partial sums, so the compiler can keep them
      // in one vector register (a single running sum would be a serial chain
      // it may not reorder); they are added up in a fixed order.
      constexpr int kLanes = 16;
      for (int j = 0; j < p.N; ++j) {
        const Scalar* b = b_row(p, j);
        Scalar partial[kLanes] = {};
        int k = 0;
        for (; k + kLanes <= p.K; k += kLanes)
          for (int l = 0; l < kLanes; ++l) partial[l] += a(k + l) * b[k + l];
        Scalar sum = 0;
        for (int l = 0; l < kLanes; ++l) sum += partial[l];
        for (; k < p.K; ++k) sum += a(k) * b[k];
        c[j] += sum;
      }
    }
  }
}

}  // namespace

namespace {

// gemm and gemm_rows after their arguments are gathered: the few-rows path, or
// the five loops on one thread or split over the pool.
void run(const Problem& p, ThreadPool* pool) {
  if (p.M <= 0 || p.N <= 0) return;
  if (p.K <= 0) {  // empty sum: C = 0, or C unchanged
    if (!p.add)
      for (int i = 0; i < p.M; ++i) {
        Scalar* row = p.C + static_cast<std::size_t>(i) * p.ldc;
        std::fill(row, row + p.N, Scalar(0));
      }
    return;
  }
  if (p.M <= kUnpackedRows) return gemm_few_rows(p);
  const double work = double(p.M) * p.N * p.K;
  if (!pool || pool->threads() == 1 || work < kMinParallelWork) return gemm_range(p, 0, p.M, 0, p.N);
  // Split C into contiguous ranges of whole micro-tiles along the dimension
  // that has more of them; ThreadPool::parallel_for gives one range per thread.
  const int tiles_m = (p.M + MR - 1) / MR, tiles_n = (p.N + NR - 1) / NR;
  if (tiles_n >= tiles_m)
    parallel_for(pool, tiles_n,
                 [&](int begin, int end) { gemm_range(p, 0, p.M, begin * NR, std::min(p.N, end * NR)); });
  else
    parallel_for(pool, tiles_m,
                 [&](int begin, int end) { gemm_range(p, begin * MR, std::min(p.M, end * MR), 0, p.N); });
}

}  // namespace

void gemm(Trans trans_a, Trans trans_b, int M, int N, int K, const Scalar* A, int lda, const Scalar* B, int ldb,
          Scalar* C, int ldc, Update update, ThreadPool* pool) {
  run(Problem{trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, update == Update::Add, nullptr, nullptr, false}, pool);
}

void gemm_rows(Trans trans_a, Trans trans_b, int M, int N, int K, const Scalar* A, int lda, const Scalar* const* b_rows,
               Scalar* C, int ldc, Update update, ThreadPool* pool, const PackedA* a_packed, bool rows_padded) {
  if (a_packed && (a_packed->rows() != M || a_packed->depth() != K))
    throw std::invalid_argument("gemm_rows: the packed A is " + std::to_string(a_packed->rows()) + "x" +
                                std::to_string(a_packed->depth()) + ", the product needs " + std::to_string(M) + "x" +
                                std::to_string(K));
  run(Problem{trans_a, trans_b, M, N, K, A, lda, nullptr, 0, C, ldc, update == Update::Add, b_rows,
              a_packed ? a_packed->data() : nullptr, rows_padded},
      pool);
}

}  // namespace gcam

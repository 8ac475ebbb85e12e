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
// Every element C[i][j] is therefore computed as: for each KC-slice of K in
// ascending order, a register accumulator starts at 0, adds a[i][k]·b[k][j]
// for k ascending, and is then stored (first slice with Overwrite) or added
// to C. That sequence depends only on K and KC — not on where the tile sits,
// how the rows and columns were split over threads, or whether the tile is an
// edge tile — which is why results are bit-identical for any thread count.
#include "gcam/fast/gemm.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gcam/core/thread_pool.hpp"
#include "vector_unit.hpp"

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

using fast::kVectorBytes;  // the target's vector unit (vector_unit.hpp)
using fast::kVectorRegisters;
constexpr int kLanes = kVectorBytes / static_cast<int>(sizeof(Scalar));

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
constexpr int NR = 32;
constexpr int MR = std::max(1, std::min(8, kVectorRegisters * 3 / 4 / (NR / kLanes)));
static_assert(NR % kLanes == 0, "a row of the micro-tile is whole vectors");

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

const Blocking& blocking() {
  static const Blocking b = derive_blocking();  // once, thread-safe (magic static)
  return b;
}

// Below this many multiply-adds a product runs on the calling thread: waking
// the pool (tens of microseconds) costs more than it saves. 2²¹ keeps
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
};

// Stored row r of B: from the row table of gemm_rows, or r rows past B.
const Scalar* b_row(const Problem& p, int r) {
  return p.b_rows ? p.b_rows[r] : p.B + static_cast<std::size_t>(r) * p.ldb;
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
      for (int i = 0; i < rows; ++i) {
        const Scalar* src = p.A + static_cast<std::size_t>(i0 + r + i) * p.lda + p0;
        for (int k = 0; k < kc; ++k) panel[k * MR + i] = src[k];
      }
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
  for (int s = 0; s < nc; s += NR) {
    const int cols = std::min(NR, nc - s);
    Scalar* panel = dst + static_cast<std::size_t>(s) * kc;
    if (p.trans_b == Trans::No) {
      for (int k = 0; k < kc; ++k) {
        const Scalar* src = b_row(p, p0 + k) + j0 + s;
        Scalar* out = panel + k * NR;
        for (int j = 0; j < cols; ++j) out[j] = src[j];
        for (int j = cols; j < NR; ++j) out[j] = 0;
      }
    } else {
      for (int j = 0; j < cols; ++j) {
        const Scalar* src = b_row(p, j0 + s + j) + p0;
        for (int k = 0; k < kc; ++k) panel[k * NR + j] = src[k];
      }
      if (cols < NR)
        for (int k = 0; k < kc; ++k)
          for (int j = cols; j < NR; ++j) panel[k * NR + j] = 0;
    }
  }
}

// One MR×NR tile: acc = Σ_k a[k]ᵀ·b[k] over the packed micro-panels, then the
// m×n valid part is stored to (add = false) or added to (add = true) C.
// Fixed trip counts let the compiler unroll the i/j loops completely, keep
// acc in vector registers and turn `acc += a·b` into broadcast-FMAs.
void micro_kernel(int kc, const Scalar* a, const Scalar* b, Scalar* c, int ldc, int m, int n, bool add) {
  Scalar acc[MR][NR] = {};
  for (int k = 0; k < kc; ++k) {
    const Scalar* ak = a + k * MR;
    const Scalar* bk = b + k * NR;
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += ak[i] * bk[j];
  }
  if (m == MR && n == NR) {
    for (int i = 0; i < MR; ++i) {
      Scalar* row = c + static_cast<std::size_t>(i) * ldc;
      if (add)
        for (int j = 0; j < NR; ++j) row[j] += acc[i][j];
      else
        for (int j = 0; j < NR; ++j) row[j] = acc[i][j];
    }
  } else {  // edge tile: same arithmetic, only part of it is stored
    for (int i = 0; i < m; ++i) {
      Scalar* row = c + static_cast<std::size_t>(i) * ldc;
      if (add)
        for (int j = 0; j < n; ++j) row[j] += acc[i][j];
      else
        for (int j = 0; j < n; ++j) row[j] = acc[i][j];
    }
  }
}

// C[i0 : i0+mc, j0 : j0+nc] (+)= packed A block · packed B panel.
void macro_kernel(const Problem& p, int i0, int mc, int j0, int nc, int kc, const Scalar* ap, const Scalar* bp,
                  bool add) {
  for (int j = 0; j < nc; j += NR)
    for (int i = 0; i < mc; i += MR)
      micro_kernel(kc, ap + static_cast<std::size_t>(i) * kc, bp + static_cast<std::size_t>(j) * kc,
                   p.C + static_cast<std::size_t>(i0 + i) * p.ldc + j0 + j, p.ldc, std::min(MR, mc - i),
                   std::min(NR, nc - j), add);
}

// The five loops for the sub-matrix C[m0:m1, n0:n1], on the calling thread.
void gemm_range(const Problem& p, int m0, int m1, int n0, int n1) {
  if (m0 >= m1 || n0 >= n1) return;
  const int m_span = m1 - m0, n_span = n1 - n0;
  const int KC = blocking().kc, MC = blocking().mc, NC = blocking().nc;  // whole micro-tiles: see derive_blocking
  const int kc_max = std::min(KC, p.K);
  const int mc_max = std::min(MC, (m_span + MR - 1) / MR * MR);
  const int nc_max = std::min(NC, (n_span + NR - 1) / NR * NR);
  Scalar* ap = a_workspace.get(static_cast<std::size_t>(mc_max) * kc_max);
  Scalar* bp = b_workspace.get(static_cast<std::size_t>(nc_max) * kc_max);
  for (int jc = n0; jc < n1; jc += NC) {
    const int nc = std::min(NC, n1 - jc);
    for (int pc = 0; pc < p.K; pc += KC) {
      const int kc = std::min(KC, p.K - pc);
      const bool add = p.add || pc > 0;
      pack_b(p, pc, kc, jc, nc, bp);
      for (int ic = m0; ic < m1; ic += MC) {
        const int mc = std::min(MC, m1 - ic);
        pack_a(p, ic, mc, pc, kc, ap);
        macro_kernel(p, ic, mc, jc, nc, kc, ap, bp, add);
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

GemmBlocking gemm_blocking() { return {MR, NR, blocking().kc, blocking().mc, blocking().nc}; }

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
  run(Problem{trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, update == Update::Add, nullptr}, pool);
}

void gemm_rows(Trans trans_a, Trans trans_b, int M, int N, int K, const Scalar* A, int lda, const Scalar* const* b_rows,
               Scalar* C, int ldc, Update update, ThreadPool* pool) {
  run(Problem{trans_a, trans_b, M, N, K, A, lda, nullptr, 0, C, ldc, update == Update::Add, b_rows}, pool);
}

}  // namespace gcam

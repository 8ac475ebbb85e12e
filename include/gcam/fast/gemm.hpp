// gemm.hpp — general matrix multiply: C = op(A)·op(B)  or  C += op(A)·op(B).
//
// All matrices are row-major Scalar arrays with a leading dimension (the
// distance in elements between the starts of two consecutive stored rows):
//   op(A) is M×K:  Trans::No  → A is stored M×K,  op(A)[i][k] = A[i·lda + k]
//                  Trans::Yes → A is stored K×M,  op(A)[i][k] = A[k·lda + i]
//   op(B) is K×N:  Trans::No  → B is stored K×N,  op(B)[k][j] = B[k·ldb + j]
//                  Trans::Yes → B is stored N×K,  op(B)[k][j] = B[j·ldb + k]
//   C is M×N:      C[i][j] = C[i·ldc + j]
// Update::Overwrite computes C = op(A)·op(B) (beta = 0: old C is never read,
// so it may hold garbage or NaN); Update::Add computes C += op(A)·op(B)
// (beta = 1). With K = 0 the product is the zero matrix.
//
// gemm_reference is the definition: three plain loops, one dot product per
// element. gemm is the fast version used by the fast kernels
// (fast/conv2d.hpp, fast/linear.hpp); tests/test_fast_kernels.cpp checks that both agree.
//
// How gemm is fast (details in src/fast/gemm.cpp):
//  - Cache blocking: op(B) is cut into KC×NC panels and op(A) into MC×KC
//    blocks, each copied ("packed") into a contiguous buffer in exactly the
//    order the micro-kernel reads it, so the inner loops stream through L1/L2
//    instead of striding through memory.
//  - Register tiling: a micro-kernel computes an MR×NR tile of C in an array
//    of accumulators the compiler keeps in vector registers; its inner loop
//    is one broadcast of an A value times a row of NR B values per tile row.
//  - Threads: the tiles of C are split over the pool's threads in contiguous
//    ranges; every element of C is computed by exactly one thread, always as
//    the same sequence of operations (the K dimension is never split across
//    threads). So the result is bit-identical for ANY thread count, including
//    pool == nullptr (single-threaded).
//  - Workspace: each thread packs into its own thread_local buffers, which
//    grow to the largest size needed and are then reused: no allocation per
//    call in steady state. The memory (at most a few MB per thread) lives
//    until the thread exits.
#pragma once

#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam {

class ThreadPool;

// Whether an operand is used as stored (No) or transposed (Yes).
enum class Trans { No, Yes };
// Whether gemm overwrites C (C = A·B) or accumulates into it (C += A·B).
enum class Update { Overwrite, Add };

// Reference: C[i][j] (+)= Σ_k op(A)[i][k] · op(B)[k][j], k ascending.
void gemm_reference(Trans trans_a, Trans trans_b, int M, int N, int K, const Scalar* A, int lda, const Scalar* B,
                    int ldb, Scalar* C, int ldc, Update update);

// Fast, cache-blocked and (with a pool) multi-threaded; same contract.
// The operands must not overlap C. `pool` may be null (single-threaded).
void gemm(Trans trans_a, Trans trans_b, int M, int N, int K, const Scalar* A, int lda, const Scalar* B, int ldb,
          Scalar* C, int ldc, Update update, ThreadPool* pool = nullptr);

// op(A) packed once, in the order gemm's micro-kernel reads it, for many
// products with the same A: a convolution multiplies the same weights with
// every image of its batch, and packing them again for each image was about
// a sixth of conv2's product by an estimate of its copies against its
// multiply-adds (32 × 144 weights against 224 columns).
class PackedA {
 public:
  // Packs op(A), which is M×K (trans_a and lda as for gemm). Reuses this
  // object's memory.
  void pack(Trans trans_a, int M, int K, const Scalar* A, int lda);
  int rows() const { return rows_; }
  int depth() const { return depth_; }
  const Scalar* data() const { return data_.data(); }

 private:
  std::vector<Scalar> data_;
  int rows_ = 0, depth_ = 0;
};

// The same product with B given as a table of row starts instead of a base
// and a leading dimension: stored row r of B begins at b_rows[r] (so with
// Trans::No op(B)[k][j] = b_rows[k][j], with Trans::Yes op(B)[k][j] =
// b_rows[j][k]). Rows may overlap: the implicit-GEMM convolution
// (fast/conv2d.hpp) points row (c, p, q) of its im2col matrix at the
// padded image shifted by one kernel tap, so the matrix is never copied out.
// With Trans::No, whole tiles of B are read in place, without packing; with
// `rows_padded` too (each row may be read up to N rounded up to a multiple
// of kGemmTileColumns: the caller left that much slack after its last row),
// so is the last, partial tile. `a_packed`, if given, must be op(A) packed by
// PackedA::pack (an M×K mismatch throws std::invalid_argument). Either way
// the result is the same bits.
void gemm_rows(Trans trans_a, Trans trans_b, int M, int N, int K, const Scalar* A, int lda, const Scalar* const* b_rows,
               Scalar* C, int ldc, Update update, ThreadPool* pool = nullptr, const PackedA* a_packed = nullptr,
               bool rows_padded = false);

// The width of the GEMM's micro-tile (NR): the columns of B one step reads.
constexpr int kGemmTileColumns = 32;

// The block sizes gemm uses on this machine: the micro-tile MR × NR (fixed by
// the vector unit at compile time) and the cache blocks KC, MC, NC (derived
// at run time from the cache sizes the machine reports; see gemm.cpp).
struct GemmBlocking {
  int mr, nr, kc, mc, nc;
};
GemmBlocking gemm_blocking();

}  // namespace gcam

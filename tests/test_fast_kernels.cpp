// The fast kernels (include/gcam/fast/) against the reference ones.
//
// Agreement is measured as
//   relative_error(got, ref) = max_e |got[e] − ref[e]| / max(1, max_e |ref[e]|)
// i.e. an absolute error for results of size ≤ 1 and a relative one for
// larger results, and must be ≤ 1e-5 in float32 and ≤ 1e-12 in float64.
// The fast kernels group their sums differently (blocks of K, lanes), so
// they are not bit-identical to the reference — but they must be
// bit-identical to THEMSELVES for any thread count, which is tested too.
//
// Tagged [float]: these also run in the float32 build (make test).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "conv_cases.hpp"
#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/gemm.hpp"
#include "gcam/fast/linear.hpp"
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

constexpr double kTolerance = sizeof(Scalar) == 4 ? 1e-5 : 1e-12;

double relative_error(const Scalar* got, const Scalar* ref, std::size_t n) {
  double diff = 0, scale = 1;
  for (std::size_t e = 0; e < n; ++e) {
    diff = std::max(diff, std::abs(double(got[e]) - double(ref[e])));
    scale = std::max(scale, std::abs(double(ref[e])));
  }
  return diff / scale;
}

double relative_error(const Tensor& got, const Tensor& ref) {
  REQUIRE(got.shape() == ref.shape());
  return relative_error(got.data(), ref.data(), got.size());
}

const char* trans_name(Trans t) { return t == Trans::No ? "N" : "T"; }

}  // namespace

// ---- gemm ----------------------------------------------------------------------------

TEST_CASE("fast gemm agrees with the reference gemm", "[fast][float][gemm]") {
  struct Size {
    int M, N, K;
  };
  const Size sizes[] = {{1, 1, 1}, {7, 13, 5}, {65, 33, 129}, {200, 300, 150}, {3, 70, 300}, {40, 1, 17}};
  Pools pools;
  std::uint64_t seed = 100;
  for (const Size& s : sizes)
    for (Trans ta : {Trans::No, Trans::Yes})
      for (Trans tb : {Trans::No, Trans::Yes})
        for (Update update : {Update::Overwrite, Update::Add}) {
          // Stored shapes, with leading dimensions a little larger than the
          // rows (sub-matrices of bigger arrays) to test lda/ldb/ldc.
          const int a_rows = ta == Trans::No ? s.M : s.K, a_cols = ta == Trans::No ? s.K : s.M;
          const int b_rows = tb == Trans::No ? s.K : s.N, b_cols = tb == Trans::No ? s.N : s.K;
          const int lda = a_cols + 3, ldb = b_cols + 1, ldc = s.N + 2;
          const Tensor A = random_tensor({a_rows, lda}, ++seed);
          const Tensor B = random_tensor({b_rows, ldb}, ++seed);
          // Overwrite must not read C: start from NaN.
          const Tensor C0 = update == Update::Add ? random_tensor({s.M, ldc}, ++seed)
                                                  : Tensor({s.M, ldc}, std::numeric_limits<Scalar>::quiet_NaN());
          Tensor ref = C0;
          gemm_reference(ta, tb, s.M, s.N, s.K, A.data(), lda, B.data(), ldb, ref.data(), ldc, update);
          Tensor first;
          for (ThreadPool* pool : pools.all()) {
            Tensor C = C0;
            gemm(ta, tb, s.M, s.N, s.K, A.data(), lda, B.data(), ldb, C.data(), ldc, update, pool);
            INFO("M=" << s.M << " N=" << s.N << " K=" << s.K << " op " << trans_name(ta) << trans_name(tb)
                      << (update == Update::Add ? " +=" : " =") << ", " << pool_name(pool));
            // Compare only the M×N part; the padding columns must be untouched.
            double err = 0;
            for (int i = 0; i < s.M; ++i)
              err = std::max(err, relative_error(C.data() + std::size_t(i) * ldc, ref.data() + std::size_t(i) * ldc,
                                                 std::size_t(s.N)));
            CHECK(err <= kTolerance);
            bool padding_untouched = true;
            for (int i = 0; i < s.M; ++i) {
              const std::size_t row = std::size_t(i) * ldc;
              padding_untouched &= std::memcmp(C.data() + row + s.N, C0.data() + row + s.N,
                                               std::size_t(ldc - s.N) * sizeof(Scalar)) == 0;
            }
            CHECK(padding_untouched);
            if (first.empty())
              first = C;
            else
              CHECK(bit_identical(C, first));  // same bits with and without threads
          }
        }
}

TEST_CASE("gemm_rows gives gemm's bits, B read in place and A packed once", "[fast][float][gemm]") {
  // Sizes that cross every boundary of the blocking: a last partial tile of
  // columns (packed, or read in place when the rows are padded), several K-slices, several
  // MC blocks of rows, and the few-rows path.
  const GemmBlocking blocks = gemm_blocking();
  struct Size {
    int M, N, K;
  };
  const Size sizes[] = {{40, 100, blocks.kc + 37}, {blocks.mc + blocks.mr + 3, 70, 30}, {3, 65, 20}};
  Pools pools;
  std::uint64_t seed = 300;
  for (const Size& s : sizes)
    for (Trans ta : {Trans::No, Trans::Yes}) {
      const int lda = (ta == Trans::No ? s.K : s.M) + 1, ldb = s.N + 5;
      const Tensor A = random_tensor({ta == Trans::No ? s.M : s.K, lda}, ++seed);
      const Tensor B = random_tensor({s.K, ldb}, ++seed);
      // B again with NaN past column N and a tile's slack after it: padded
      // rows, whose last tile is read in place too, but whose extra columns
      // must never reach C.
      std::vector<Scalar> padded_b(B.values());
      padded_b.resize(B.size() + kGemmTileColumns, std::numeric_limits<Scalar>::quiet_NaN());
      std::vector<const Scalar*> rows, padded_rows;
      for (int k = 0; k < s.K; ++k) {
        rows.push_back(B.data() + std::size_t(k) * ldb);
        padded_rows.push_back(padded_b.data() + std::size_t(k) * ldb);
        std::fill(padded_b.begin() + k * ldb + s.N, padded_b.begin() + (k + 1) * ldb, padded_b.back());
      }
      Tensor expected({s.M, s.N});
      gemm(ta, Trans::No, s.M, s.N, s.K, A.data(), lda, B.data(), ldb, expected.data(), s.N, Update::Overwrite);
      PackedA packed;
      packed.pack(ta, s.M, s.K, A.data(), lda);
      for (ThreadPool* pool : pools.all())
        for (const PackedA* a_packed : {static_cast<const PackedA*>(nullptr), static_cast<const PackedA*>(&packed)})
          for (bool padded : {false, true}) {
            INFO("M=" << s.M << " N=" << s.N << " K=" << s.K << " op " << trans_name(ta) << ", " << pool_name(pool)
                      << (a_packed ? ", A packed" : "") << (padded ? ", rows padded" : ""));
            Tensor C({s.M, s.N}, std::numeric_limits<Scalar>::quiet_NaN());
            gemm_rows(ta, Trans::No, s.M, s.N, s.K, A.data(), lda, padded ? padded_rows.data() : rows.data(), C.data(),
                      s.N, Update::Overwrite, pool, a_packed, padded);
            CHECK(bit_identical(C, expected));
          }
    }
  PackedA packed;
  const Tensor A = random_tensor({8, 9}, 1);
  packed.pack(Trans::No, 8, 9, A.data(), 9);
  std::vector<const Scalar*> rows(10, A.data());
  Tensor C({8, 9});
  CHECK_THROWS_WITH(gemm_rows(Trans::No, Trans::No, 8, 9, 10, A.data(), 10, rows.data(), C.data(), 9, Update::Overwrite,
                              nullptr, &packed),
                    Catch::Contains("the packed A is 8x9, the product needs 8x10"));
}

TEST_CASE("fast gemm handles empty sizes", "[fast][float][gemm]") {
  // K = 0: the product is the zero matrix; Overwrite writes zeros, Add keeps C.
  Tensor C({2, 3}, 5);
  gemm(Trans::No, Trans::No, 2, 3, 0, nullptr, 1, nullptr, 3, C.data(), 3, Update::Add);
  CHECK(C.values() == std::vector<Scalar>(6, 5));
  gemm(Trans::No, Trans::No, 2, 3, 0, nullptr, 1, nullptr, 3, C.data(), 3, Update::Overwrite);
  CHECK(C.values() == std::vector<Scalar>(6, 0));
  // M = 0 or N = 0: nothing to compute, nothing touched.
  gemm(Trans::No, Trans::No, 0, 3, 4, nullptr, 4, nullptr, 3, nullptr, 3, Update::Overwrite);
  gemm(Trans::No, Trans::No, 2, 0, 4, nullptr, 4, nullptr, 1, nullptr, 1, Update::Overwrite);
}

// ---- conv2d ------------------------------------------------------------------------------

TEST_CASE("the conv2d cases cover every layout of the implicit GEMM", "[fast][float][conv2d]") {
  // One phase plane per channel at stride 1; several at stride 2 and 3, only
  // those some tap reads (a 1×1 kernel reads one); (C3) by dot products for
  // fewer than 32 output channels, by outer products from 32 on and for 9…16
  // (one vector of floats) when there are at least 16 im2col rows.
  int strided = 0, one_phase_strided = 0, wide_outputs = 0, wide_strided = 0, one_vector = 0;
  for (const ConvCase& c : kConvCases) {
    strided += c.stride > 1;
    one_phase_strided += c.stride > 1 && c.w[2] == 1 && c.w[3] == 1;
    wide_outputs += c.w[0] >= 32;
    wide_strided += c.w[0] >= 32 && c.stride > 1;
    one_vector += c.w[0] > 8 && c.w[0] <= 16 && c.w[1] * c.w[2] * c.w[3] >= 16;
  }
  CHECK(strided >= 6);
  CHECK(one_phase_strided >= 2);
  CHECK(wide_outputs >= 3);
  CHECK(wide_strided >= 2);
  CHECK(one_vector >= 2);
}

TEST_CASE("fast conv2d forward and backward agree with the reference", "[fast][float][conv2d]") {
  Pools pools;
  for (const ConvCase& c : kConvCases) {
    const Tensor x = random_tensor(c.x, 1), w = random_tensor(c.w, 2), b = random_tensor({c.w[0]}, 3);
    const Tensor y_ref = conv2d_forward(x, w, b, c.stride, c.padding);
    const Tensor dy = random_tensor(y_ref.shape(), 4);
    ConvGrads ref = initial_grads(c);
    conv2d_backward(x, w, dy, c.stride, c.padding, ref.dx, ref.dw, ref.db);
    Tensor first_y;
    ConvGrads first;
    for (ThreadPool* pool : pools.all()) {
      INFO(conv_name(c) << ", " << pool_name(pool));
      const Tensor y = fast::conv2d_forward(x, w, b, c.stride, c.padding, pool);
      CHECK(relative_error(y, y_ref) <= kTolerance);
      ConvGrads g = initial_grads(c);
      fast::conv2d_backward(x, w, dy, c.stride, c.padding, g.dx, g.dw, g.db, pool);
      CHECK(relative_error(g.dx, ref.dx) <= kTolerance);
      CHECK(relative_error(g.dw, ref.dw) <= kTolerance);
      CHECK(relative_error(g.db, ref.db) <= kTolerance);
      // Keeping the padded input for the backward (as training does) changes no bit.
      Tensor y_kept, padded;
      fast::conv2d_forward(x, w, b, c.stride, c.padding, pool, y_kept, &padded);
      CHECK(padded.shape() == fast::padded_input_shape(x, w, c.stride, c.padding));
      ConvGrads kept = initial_grads(c);
      fast::conv2d_backward(x, w, dy, c.stride, c.padding, kept.dx, kept.dw, kept.db, pool, {}, &padded);
      CHECK(bit_identical(y_kept, y));
      CHECK(bit_identical(kept.dx, g.dx));
      CHECK(bit_identical(kept.dw, g.dw));
      CHECK(bit_identical(kept.db, g.db));
      if (!pool) {
        first_y = y;
        first = g;
      } else {  // threads change nothing
        CHECK(bit_identical(y, first_y));
        CHECK(bit_identical(g.dx, first.dx));
        CHECK(bit_identical(g.dw, first.dw));
        CHECK(bit_identical(g.db, first.db));
      }
    }
  }
}

TEST_CASE("fast conv2d backward refuses a kept padded input of another shape", "[fast][float][conv2d]") {
  const Tensor x = random_tensor({2, 3, 8, 8}, 1), w = random_tensor({4, 3, 3, 3}, 2), b = random_tensor({4}, 3);
  Tensor y, padded;
  fast::conv2d_forward(x, w, b, 1, 1, nullptr, y, &padded);
  const Tensor dy = random_tensor(y.shape(), 4);
  Tensor dx(x.shape()), dw(w.shape()), db({4});
  // Kept at padding 1, read at padding 0: the padded grid differs.
  const Tensor other_dy = random_tensor({2, 4, 6, 6}, 5);
  CHECK_THROWS_AS(fast::conv2d_backward(x, w, other_dy, 1, 0, dx, dw, db, nullptr, {}, &padded), ShapeError);
  const Tensor half = random_tensor({1, 3, 8, 8}, 6);  // from another batch size
  Tensor half_padded;
  fast::conv2d_forward(half, w, b, 1, 1, nullptr, y, &half_padded);
  CHECK_THROWS_WITH(fast::conv2d_backward(x, w, dy, 1, 1, dx, dw, db, nullptr, {}, &half_padded),
                    Catch::Contains("was not made from input [2, 3, 8, 8]"));
}

// ---- linear ------------------------------------------------------------------------------

TEST_CASE("fast linear forward and backward agree with the reference", "[fast][float][linear]") {
  struct Case {
    int N, In, Out;
  };
  const Case cases[] = {{1, 1, 1}, {5, 7, 3}, {1, 20, 10}, {33, 65, 17}, {64, 300, 10}, {2, 513, 129}, {100, 64, 64}};
  Pools pools;
  for (const Case& c : cases) {
    const Tensor x = random_tensor({c.N, c.In}, 1), w = random_tensor({c.Out, c.In}, 2);
    const Tensor b = random_tensor({c.Out}, 3), dy = random_tensor({c.N, c.Out}, 4);
    const Tensor y_ref = linear_forward(x, w, b);
    Tensor dx_ref = random_tensor(x.shape(), 5), dw_ref = random_tensor(w.shape(), 6);
    Tensor db_ref = random_tensor({c.Out}, 7);
    const Tensor dx0 = dx_ref, dw0 = dw_ref, db0 = db_ref;
    linear_backward(x, w, dy, dx_ref, dw_ref, db_ref);
    Tensor first[4];
    for (ThreadPool* pool : pools.all()) {
      INFO("N=" << c.N << " In=" << c.In << " Out=" << c.Out << ", " << pool_name(pool));
      const Tensor y = fast::linear_forward(x, w, b, pool);
      CHECK(relative_error(y, y_ref) <= kTolerance);
      Tensor dx = dx0, dw = dw0, db = db0;
      fast::linear_backward(x, w, dy, dx, dw, db, pool);
      CHECK(relative_error(dx, dx_ref) <= kTolerance);
      CHECK(relative_error(dw, dw_ref) <= kTolerance);
      CHECK(relative_error(db, db_ref) <= kTolerance);
      const Tensor results[4] = {y, dx, dw, db};
      for (int r = 0; r < 4; ++r) {
        if (!pool)
          first[r] = results[r];
        else
          CHECK(bit_identical(results[r], first[r]));
      }
    }
  }
}

// ---- determinism -------------------------------------------------------------------------

TEST_CASE("fast kernels are bit-identical across runs and thread counts", "[fast][float][determinism]") {
  const ConvCase c{{4, 16, 16, 16}, {32, 16, 3, 3}, 1, 1};
  const Tensor x = random_tensor(c.x, 1), w = random_tensor(c.w, 2), b = random_tensor({c.w[0]}, 3);
  const Tensor dy = random_tensor({4, 32, 16, 16}, 4);
  struct Result {
    Tensor y, dx, dw, db, gemm_c;
  };
  const int M = 150, N = 200, K = 300;
  const Tensor A = random_tensor({K, M}, 5), B = random_tensor({N, K}, 6);
  auto run = [&](ThreadPool* pool) {
    Result r;
    r.y = fast::conv2d_forward(x, w, b, c.stride, c.padding, pool);
    ConvGrads g = initial_grads(c);
    fast::conv2d_backward(x, w, dy, c.stride, c.padding, g.dx, g.dw, g.db, pool);
    r.dx = g.dx;
    r.dw = g.dw;
    r.db = g.db;
    r.gemm_c = Tensor({M, N});
    gemm(Trans::Yes, Trans::Yes, M, N, K, A.data(), M, B.data(), K, r.gemm_c.data(), N, Update::Overwrite, pool);
    return r;
  };
  auto same = [](const Result& r, const Result& s) {
    return bit_identical(r.y, s.y) && bit_identical(r.dx, s.dx) && bit_identical(r.dw, s.dw) &&
           bit_identical(r.db, s.db) && bit_identical(r.gemm_c, s.gemm_c);
  };
  ThreadPool one(1), two(2), three(3);
  const Result base = run(&two);
  CHECK(same(run(&two), base));     // same pool, same inputs, twice
  CHECK(same(run(&one), base));     // 1 thread vs 2
  CHECK(same(run(&three), base));   // 3 threads (uneven split) vs 2
  CHECK(same(run(nullptr), base));  // no pool vs 2
}

TEST_CASE("gemm's cache blocks fit the caches this machine reports", "[fast][float][gemm]") {
  const GemmBlocking b = gemm_blocking();
  const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  INFO("MR " << b.mr << " NR " << b.nr << " KC " << b.kc << " MC " << b.mc << " NC " << b.nc << ", L1d " << l1
             << ", L2 " << l2);
  CHECK(b.mc % b.mr == 0);  // whole micro-tiles
  CHECK(b.nc % b.nr == 0);
  CHECK(b.kc >= 64);
  if (l1 > 0 && b.kc > 64) CHECK(long(b.kc) * b.nr * long(sizeof(Scalar)) <= l1);    // the B micro-panel stays in L1
  if (l2 > 0 && b.mc > b.mr) CHECK(long(b.mc) * b.kc * long(sizeof(Scalar)) <= l2);  // the A block stays in L2
}

// The fast max-pool and ReLU (include/gcam/fast/pool_relu.hpp) against the
// reference loops. They only compare and copy, so they must give the same
// bits, and the same winners, for ties and NaNs too.
//
// Tagged [float]: these also run in the float32 build (make test).
#include <cmath>
#include <vector>

#include "gcam/core/thread_pool.hpp"
#include "gcam/fast/pool_relu.hpp"
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

TEST_CASE("fast max-pool and ReLU give exactly the reference results", "[fast][float][pool]") {
  ThreadPool two(2);
  struct Case {
    Shape x;
    int kernel, stride;
  };
  // 2×2 windows on even maps, on odd ones (a row and column left over) and on
  // one long row; other windows; overlapping ones. The 2×2 kernel works in
  // blocks of 16 outputs that run on into the next rows (fashion-cnn's rows
  // of 14 and 7; the row of 2050); 11×32×28×28 is large enough to be split
  // over the two threads, whose blocks must stop at their own planes.
  const Case cases[] = {{{1, 1, 4, 4}, 2, 2},    {{3, 5, 7, 9}, 3, 2},    {{2, 16, 28, 28}, 2, 2},
                        {{1, 2, 5, 5}, 2, 1},    {{2, 3, 7, 9}, 2, 2},    {{4, 8, 14, 14}, 2, 2},
                        {{1, 1, 2, 4100}, 2, 2}, {{11, 32, 28, 28}, 2, 2}};
  for (const Case& c : cases) {
    Tensor x = random_tensor(c.x, 91);
    for (std::size_t e = 0; e < x.size(); e += 7) x[e] = 0;  // ties and ReLU zeros
    // Small integers tie in every pattern of a window; NaNs test which cell
    // the scan keeps (the first cell even if NaN, no NaN after it).
    if (c.x[1] == 8)
      for (std::size_t e = 0; e < x.size(); ++e) x[e] = e % 11 == 3 ? std::nanf("") : Scalar(std::floor(3 * x[e]));
    std::vector<int> ref_winners, fast_winners;
    const Tensor ref = max_pool2d_forward(x, c.kernel, c.stride, ref_winners);
    for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two}) {
      const Tensor fast = fast::max_pool2d_forward(x, c.kernel, c.stride, fast_winners, pool);
      CHECK(fast_winners == ref_winners);
      CHECK(bit_identical(fast, ref));
    }
    CHECK(bit_identical(fast::relu_forward(x), relu_forward(x)));
    const Tensor dy = random_tensor(c.x, 92);
    Tensor dx_ref = random_tensor(c.x, 93), dx_fast = dx_ref;
    relu_backward(x, dy, dx_ref);
    fast::relu_backward(x, dy, dx_fast);
    CHECK(bit_identical(dx_fast, dx_ref));
    Tensor from_zero(c.x), in_place = dy;  // the in-place rule writes what += adds into zeros
    relu_backward(x, dy, from_zero);
    fast::relu_backward_in_place(x, in_place);
    CHECK(bit_identical(in_place, from_zero));
  }
}

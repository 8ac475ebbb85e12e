// Exercise ex09 checks: sgd_update (O1).
// docs/exercises/ex09-sgd.md
#include "exercise_checks.hpp"
#include "gcam/train/optim.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex09-sgd.md, eq. (O1) in include/gcam/train/optim.hpp";
}  // namespace

TEST_CASE("ex09 (O1) plain SGD: theta -= lr * g, and the velocity is the gradient", "[exercise][ex09][float]") {
  Tensor param = T({3}, {1, -2, 0.5}), velocity({3});
  const Tensor grad = T({3}, {0.5, 0.25, -1});
  sgd_update(param, grad, velocity, /*lr=*/0.1, /*momentum=*/0, /*weight_decay=*/0);
  check_values("ex09 param after one step, lr 0.1, no momentum, no weight decay", param, T({3}, {0.95, -2.025, 0.6}),
               kPage);
  check_values("ex09 velocity after one step, no momentum (v = g)", velocity, T({3}, {0.5, 0.25, -1}), kPage);
}

TEST_CASE("ex09 (O1) two steps with momentum 0.9 and weight decay 0.01 by hand", "[exercise][ex09][float]") {
  Tensor param = T({3}, {1, -2, 0.5}), velocity({3});
  const Tensor grad = T({3}, {0.5, 0.25, -1});
  // Step 1: g = grad + 0.01·θ = [0.51, 0.23, −0.995]; v = g; θ −= 0.1·v.
  sgd_update(param, grad, velocity, 0.1, 0.9, 0.01);
  check_values("ex09 velocity after step 1 (v starts at 0)", velocity, T({3}, {0.51, 0.23, -0.995}), kPage);
  check_values("ex09 param after step 1", param, T({3}, {0.949, -2.023, 0.5995}), kPage);
  // Step 2: g = grad + 0.01·θ = [0.50949, 0.22977, −0.994005]; v = 0.9·v + g; θ −= 0.1·v.
  sgd_update(param, grad, velocity, 0.1, 0.9, 0.01);
  check_values("ex09 velocity after step 2 (v = 0.9 v + g, with the decay inside g)", velocity,
               T({3}, {0.96849, 0.43677, -1.889505}), kPage);
  check_values("ex09 param after step 2", param, T({3}, {0.852151, -2.066677, 0.7884505}), kPage);
}

TEST_CASE("ex09 (O1) a zero gradient still decays the weights and keeps the momentum going",
          "[exercise][ex09][float]") {
  Tensor param = T({2}, {2, -4}), velocity = T({2}, {1, -1});
  sgd_update(param, Tensor({2}), velocity, 0.5, 0.5, 0.25);
  // g = 0.25·θ = [0.5, −1]; v = 0.5·[1, −1] + g = [1, −1.5]; θ = θ − 0.5·v = [1.5, −3.25].
  check_values("ex09 velocity with grad 0, momentum 0.5, weight decay 0.25", velocity, T({2}, {1, -1.5}), kPage);
  check_values("ex09 param with grad 0, lr 0.5, momentum 0.5, weight decay 0.25", param, T({2}, {1.5, -3.25}), kPage);
}

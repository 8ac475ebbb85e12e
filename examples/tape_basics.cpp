// The tape on a tiny expression: record, walk backward, read any gradient.
//
//   build/float/examples/tape_basics > graph.dot && dot -Tpng graph.dot -o graph.png
//
// L = sum(relu(a * b + a)), with a and b vectors of three numbers.
#include <cstdio>

#include "gcam/ops/ops.hpp"

using namespace gcam;

int main() {
  Tape tape;
  const Var a = tape.input(Tensor({3}, {-2, 1, 3}), "a");
  const Var b = tape.input(Tensor({3}, {4, 5, -1}), "b");
  const Var ab = mul(tape, a, b);  // record 2
  const Var z = add(tape, ab, a);  // record 3: a is used twice
  const Var r = relu(tape, z);     // record 4
  const Var L = sum(tape, r);      // record 5
  std::fprintf(stderr, "L = %g\n", double(tape.value(L)[0]));

  // One reverse walk gives every gradient; nothing is stored on the records.
  const Gradients g = tape.backward(L);
  const char* names[] = {"a", "b", "a*b", "a*b+a", "relu", "L"};
  for (int id = 0; id < tape.size(); ++id) {
    std::fprintf(stderr, "dL/d%-6s =", names[id]);
    for (Scalar v : g.of(Var{id}).values()) std::fprintf(stderr, " %6g", double(v));
    std::fprintf(stderr, "\n");
  }
  // dL/da = relu'(z) * (b + 1): the two uses of a add up. For a = -2: z = -10, so 0.
  std::printf("%s", tape.to_dot().c_str());
  return 0;
}

// spin_wait.hpp — how a thread of the pool (thread_pool.cpp) waits for work,
// the calling thread for the workers, and a part of a batch for the other
// parts (part_sums.cpp): first by watching an atomic for a short while, then
// by sleeping on a condition variable. On the 2-core
// virtual machine of docs/performance.md a sleeping thread took tens of
// microseconds to wake (an empty parallel_for cost 58 µs; spinning, 0.23 µs),
// while a kernel called on a pool starts its loops a few microseconds apart.
// Private to src/core/.
#pragma once

#include <chrono>

namespace gcam {
namespace core_detail {

// How long a thread spins before it sleeps: longer than the gaps between the
// loops of one kernel call, short enough that an idle pool soon stops using
// the CPU.
constexpr auto kSpinTime = std::chrono::microseconds(200);

// One turn of a spin-wait: tells the core to ease off (no system call).
inline void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until done() or until kSpinTime has passed; returns done(). The
// caller then sleeps on its condition variable if it must.
template <class Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (int turn = 1;; ++turn) {
    if (done()) return true;
    spin_pause();
    if (turn % 64 == 0 && std::chrono::steady_clock::now() > deadline) return done();
  }
}

}  // namespace core_detail
}  // namespace gcam

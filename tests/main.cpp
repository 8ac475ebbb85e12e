// The test runner: Catch2's own main, plus a closing line "N passed, N failed"
// (counting test cases) that CI reads.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

namespace {

struct CountingListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  static int passed, failed;
  void testCaseEnded(Catch::TestCaseStats const& stats) override {
    (stats.totals.assertions.failed > 0 ? failed : passed) += 1;
  }
};
int CountingListener::passed = 0;
int CountingListener::failed = 0;

}  // namespace

CATCH_REGISTER_LISTENER(CountingListener)

int main(int argc, char* argv[]) {
  const int status = Catch::Session().run(argc, argv);
  std::printf("%d passed, %d failed\n", CountingListener::passed, CountingListener::failed);
  return status;
}

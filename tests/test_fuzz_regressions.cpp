// Replays the fuzz targets' inputs as ordinary tests: every file under
// tests/fuzz/regressions/<target>/ (inputs that once crashed or hung a fuzz
// target, kept so the bug stays fixed) and the seed corpus under
// tests/fuzz/corpus/<target>/. Each must be handled exactly as the fuzz
// target handles it: a result or a FormatError, nothing else; under `make
// sanitize` also without a sanitizer report.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/fuzz_inputs.hpp"

namespace fs = std::filesystem;

namespace {

// tests/fuzz, found from this file's path as the compiler saw it (tests/...,
// relative to the repository root, where make runs the tests).
fs::path fuzz_folder() { return fs::path(__FILE__).parent_path() / "fuzz"; }

// Feeds every file of <fuzz>/<kind>/<target>/ to `run`; returns how many.
int replay(const std::string& kind, const std::string& target, void (*run)(const std::uint8_t*, std::size_t)) {
  const fs::path folder = fuzz_folder() / kind / target;
  if (!fs::is_directory(folder)) return 0;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().string());
    CHECK_NOTHROW(run(bytes.data(), bytes.size()));
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("the fuzz targets' seed corpus and regression inputs are handled cleanly", "[hardening][fuzz]") {
  REQUIRE(fs::is_directory(fuzz_folder() / "corpus"));  // run the tests from the repository root
  int seeds = 0, regressions = 0;
  seeds += replay("corpus", "image", gcam_fuzz::image_input);
  seeds += replay("corpus", "idx", gcam_fuzz::idx_input);
  seeds += replay("corpus", "checkpoint", gcam_fuzz::checkpoint_input);
  regressions += replay("regressions", "image", gcam_fuzz::image_input);
  regressions += replay("regressions", "idx", gcam_fuzz::idx_input);
  regressions += replay("regressions", "checkpoint", gcam_fuzz::checkpoint_input);
  // Every file is replayed: the seeds (13 images, 5 IDX files, 2 checkpoints)
  // and the six inputs the fuzzer found (docs/hardening.md). A new regression
  // input or seed is counted here on purpose, so that none can go missing.
  CHECK(seeds == 20);
  CHECK(regressions == 6);
}

TEST_CASE("every seed of the corpus is valid input for its reader", "[hardening][fuzz]") {
  // The seeds are meant to reach deep into each reader: they must all be accepted.
  for (const auto& entry : fs::directory_iterator(fuzz_folder() / "corpus" / "image")) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().string());
    CHECK_NOTHROW(gcam::decode_image(b, entry.path().string()));
  }
  for (const auto& entry : fs::directory_iterator(fuzz_folder() / "corpus" / "idx")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().string());
    if (gcam::is_gzip(b)) b = gcam::gunzip(b, entry.path().string());
    CHECK_NOTHROW(gcam::read_idx(b, entry.path().string()));
  }
  for (const auto& entry : fs::directory_iterator(fuzz_folder() / "corpus" / "checkpoint")) {
    INFO(entry.path().string());
    CHECK_NOTHROW(gcam::read_checkpoint(entry.path().string()));
  }
  CHECK_NOTHROW(gcam::load_model((fuzz_folder() / "corpus" / "checkpoint" / "gap-cnn.ckpt").string()));
}

// The command-line tool against bad input: a table of broken files and wrong
// arguments (tests/bad_inputs.hpp), each run as a child process of `gradcam`
// (the binary next to this test program). Every case must fail with the
// documented exit code (2 for a mistake on the command line, 1 for a bad
// file), with a message naming the problem, and without creating or changing
// any file. Then: inputs that are odd but valid must be explained, and say how.
// Runs killed mid-way are in test_bad_inputs_interrupt.cpp.
//
// Float build only (the CLI is built in float: build/float/gradcam next to
// build/float/tests; `make test` builds it first): tagged [float], and compiled
// only with GCAM_FLOAT32, so the double build's "~[trained]" does not run them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "bad_inputs.hpp"
#include "byte_files.hpp"
#include "child_process.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/image_codec.hpp"
#include "handmade_images.hpp"
#include "scratch_folder.hpp"

#ifdef GCAM_FLOAT32

using namespace gcam;
using namespace gcam_test;  // byte_files.hpp, handmade_images.hpp, bad_inputs.hpp, ScratchFolder
namespace fs = std::filesystem;

namespace {

// Every file of the folder (top level) with its bytes; folders as "<dir>".
std::map<std::string, Bytes> snapshot(const ScratchFolder& folder) {
  std::map<std::string, Bytes> files;
  for (const auto& entry : fs::directory_iterator(folder.path)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory()) {
      files[name + "/"] = {};
      for (const auto& inner : fs::directory_iterator(entry.path()))
        files[name + "/" + inner.path().filename().string()] = {};
    } else {
      files[name] = file_bytes(entry.path().string());
    }
  }
  return files;
}

std::vector<Case> all_cases(const BadInputFiles& in) {
  std::vector<Case> cases;
  for (auto part : {in.image_file_cases(), in.checkpoint_file_cases(), in.explain_option_cases(),
                    in.explain_file_option_cases(), in.train_option_cases(), in.other_command_cases()})
    cases.insert(cases.end(), part.begin(), part.end());
  return cases;
}

// Runs explain on an untrained shapes-cnn with `extra` options; the overlay's bytes.
Bytes explained_overlay(const ScratchFolder& folder, const std::string& name, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"explain",     "--ckpt", folder.file("m.ckpt"), "--data",
                                "shapes-test", "--out",  folder.file(name)};
  args.insert(args.end(), extra.begin(), extra.end());
  const gcam_test::RunResult r = gcam_test::run_child(gcam_test::cli_path(), args);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("wrote " + folder.file(name)));
  return fs::exists(folder.file(name)) ? file_bytes(folder.file(name)) : Bytes{};
}

}  // namespace

TEST_CASE("bad files and arguments: exit code, a message naming the problem, no output written", "[bad-input][float]") {
  const std::string cli = gcam_test::cli_path();
  REQUIRE(fs::exists(cli));  // make builds it: make build/float/gradcam
  const BadInputFiles in;
  const std::vector<Case> cases = all_cases(in);
  REQUIRE(cases.size() >= 30);
  const auto before = snapshot(in.folder);
  const auto start = std::chrono::steady_clock::now();
  for (const Case& c : cases) {
    const gcam_test::RunResult r = gcam_test::run_child(cli, c.args);
    INFO("case: " << c.what << "\noutput:\n" << r.output);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == c.exit_code);
    for (const std::string& words : c.message) CHECK_THAT(r.output, Catch::Contains(words));
    // No file was created, changed or left behind (not even a temporary one).
    CHECK(snapshot(in.folder) == before);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(cases.size() << " bad-input cases in " << seconds << " s");
}

TEST_CASE("a constant Grad-CAM map gives a blank heatmap and a note, never NaN", "[bad-input][float]") {
  const std::string cli = gcam_test::cli_path();
  ScratchFolder folder("constant_map");
  // All weights zero: every activation and gradient is zero, so L^c is all zero.
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
  for (Parameter* p : model.parameters()) p->value.fill(0);
  save_checkpoint(folder.file("zero.ckpt"), model, {});
  const gcam_test::RunResult r =
      gcam_test::run_child(cli, {"explain", "--ckpt", folder.file("zero.ckpt"), "--data", "shapes-test", "--out",
                                 folder.file("cam.png"), "--save-map", folder.file("map.npy")});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("note: the map is constant") && Catch::Contains("heatmap is blank"));
  const Image png = load_image(folder.file("cam.png"));
  CHECK(png.width == 256);
  // The saved map: a 128-byte .npy header, then 32·32 float32 zeros (not NaN).
  const Bytes npy = file_bytes(folder.file("map.npy"));
  REQUIRE(npy.size() == 128 + 4 * 32 * 32);
  CHECK(std::all_of(npy.begin() + 128, npy.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("an RGBA image of another size is converted explicitly and explained", "[bad-input][float]") {
  const std::string cli = gcam_test::cli_path();
  ScratchFolder folder("rgba_input");
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
  save_checkpoint(folder.file("m.ckpt"), model, {});
  save_png(folder.file("photo.png"), pattern_image(40, 30, 4));
  const gcam_test::RunResult r = gcam_test::run_child(cli, {"explain", "--ckpt", folder.file("m.ckpt"), "--image",
                                                            folder.file("photo.png"), "--out", folder.file("c.png")});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("40x30, 4 channel(s)") && Catch::Contains("converted to grayscale") &&
                           Catch::Contains("resized to 32x32"));
  CHECK(folder.entries() == std::vector<std::string>{"c.png", "m.ckpt", "photo.png"});
}

TEST_CASE("--opacity sets the heatmap's opacity (default 0.5)", "[bad-input][float]") {
  ScratchFolder folder("opacity");
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
  save_checkpoint(folder.file("m.ckpt"), model, {});
  const Bytes faint = explained_overlay(folder, "faint.png", {"--opacity", "0.3"});
  const Bytes half = explained_overlay(folder, "half.png", {"--opacity", "0.5"});
  const Bytes usual = explained_overlay(folder, "usual.png", {});
  REQUIRE(!faint.empty());
  CHECK(load_image(folder.file("faint.png")).width == 256);
  CHECK(faint != half);  // the option is used ...
  CHECK(half == usual);  // ... and 0.5 is its default
}

#endif  // GCAM_FLOAT32

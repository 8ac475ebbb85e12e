// The command-line tool against bad input: a table of broken files and wrong
// arguments, each run as a child process of `gradcam` (the binary next to this
// test program). Every case must fail with the documented exit code (2 for a
// mistake on the command line, 1 for a bad file), with a message naming the
// problem, and without creating or changing any file. Then: runs killed with
// SIGKILL or SIGINT during training, or right at their final write, must leave
// the previous checkpoint intact (or the complete new one).
//
// Float build only (the CLI is built in float: build/float/gradcam next to
// build/float/tests; `make test` builds it first): tagged [float], and compiled
// only with GCAM_FLOAT32, so the double build's "~[trained]" does not run them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include "byte_files.hpp"
#include "child_process.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/io/image_codec.hpp"
#include "handmade_images.hpp"
#include "scratch_folder.hpp"

#ifdef GCAM_FLOAT32

using namespace gcam;
using namespace gcam_test;  // byte_files.hpp, handmade_images.hpp, ScratchFolder
namespace fs = std::filesystem;

namespace {

Bytes checkpoint_bytes(Model& model, const CheckpointInfo& info = {}) {
  const std::vector<unsigned char> b = encode_checkpoint(model, info);
  return Bytes(b.begin(), b.end());
}

// A "shapes-cnn" whose conv1 has 4 filters instead of 8: right names, wrong shapes.
Model wrong_shapes_cnn() {
  Model m("shapes-cnn", {1, 32, 32}, 4);
  Rng rng(3);
  const auto conv = [&](const std::string& name, int in, int out) {
    auto layer = std::make_unique<Conv2d>(name, in, out, 3, 1, 1);
    layer->initialize(rng);
    m.add(std::move(layer));
  };
  conv("conv1", 1, 4), m.add(std::make_unique<ReLU>("relu1")), m.add(std::make_unique<Pool2d>("pool1", Pool2d::Mode::Max, 2, 2));
  conv("conv2", 4, 16), m.add(std::make_unique<ReLU>("relu2")), m.add(std::make_unique<Pool2d>("pool2", Pool2d::Mode::Max, 2, 2));
  conv("conv3", 16, 32), m.add(std::make_unique<ReLU>("relu3"));
  conv("conv4", 32, 32), m.add(std::make_unique<ReLU>("relu4"));
  m.add(std::make_unique<GlobalAvgPool>("gap"));
  auto fc = std::make_unique<Dense>("fc", 32, 4);
  fc->initialize(rng);
  m.add(std::move(fc));
  return m;
}

// A model of an architecture this program does not know.
Model mystery_model() {
  Model m("mystery-net", {1, 32, 32}, 4);
  m.add(std::make_unique<GlobalAvgPool>("gap"));
  m.add(std::make_unique<Dense>("fc", 1, 4));
  return m;
}

Bytes encode_png(const Image& image, const ScratchFolder& folder) {
  save_png(folder.file("encode.tmp.png"), image);
  Bytes b = file_bytes(folder.file("encode.tmp.png"));
  fs::remove(folder.file("encode.tmp.png"));
  return b;
}

Image gradient_image(int width, int height, int channels) {
  Image image;
  image.width = width, image.height = height, image.channels = channels;
  image.pixels.resize(std::size_t(width) * std::size_t(height) * std::size_t(channels));
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = std::uint8_t((i * 7) % 251);
  return image;
}

// Every file of the folder (top level) with its bytes; folders as "<dir>".
std::map<std::string, Bytes> snapshot(const ScratchFolder& folder) {
  std::map<std::string, Bytes> files;
  for (const auto& entry : fs::directory_iterator(folder.path)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory()) {
      files[name + "/"] = {};
      for (const auto& inner : fs::directory_iterator(entry.path())) files[name + "/" + inner.path().filename().string()] = {};
    } else {
      files[name] = file_bytes(entry.path().string());
    }
  }
  return files;
}

// The files a bad-input case works with.
struct Inputs {
  ScratchFolder folder{"bad_inputs"};
  std::string f(const std::string& name) const { return folder.file(name); }

  Inputs() {
    // A valid (untrained) shapes-cnn checkpoint and a valid 32×32 image.
    Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
    CheckpointInfo info;
    info.class_names = shape_classes();
    info.metadata = {{"data", "shapes"}};
    const Bytes good = checkpoint_bytes(model, info);
    write_bytes(f("good.ckpt"), good);
    save_png(f("good.png"), dataset_image(make_shapes(1, 2), 0));
    // Outputs that exist before the run and must not change.
    write_bytes(f("old.png"), Bytes{'o', 'l', 'd', ' ', 'o', 'v', 'e', 'r', 'l', 'a', 'y'});
    write_bytes(f("old.ckpt"), good);
    fs::create_directory(f("adir"));

    // Images.
    const Bytes png = encode_png(gradient_image(64, 48, 3), folder);
    write_bytes(f("empty.png"), {});
    write_raw("text.png", "this is a text file, not a PNG\n");
    write_bytes(f("truncated.png"), Bytes(png.begin(), png.begin() + std::ptrdiff_t(png.size() / 2)));
    Bytes corrupt = png;  // the compressed data (after the IDAT tag) overwritten with garbage
    const std::size_t idat = offset_after(corrupt, "IDAT");
    for (std::size_t i = idat; i < corrupt.size() - 12; ++i) corrupt[i] = std::uint8_t(0xA5 ^ i);
    write_bytes(f("corrupt.png"), corrupt);
    Bytes zero = png;  // IHDR width 0
    put_be32(zero, 16, 0);
    write_bytes(f("zero.png"), zero);
    Bytes huge = png;  // IHDR 100000 × 100000, and nothing after the header
    put_be32(huge, 16, 100000);
    put_be32(huge, 20, 100000);
    huge.resize(33);
    write_bytes(f("huge.png"), huge);
    write_bytes(f("bomb.png"), grey_png(2, 2, false, Bytes(1 << 20, 0)));  // 6 bytes needed, 1 MiB inflated
    const Bytes jpeg = tiny_jpeg(64, 48, 3);  // cut inside its scan data, before the end marker
    write_bytes(f("truncated.jpg"), Bytes(jpeg.begin(), jpeg.end() - 12));

    // Checkpoints.
    write_bytes(f("empty.ckpt"), {});
    write_bytes(f("truncated.ckpt"), Bytes(good.begin(), good.begin() + std::ptrdiff_t(good.size() / 2)));
    write_bytes(f("png.ckpt"), png);
    Bytes version = good;
    put_le32(version, 8, 2);
    write_bytes(f("version.ckpt"), version);
    Bytes flipped = good;
    flipped[flipped.size() / 2] ^= 0x10;
    write_bytes(f("checksum.ckpt"), flipped);
    Model wrong = wrong_shapes_cnn();
    write_bytes(f("shapes.ckpt"), checkpoint_bytes(wrong));
    Model mystery = mystery_model();
    write_bytes(f("mystery.ckpt"), checkpoint_bytes(mystery));
    Bytes nan = good;  // the first value of conv1.weight (after its rank and 4 dimensions) becomes NaN
    put_le32(nan, offset_after(nan, "conv1.weight") + 4 + 16, 0x7fc00000u);
    reseal_checkpoint(nan);
    write_bytes(f("nan.ckpt"), nan);
    // Checksum-valid but hostile: fashion-cnn claiming 4096×4096 inputs would
    // need ~4·10^9 parameters; the file holds 20 000.
    Model small = make_model("fashion-cnn", {1, 8, 8}, 3, 1);
    Bytes hostile = checkpoint_bytes(small);
    const std::size_t shape_at = offset_after(hostile, "fashion-cnn");
    put_le32(hostile, shape_at + 4, 4096);
    put_le32(hostile, shape_at + 8, 4096);
    reseal_checkpoint(hostile);
    write_bytes(f("hostile.ckpt"), hostile);
  }

  void write_raw(const std::string& name, const std::string& text) const {
    write_bytes(f(name), Bytes(text.begin(), text.end()));
  }
};

struct Case {
  std::string what;
  std::vector<std::string> args;
  int exit_code;
  std::vector<std::string> message;  // each must appear in the output
};

}  // namespace

TEST_CASE("bad files and arguments: exit code, a message naming the problem, no output written",
          "[bad-input][float]") {
  const std::string cli = gcam_test::cli_path();
  REQUIRE(fs::exists(cli));  // make builds it: make build/float/gradcam
  const Inputs in;
  const auto f = [&in](const std::string& name) { return in.f(name); };
  const std::string good = f("good.ckpt"), png = f("good.png"), out = f("new.png"), old = f("old.png");
  // explain with every argument right except what `change` replaces or adds.
  const auto explain = [&](std::vector<std::string> extra, const std::string& ckpt = "", const std::string& image = "") {
    std::vector<std::string> a{"explain", "--ckpt", ckpt.empty() ? good : ckpt};
    if (image != "-") a.insert(a.end(), {"--image", image.empty() ? png : image});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> a{"train", "--limit", "64", "--epochs", "1", "--threads", "1"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<Case> cases = {
      // ---- image files
      {"missing image", explain({"--out", out}, "", f("missing.png")), 1, {"missing.png", "no such file"}},
      {"folder as image", explain({"--out", old}, "", f("adir")), 1, {"adir", "is a folder"}},
      {"zero-byte image", explain({"--out", out}, "", f("empty.png")), 1, {"empty.png", "empty (0 bytes)"}},
      {"text file named .png", explain({"--out", old}, "", f("text.png")), 1, {"text.png", "not a readable image"}},
      {"truncated PNG", explain({"--out", out}, "", f("truncated.png")), 1,
       {"truncated.png", "cannot decode", "truncated PNG"}},
      {"corrupt PNG data", explain({"--out", old}, "", f("corrupt.png")), 1, {"corrupt.png", "cannot decode"}},
      {"PNG of width 0", explain({"--out", out}, "", f("zero.png")), 1, {"zero.png", "zero size (0x48)"}},
      {"PNG of 100000x100000", explain({"--out", old}, "", f("huge.png")), 1,
       {"huge.png", "100000x100000", "above the limit"}},
      {"PNG data inflating to 1 MiB for 2x2 pixels", explain({"--out", out}, "", f("bomb.png")), 1,
       {"bomb.png", "inflates to more than", "decompression bomb"}},
      {"truncated JPEG", explain({"--out", out}, "", f("truncated.jpg")), 1,
       {"truncated.jpg", "cannot decode", "truncated JPEG"}},
      // ---- checkpoint files
      {"missing checkpoint", explain({"--out", out}, f("missing.ckpt")), 1, {"missing.ckpt", "no such file"}},
      {"folder as checkpoint", explain({"--out", old}, f("adir")), 1, {"is a folder"}},
      {"zero-byte checkpoint", explain({"--out", out}, f("empty.ckpt")), 1, {"empty.ckpt", "truncated: 0 bytes"}},
      {"truncated checkpoint", explain({"--out", old}, f("truncated.ckpt")), 1, {"truncated.ckpt", "truncated"}},
      {"PNG as checkpoint (wrong magic)", explain({"--out", out}, f("png.ckpt")), 1, {"not a gradcam checkpoint"}},
      {"checkpoint version 2", explain({"--out", old}, f("version.ckpt")), 1, {"unsupported checkpoint version 2"}},
      {"checkpoint with a flipped byte", explain({"--out", out}, f("checksum.ckpt")), 1, {"checksum mismatch"}},
      {"tensors of the wrong shape", explain({"--out", old}, f("shapes.ckpt")), 1,
       {"conv1.weight", "[4, 1, 3, 3]", "expects [8, 1, 3, 3]"}},
      {"unknown architecture", explain({"--out", out}, f("mystery.ckpt")), 1,
       {"mystery-net", "not built into this program"}},
      {"NaN weight in a checkpoint", explain({"--out", old}, f("nan.ckpt")), 1, {"conv1.weight", "element 0", "NaN"}},
      {"checksum-valid checkpoint claiming a huge model", explain({"--out", out}, f("hostile.ckpt")), 1,
       {"hostile.ckpt", "4096", "would have about", "holds only"}},
      // ---- arguments of explain
      {"unknown option", explain({"--out", out, "--colour", "jet"}), 2, {"unknown option '--colour'", "--colormap"}},
      {"missing value", explain({"--out", old, "--layer"}), 2, {"'--layer' needs a value"}},
      {"value that is an option", explain({"--layer", "--out", out}), 2, {"'--layer' needs a value"}},
      {"non-number", explain({"--out", out, "--alpha", "abc"}), 2, {"--alpha", "needs a number", "abc"}},
      {"number out of range", explain({"--out", old, "--alpha", "2"}), 2, {"--alpha", "between 0 and 1"}},
      {"NaN as a number", explain({"--out", out, "--alpha", "nan"}), 2, {"--alpha", "needs a number"}},
      {"unknown layer", explain({"--out", old, "--layer", "conv9"}), 2, {"unknown layer 'conv9'", "conv1", "relu4"}},
      {"layer without feature maps", explain({"--out", out, "--layer", "fc"}), 2, {"'fc'", "not feature maps", "relu4"}},
      {"unknown class", explain({"--out", old, "--class", "dog"}), 2, {"unknown class 'dog'", "0 circle", "3 cross"}},
      {"class number out of range", explain({"--out", out, "--class", "7"}), 2, {"unknown class '7'", "3 cross"}},
      {"unknown colormap", explain({"--out", old, "--colormap", "rainbow"}), 2,
       {"unknown colormap 'rainbow'", "jet, viridis"}},
      {"unknown score", explain({"--out", out, "--score", "margin"}), 2, {"logit or probability", "margin"}},
      {"--image and --data together", explain({"--out", old, "--data", "shapes-test"}), 2, {"exactly one of"}},
      {"neither --image nor --data", explain({"--out", out}, "", "-"), 2, {"exactly one of"}},
      {"--index out of range", explain({"--out", old, "--data", "shapes-test", "--index", "1000"}, "", "-"), 2,
       {"--index", "between 0 and 999", "1000"}},
      {"--index with --image", explain({"--out", out, "--index", "3"}), 2, {"--index", "does not apply"}},
      {"--data without a split", explain({"--out", old, "--data", "shapes"}, "", "-"), 2, {"<set>-<split>"}},
      {"unknown split", explain({"--out", out, "--data", "shapes-valid"}, "", "-"), 2,
       {"unknown split 'valid'", "train, test"}},
      {"unknown data set", explain({"--out", old, "--data", "mnist-test"}, "", "-"), 2,
       {"unknown data set 'mnist'", "fashion, shapes"}},
      {"option given twice", explain({"--out", out, "--out", f("other.png")}), 2, {"'--out' is given twice"}},
      {"empty value", explain({"--out="}), 2, {"'--out' needs a value"}},
      {"flag with a value", explain({"--out", old, "--counterfactual=yes"}), 2, {"'--counterfactual' is a flag"}},
      {"stray argument", explain({"--out", out, "extra"}), 2, {"unexpected argument 'extra'"}},
      {"--out is a folder", explain({"--out", f("adir")}), 2, {"--out", "is a folder"}},
      {"--out in a missing folder", explain({"--out", f("nowhere/cam.png")}), 2, {"--out", "does not exist"}},
      {"--out would replace the checkpoint", explain({"--out", good}), 2, {"--out", "also an input"}},
      {"--out would replace the image", explain({"--out", png}), 2, {"--out", "also an input"}},
      {"--out and --save-map the same file", explain({"--out", out, "--save-map", out}), 2, {"same file"}},
      {"--save-map in a missing folder", explain({"--out", out, "--save-map", f("nowhere/map.npy")}), 2,
       {"--save-map", "does not exist"}},
      {"missing --out", explain({}), 2, {"missing required option '--out"}},
      // ---- arguments of train (nothing is trained: all are refused first)
      {"train: unknown model", train({"--out", f("old.ckpt"), "--model", "resnet"}), 2,
       {"unknown model 'resnet'", "fashion-cnn, shapes-cnn, gap-cnn"}},
      {"train: unknown data set", train({"--out", f("new.ckpt"), "--data", "mnist"}), 2,
       {"unknown data set 'mnist'", "fashion, shapes"}},
      {"train: NaN learning rate", train({"--out", f("old.ckpt"), "--lr", "nan"}), 2, {"--lr", "needs a number"}},
      {"train: negative learning rate", train({"--out", f("new.ckpt"), "--lr", "-1"}), 2,
       {"--lr", "between 0 and 10"}},
      {"train: negative thread count", {"train", "--out", f("old.ckpt"), "--threads", "-2"}, 2,
       {"--threads", "between 1 and 256"}},
      {"train: fractional thread count", {"train", "--out", f("new.ckpt"), "--threads", "1.5"}, 2,
       {"--threads", "whole number"}},
      {"train: option given twice", train({"--out", f("old.ckpt"), "--epochs", "3"}), 2, {"'--epochs' is given twice"}},
      {"train: number too large for 64 bits", {"train", "--out", f("new.ckpt"), "--epochs", "99999999999999999999"}, 2,
       {"--epochs", "whole number"}},
      {"train: epochs out of range", {"train", "--out", f("old.ckpt"), "--epochs", "0"}, 2,
       {"--epochs", "between 1 and 1000"}},
      {"train: unknown optimizer", train({"--out", f("new.ckpt"), "--optimizer", "rmsprop"}), 2,
       {"unknown optimizer 'rmsprop'", "sgd, adam"}},
      {"train: missing --out", train({}), 2, {"missing required option '--out"}},
      {"train: --out inside a file", train({"--out", f("good.png/model.ckpt")}), 2, {"--out", "is not a folder"}},
      // ---- other commands
      {"unknown command", {"frobnicate"}, 2, {"unknown command 'frobnicate'", "explain"}},
      {"no command", {}, 2, {"usage: gradcam <command>"}},
      {"eval: corrupt checkpoint", {"eval", "--ckpt", f("checksum.ckpt")}, 1, {"checksum mismatch"}},
      {"samples: missing folder", {"samples", "--out-dir", f("nowhere")}, 2, {"--out-dir", "does not exist"}},
      {"demo: scenes out of range", {"demo", "--out-dir", f("demo"), "--scenes", "0"}, 2,
       {"--scenes", "between 1 and 100"}},
  };
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
  save_png(folder.file("photo.png"), gradient_image(40, 30, 4));
  const gcam_test::RunResult r = gcam_test::run_child(
      cli, {"explain", "--ckpt", folder.file("m.ckpt"), "--image", folder.file("photo.png"), "--out", folder.file("c.png")});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("40x30, 4 channel(s)") && Catch::Contains("converted to grayscale") &&
                           Catch::Contains("resized to 32x32"));
  CHECK(folder.entries() == std::vector<std::string>{"c.png", "m.ckpt", "photo.png"});
}

namespace {

// Names in `folder` other than `keep` must be temporary files of `target`
// ("<target>.tmp.<pid>.<n>", left by a SIGKILL); returns how many there are,
// and removes them.
int remove_stale_temporaries(const ScratchFolder& folder, const std::string& keep) {
  int stale = 0;
  for (const std::string& name : folder.entries()) {
    if (name == keep) continue;
    INFO("unexpected file " << name);
    CHECK(name.rfind(keep + ".tmp.", 0) == 0);
    fs::remove(folder.file(name));
    ++stale;
  }
  return stale;
}

}  // namespace

TEST_CASE("a training run killed mid-way leaves the previous checkpoint intact", "[interrupt][float]") {
  const std::string cli = gcam_test::cli_path();
  ScratchFolder folder("killed_training");
  const std::string ckpt = folder.file("model.ckpt");
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
  save_checkpoint(ckpt, model, {});
  const Bytes old = file_bytes(ckpt);
  // 1000 epochs would take minutes: the signal always lands during training
  // (or while the data is generated), never after the final write.
  const std::vector<std::string> args{"train", "--limit", "128", "--epochs", "1000", "--threads", "1", "--out", ckpt};
  struct Kill {
    int signal, after_ms;
  };
  for (const Kill k : {Kill{SIGKILL, 300}, Kill{SIGKILL, 700}, Kill{SIGINT, 500}, Kill{SIGTERM, 600}}) {
    INFO("signal " << k.signal << " after " << k.after_ms << " ms");
    gcam_test::Child child = gcam_test::start_child(cli, args);
    std::this_thread::sleep_for(std::chrono::milliseconds(k.after_ms));
    ::kill(child.pid, k.signal);
    const int status = child.finish();
    INFO(child.text);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == k.signal);
    CHECK(file_bytes(ckpt) == old);  // byte for byte the previous file
    CHECK_NOTHROW(load_model(ckpt));
    // No write had started, so not even a temporary file is left.
    CHECK(folder.entries() == std::vector<std::string>{"model.ckpt"});
  }
}

TEST_CASE("a run killed at its final write leaves the old or the complete new checkpoint", "[interrupt][float]") {
  const std::string cli = gcam_test::cli_path();
  ScratchFolder folder("killed_write");
  const std::string ckpt = folder.file("model.ckpt");
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
  save_checkpoint(ckpt, model, {});
  const Bytes old = file_bytes(ckpt);
  // One short epoch; its line is flushed just before the confusion matrix is
  // printed and the checkpoint written: signal right then, or a little later.
  const std::vector<std::string> args{"train", "--limit", "64", "--epochs", "1", "--threads", "1", "--out", ckpt};
  int kept_old = 0, got_new = 0, stale = 0;
  struct Kill {
    int signal, delay_us;
  };
  for (const Kill k : {Kill{SIGKILL, 0}, Kill{SIGKILL, 500}, Kill{SIGINT, 0}, Kill{SIGINT, 500}}) {
    INFO("signal " << k.signal << ", " << k.delay_us << " us after the epoch's line");
    write_bytes(ckpt, old);
    gcam_test::Child child = gcam_test::start_child(cli, args);
    REQUIRE(child.wait_for("epoch 1:", 120000));
    std::this_thread::sleep_for(std::chrono::microseconds(k.delay_us));
    ::kill(child.pid, k.signal);
    const int status = child.finish();
    INFO(child.text);
    CHECK((WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)));
    const Bytes now = file_bytes(ckpt);
    if (now == old) {
      ++kept_old;
    } else {
      ++got_new;
      CHECK_NOTHROW(load_model(ckpt));  // the new file is complete
    }
    // SIGINT waits for a write in progress to finish: nothing is left behind.
    // SIGKILL may leave a temporary file, never a damaged model.ckpt.
    const int left = remove_stale_temporaries(folder, "model.ckpt");
    if (k.signal == SIGINT) CHECK(left == 0);
    stale += left;
  }
  WARN("killed at the final write: " << kept_old << " kept the old file, " << got_new
                                     << " had the complete new one; " << stale << " stale temporary file(s)");
}

#endif  // GCAM_FLOAT32

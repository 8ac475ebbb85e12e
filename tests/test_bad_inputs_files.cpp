// The broken files of the bad-input table (tests/bad_inputs.hpp) and the
// cases that read them: images and checkpoints that are missing, empty,
// truncated, corrupt, of another version or shape, or hostile. Each must be
// refused with exit code 1 and a message naming the file and the problem.
#include <catch2/catch.hpp>

#include <filesystem>

#include "bad_inputs.hpp"
#include "byte_files.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/image_codec.hpp"
#include "handmade_images.hpp"

#ifdef GCAM_FLOAT32

using namespace gcam;
namespace fs = std::filesystem;

namespace gcam_test {

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
  conv("conv1", 1, 4), m.add(std::make_unique<ReLU>("relu1")),
      m.add(std::make_unique<Pool2d>("pool1", Pool2d::Mode::Max, 2, 2));
  conv("conv2", 4, 16), m.add(std::make_unique<ReLU>("relu2")),
      m.add(std::make_unique<Pool2d>("pool2", Pool2d::Mode::Max, 2, 2));
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

void write_bad_images(const BadInputFiles& in, const Bytes& png) {
  write_bytes(in.f("empty.png"), {});
  write_bytes(in.f("text.png"), as_bytes("this is a text file, not a PNG\n"));
  write_bytes(in.f("truncated.png"), Bytes(png.begin(), png.begin() + std::ptrdiff_t(png.size() / 2)));
  Bytes corrupt = png;  // the compressed data (after the IDAT tag) overwritten with garbage
  const std::size_t idat = offset_after(corrupt, "IDAT");
  for (std::size_t i = idat; i < corrupt.size() - 12; ++i) corrupt[i] = std::uint8_t(0xA5 ^ i);
  write_bytes(in.f("corrupt.png"), corrupt);
  Bytes zero = png;  // IHDR width 0
  put_be32(zero, 16, 0);
  write_bytes(in.f("zero.png"), zero);
  Bytes huge = png;  // IHDR 100000 × 100000, and nothing after the header
  put_be32(huge, 16, 100000);
  put_be32(huge, 20, 100000);
  huge.resize(33);
  write_bytes(in.f("huge.png"), huge);
  write_bytes(in.f("bomb.png"), grey_png(2, 2, false, Bytes(1 << 20, 0)));  // 6 bytes needed, 1 MiB inflated
  const Bytes jpeg = tiny_jpeg(64, 48, 3);  // cut inside its scan data, before the end marker
  write_bytes(in.f("truncated.jpg"), Bytes(jpeg.begin(), jpeg.end() - 12));
}

void write_bad_checkpoints(const BadInputFiles& in, const Bytes& good, const Bytes& png) {
  write_bytes(in.f("empty.ckpt"), {});
  write_bytes(in.f("truncated.ckpt"), Bytes(good.begin(), good.begin() + std::ptrdiff_t(good.size() / 2)));
  write_bytes(in.f("png.ckpt"), png);
  Bytes version = good;
  put_le32(version, 8, 2);
  write_bytes(in.f("version.ckpt"), version);
  Bytes flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  write_bytes(in.f("checksum.ckpt"), flipped);
  Model wrong = wrong_shapes_cnn();
  write_bytes(in.f("shapes.ckpt"), checkpoint_bytes(wrong));
  Model mystery = mystery_model();
  write_bytes(in.f("mystery.ckpt"), checkpoint_bytes(mystery));
  Bytes nan = good;  // the first value of conv1.weight (after its rank and 4 dimensions) becomes NaN
  put_le32(nan, offset_after(nan, "conv1.weight") + 4 + 16, 0x7fc00000u);
  reseal_checkpoint(nan);
  write_bytes(in.f("nan.ckpt"), nan);
  // Checksum-valid but hostile: fashion-cnn claiming 4096×4096 inputs would
  // need ~4·10^9 parameters; the file holds 20 000.
  Model small = make_model("fashion-cnn", {1, 8, 8}, 3, 1);
  Bytes hostile = checkpoint_bytes(small);
  const std::size_t shape_at = offset_after(hostile, "fashion-cnn");
  put_le32(hostile, shape_at + 4, 4096);
  put_le32(hostile, shape_at + 8, 4096);
  reseal_checkpoint(hostile);
  write_bytes(in.f("hostile.ckpt"), hostile);
}

}  // namespace

BadInputFiles::BadInputFiles() {
  // A valid (untrained) shapes-cnn checkpoint and a valid 32×32 image.
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
  CheckpointInfo info;
  info.class_names = shape_classes();
  info.metadata = {{"data", "shapes"}};
  const Bytes good_bytes = checkpoint_bytes(model, info);
  write_bytes(good, good_bytes);
  save_png(png, dataset_image(make_shapes(1, 2), 0));
  // Outputs that exist before the run and must not change.
  write_bytes(old, Bytes{'o', 'l', 'd', ' ', 'o', 'v', 'e', 'r', 'l', 'a', 'y'});
  write_bytes(f("old.ckpt"), good_bytes);
  fs::create_directory(f("adir"));
  const Bytes png_bytes = encode_png(pattern_image(64, 48, 3), folder);
  write_bad_images(*this, png_bytes);
  write_bad_checkpoints(*this, good_bytes, png_bytes);
}

std::vector<Case> BadInputFiles::image_file_cases() const {
  // One case a line, as a table reads.
  // clang-format off
  return {
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
  };
  // clang-format on
}

std::vector<Case> BadInputFiles::checkpoint_file_cases() const {
  // One case a line, as a table reads.
  // clang-format off
  return {
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
  };
  // clang-format on
}

}  // namespace gcam_test

#endif  // GCAM_FLOAT32

// Checkpoints: bit-exact round trips, atomic saves, and one clear error per
// kind of damage. Damaged files that must get past the checksum (to reach the
// later checks) are resealed with a freshly computed CRC-32.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

#include "byte_files.hpp"
#include "gcam/core/error.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/checkpoint.hpp"
#include "scratch_folder.hpp"

using namespace gcam;
using namespace gcam_test;  // byte_files.hpp
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system temp folder, removed with its contents.
struct TempDir : gcam_test::ScratchFolder {
  TempDir() : ScratchFolder("checkpoint") {}
};

std::uint32_t get_u32(const Bytes& b, std::size_t at) {
  (void)b.at(at + 3);
  return read_u32_le(&b[at]);
}

// fashion-cnn on 8×8 images keeps every file small (~87 KB).
Model small_model(std::uint64_t seed = 7) { return make_model("fashion-cnn", {1, 8, 8}, 3, seed); }

CheckpointInfo sample_info() {
  CheckpointInfo info;
  info.class_names = {"circle", "square", "triangle"};
  info.metadata = {{"seed", "7"}, {"epochs", "3"}, {"dataset", "shapes"}, {"test_accuracy", "0.9375"}};
  return info;
}

// A model that CLAIMS to be fashion-cnn, built by hand: conv1 has `conv1_out`
// filters (fashion-cnn has 16) and the second convolution is called `conv2_name`.
Model hand_built(const std::string& architecture, int conv1_out, const std::string& conv2_name) {
  Model m(architecture, {1, 8, 8}, 3);
  Rng rng(3);
  auto conv1 = std::make_unique<Conv2d>("conv1", 1, conv1_out, 3, 1, 1);
  conv1->initialize(rng);
  m.add(std::move(conv1));
  m.add(std::make_unique<ReLU>("relu1"));
  m.add(std::make_unique<Pool2d>("pool1", Pool2d::Mode::Max, 2, 2));
  auto conv2 = std::make_unique<Conv2d>(conv2_name, conv1_out, 32, 3, 1, 1);
  conv2->initialize(rng);
  m.add(std::move(conv2));
  m.add(std::make_unique<ReLU>("relu2"));
  m.add(std::make_unique<Pool2d>("pool2", Pool2d::Mode::Max, 2, 2));
  m.add(std::make_unique<Flatten>("flatten"));
  m.add(std::make_unique<Dense>("fc1", 32 * 2 * 2, 128));
  m.add(std::make_unique<ReLU>("relu3"));
  m.add(std::make_unique<Dense>("fc2", 128, 3));
  return m;
}

}  // namespace

TEST_CASE("checkpoint_checksum is the standard CRC-32 (zlib, PNG)", "[checkpoint]") {
  const std::string check = "123456789";
  CHECK(checkpoint_checksum(reinterpret_cast<const unsigned char*>(check.data()), check.size()) == 0xCBF43926u);
  CHECK(checkpoint_checksum(nullptr, 0) == 0u);
}

TEST_CASE("checkpoint bytes are little-endian whatever the host", "[checkpoint]") {
  Model model = small_model();
  const Bytes b = encode_checkpoint(model, CheckpointInfo{});
  CHECK(std::memcmp(b.data(), "GCAMCKPT", 8) == 0);
  CHECK(Bytes(b.begin() + 8, b.begin() + 12) == Bytes{1, 0, 0, 0});  // version 1
  CHECK(get_u32(b, 12) == b.size());                                 // file size, low half
  CHECK(get_u32(b, 16) == 0u);                                       // file size, high half
  CHECK(get_u32(b, b.size() - 4) == checkpoint_checksum(b.data(), b.size() - 4));
  // conv1.weight: rank 4, dims (16, 1, 3, 3), then its first value's float32 bits.
  const std::size_t at = offset_after(b, "conv1.weight");
  CHECK(get_u32(b, at) == 4u);
  CHECK(get_u32(b, at + 4) == 16u);
  CHECK(get_u32(b, at + 8) == 1u);
  const float first = static_cast<float>(model.parameters()[0]->value[0]);
  std::uint32_t bits;
  std::memcpy(&bits, &first, 4);
  CHECK(get_u32(b, at + 20) == bits);
}

TEST_CASE("save, load, save again gives the same bytes and values", "[checkpoint][float]") {
  TempDir dir;
  Model original = small_model();
  const CheckpointInfo info = sample_info();
  save_checkpoint(dir.file("a.ckpt"), original, info);

  CheckpointInfo loaded_info;
  Model loaded = load_model(dir.file("a.ckpt"), &loaded_info);
  CHECK(loaded.architecture() == "fashion-cnn");
  CHECK(loaded.input_shape() == Shape{1, 8, 8});
  CHECK(loaded.classes() == 3);
  CHECK(loaded_info.class_names == info.class_names);
  CHECK(loaded_info.metadata == info.metadata);

  // A checkpoint stores float32: the float build is exact, the double build
  // gets each value rounded to the nearest float32 — and nothing else.
  const auto a = original.parameters(), b = loaded.parameters();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i]->name);
    REQUIRE(a[i]->value.shape() == b[i]->value.shape());
    bool same = true;
    for (std::size_t e = 0; e < a[i]->value.size(); ++e)
      same = same && b[i]->value[e] == static_cast<Scalar>(static_cast<float>(a[i]->value[e]));
    CHECK(same);
  }

  save_checkpoint(dir.file("b.ckpt"), loaded, loaded_info);
  CHECK(file_bytes(dir.file("a.ckpt")) == file_bytes(dir.file("b.ckpt")));

  const Checkpoint c = read_checkpoint(dir.file("b.ckpt"));
  CHECK(c.architecture == "fashion-cnn");
  CHECK(c.classes == 3);
  CHECK(c.tensors.size() == 8);
  CHECK(c.tensors[0].name == "conv1.weight");
  CHECK(c.tensors[0].value.shape() == Shape{16, 1, 3, 3});
}

TEST_CASE("saving replaces the file in one step and leaves no temporary file", "[checkpoint]") {
  TempDir dir;
  Model first = small_model(1), second = small_model(2);
  save_checkpoint(dir.file("m.ckpt"), first, {});
  save_checkpoint(dir.file("m.ckpt"), second, {});
  CHECK(dir.entries() == std::vector<std::string>{"m.ckpt"});
  CHECK(file_bytes(dir.file("m.ckpt")) == encode_checkpoint(second, {}));
}

TEST_CASE("a failed save throws naming the path and leaves no file behind", "[checkpoint]") {
  TempDir dir;
  Model model = small_model();
  const std::string missing = dir.file("no-such-folder/m.ckpt");
  CHECK_THROWS_AS(save_checkpoint(missing, model, {}), std::runtime_error);
  CHECK_THROWS_WITH(save_checkpoint(missing, model, {}), Catch::Contains(missing));
  CHECK_FALSE(fs::exists(missing));

  // The target is a folder: the temporary file is written, the rename fails,
  // and the temporary file must be cleaned up.
  fs::create_directory(dir.file("taken"));
  CHECK_THROWS_WITH(save_checkpoint(dir.file("taken"), model, {}), Catch::Contains(dir.file("taken")));
  CHECK(dir.entries() == std::vector<std::string>{"taken"});
}

TEST_CASE("saving refuses values a checkpoint cannot hold, and inconsistent class names", "[checkpoint]") {
  TempDir dir;
  Model model = small_model();
  model.parameters()[2]->value[5] = std::numeric_limits<Scalar>::quiet_NaN();  // conv2.weight
  CHECK_THROWS_AS(save_checkpoint(dir.file("m.ckpt"), model, {}), NumericError);
  CHECK_THROWS_WITH(save_checkpoint(dir.file("m.ckpt"), model, {}),
                    Catch::Contains("conv2.weight") && Catch::Contains("NaN"));

  Model ok = small_model();
  CheckpointInfo two_names;
  two_names.class_names = {"a", "b"};
  CHECK_THROWS_WITH(save_checkpoint(dir.file("m.ckpt"), ok, two_names),
                    Catch::Contains("2 class names") && Catch::Contains("3 classes"));
  CHECK(dir.entries().empty());
}

TEST_CASE("a missing file or a folder is reported as such", "[checkpoint][errors]") {
  TempDir dir;
  CHECK_THROWS_AS(read_checkpoint(dir.file("nope.ckpt")), FormatError);
  CHECK_THROWS_WITH(load_model(dir.file("nope.ckpt")),
                    Catch::Contains(dir.file("nope.ckpt")) && Catch::Contains("no such file"));
  CHECK_THROWS_WITH(read_checkpoint(dir.path.string()), Catch::Contains("is a folder"));
}

TEST_CASE("a truncated checkpoint says truncated wherever it was cut", "[checkpoint][errors]") {
  TempDir dir;
  Model model = small_model();
  const Bytes full = encode_checkpoint(model, sample_info());
  const std::string path = dir.file("cut.ckpt");
  // Inside the 20-byte header: too short to hold magic, version and size.
  for (std::size_t keep : {0u, 5u, 8u, 12u, 19u}) {
    const std::string message = load_model_error(path, Bytes(full.begin(), full.begin() + std::ptrdiff_t(keep)));
    INFO("kept " << keep << " bytes: " << message);
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("truncated") && Catch::Contains("20-byte header"));
  }
  // After the header: the size field says how much is missing.
  for (std::size_t keep : {std::size_t(20), std::size_t(100), full.size() / 2, full.size() - 1}) {
    const std::string message = load_model_error(path, Bytes(full.begin(), full.begin() + std::ptrdiff_t(keep)));
    INFO("kept " << keep << " bytes: " << message);
    CHECK_THAT(message, Catch::Contains("truncated") && Catch::Contains(std::to_string(full.size()) + " bytes") &&
                            Catch::Contains("has only " + std::to_string(keep)));
  }
}

TEST_CASE("wrong magic, unsupported version, flipped byte and trailing garbage each say so", "[checkpoint][errors]") {
  TempDir dir;
  Model model = small_model();
  const Bytes good = encode_checkpoint(model, sample_info());
  const std::string path = dir.file("bad.ckpt");
  REQUIRE(load_model_error(path, good).empty());

  Bytes magic = good;
  magic[3] = 'X';
  CHECK_THAT(load_model_error(path, magic), Catch::Contains(path) && Catch::Contains("not a gradcam checkpoint"));
  const std::string text = "just some text, certainly not a checkpoint";
  CHECK_THAT(load_model_error(path, Bytes(text.begin(), text.end())), Catch::Contains("not a gradcam checkpoint"));

  Bytes version = good;
  put_le32(version, 8, 2);
  reseal_checkpoint(version);
  CHECK_THAT(load_model_error(path, version),
             Catch::Contains("unsupported checkpoint version 2") && Catch::Contains("reads version 1"));

  Bytes flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  CHECK_THAT(load_model_error(path, flipped), Catch::Contains(path) && Catch::Contains("corrupt: checksum mismatch"));

  Bytes garbage = good;
  garbage.insert(garbage.end(), {'j', 'u', 'n', 'k'});
  CHECK_THAT(load_model_error(path, garbage),
             Catch::Contains("trailing garbage") && Catch::Contains("4 unexpected bytes"));
}

TEST_CASE("huge lengths, counts and dimensions are refused before allocating", "[checkpoint][errors]") {
  TempDir dir;
  Model model = small_model();
  const Bytes good = encode_checkpoint(model, CheckpointInfo{});
  const std::string path = dir.file("huge.ckpt");
  // Each edit is resealed, so only the bounds checks can catch it.
  auto edited = [&](std::size_t at, std::uint32_t value) {
    Bytes b = good;
    put_le32(b, at, value);
    reseal_checkpoint(b);
    return load_model_error(path, b);
  };
  const std::size_t arch_length = 20;                                      // right after the header
  const std::size_t class_count = offset_after(good, "fashion-cnn") + 16;  // after C, H, W, classes
  const std::size_t tensor_count = class_count + 8;                        // after 0 names, 0 metadata
  const std::size_t rank = offset_after(good, "conv1.weight");

  CHECK_THAT(edited(arch_length, 0xFFFFFFF0u),
             Catch::Contains("corrupt: the architecture name needs 4294967280 bytes") && Catch::Contains("remain"));
  CHECK_THAT(edited(class_count, 0xFFFFFFFFu), Catch::Contains("4294967295 class names cannot fit"));
  CHECK_THAT(edited(tensor_count, 0xFFFFFFFFu), Catch::Contains("4294967295 tensors cannot fit"));
  CHECK_THAT(edited(rank, 1000), Catch::Contains("'conv1.weight' has rank 1000"));
  CHECK_THAT(edited(rank + 4, 0xFFFFFFFFu), Catch::Contains("dimension 0 of tensor 'conv1.weight' is 4294967295"));
  CHECK_THAT(edited(rank + 4, 1u << 30),
             Catch::Contains("'conv1.weight' of shape [1073741824, 1, 3, 3] has more values"));
  CHECK_THAT(edited(class_count - 12, 0), Catch::Contains("input H = 0"));

  // Four 2^31−1 dimensions: their product overflows 64 bits.
  Bytes overflow = good;
  for (std::size_t i = 0; i < 4; ++i) put_le32(overflow, rank + 4 + 4 * i, 0x7FFFFFFFu);
  reseal_checkpoint(overflow);
  CHECK_THAT(load_model_error(path, overflow), Catch::Contains("'conv1.weight'") && Catch::Contains("has more values"));
}

TEST_CASE("a NaN or infinity in a stored tensor is refused, naming the tensor", "[checkpoint][errors]") {
  TempDir dir;
  Model model = small_model();
  const Bytes good = encode_checkpoint(model, CheckpointInfo{});
  const std::string path = dir.file("nan.ckpt");
  const std::size_t fc1_values = offset_after(good, "fc1.bias") + 8;    // after rank 1 and dim 128
  for (std::uint32_t bits : {0x7FC00000u, 0x7F800000u, 0xFF800000u}) {  // NaN, +Inf, −Inf
    Bytes b = good;
    put_le32(b, fc1_values + 4 * 3, bits);
    reseal_checkpoint(b);
    CHECK_THAT(load_model_error(path, b), Catch::Contains(path) && Catch::Contains("tensor 'fc1.bias' element 3 is"));
  }
}

TEST_CASE("tensors that do not fit the architecture name the tensor and both shapes", "[checkpoint][errors]") {
  TempDir dir;
  const std::string path = dir.file("fake.ckpt");

  // Claims fashion-cnn, but conv1 has 8 filters: a valid file, wrong tensors.
  Model narrow = hand_built("fashion-cnn", 8, "conv2");
  save_checkpoint(path, narrow, {});
  CHECK_NOTHROW(read_checkpoint(path));
  CHECK_THROWS_WITH(load_model(path), Catch::Contains(path) && Catch::Contains("'conv1.weight'") &&
                                          Catch::Contains("[8, 1, 3, 3]") && Catch::Contains("[16, 1, 3, 3]"));

  Model renamed = hand_built("fashion-cnn", 16, "conv9");
  save_checkpoint(path, renamed, {});
  CHECK_THROWS_WITH(load_model(path),
                    Catch::Contains("tensor 2 is 'conv9.weight'") && Catch::Contains("expects 'conv2.weight'"));

  Model shorter("fashion-cnn", {1, 8, 8}, 3);
  shorter.add(std::make_unique<Flatten>("flatten"));
  shorter.add(std::make_unique<Dense>("fc2", 64, 3));
  save_checkpoint(path, shorter, {});
  CHECK_THROWS_WITH(load_model(path), Catch::Contains("has 2 tensors but fashion-cnn has 8 tensors") &&
                                          Catch::Contains("conv1.weight, conv1.bias"));
}

TEST_CASE("an unknown architecture is reported as coming from the checkpoint", "[checkpoint][errors]") {
  TempDir dir;
  const std::string path = dir.file("alien.ckpt");
  Model alien = hand_built("resnet-50", 16, "conv2");
  save_checkpoint(path, alien, {});
  CHECK_THROWS_AS(load_model(path), FormatError);
  CHECK_THROWS_WITH(load_model(path), Catch::Contains(path) && Catch::Contains("checkpoint's architecture") &&
                                          Catch::Contains("resnet-50") && Catch::Contains("fashion-cnn"));
}

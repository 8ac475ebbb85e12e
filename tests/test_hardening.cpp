// Input validation and numerical guards of the library (the command line's
// side is in test_bad_inputs.cpp): images decoded from memory, files that are
// not regular or too large, checkpoints whose header claims a model far larger
// than the file, and NaN/Inf or constant maps in Grad-CAM.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "byte_files.hpp"
#include "gcam/core/error.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/files.hpp"
#include "gcam/io/image_codec.hpp"
#include "handmade_images.hpp"
#include "scratch_folder.hpp"

using namespace gcam;
using namespace gcam_test;  // byte_files.hpp, handmade_images.hpp, ScratchFolder

namespace {

Bytes png_bytes(const Image& image, const ScratchFolder& folder) {
  save_png(folder.file("x.png"), image);
  return file_bytes(folder.file("x.png"));
}

}  // namespace

TEST_CASE("decode_image reads an image held in memory, as load_image reads the file", "[hardening][io]") {
  ScratchFolder folder("decode_image");
  for (int channels = 1; channels <= 4; ++channels) {
    const Image image = pattern_image(7, 5, channels);
    const Image back = decode_image(png_bytes(image, folder), "memory");
    CHECK(back.width == 7);
    CHECK(back.height == 5);
    CHECK(back.channels == channels);
    CHECK(back.pixels == image.pixels);
    CHECK(load_image(folder.file("x.png")).pixels == image.pixels);
  }
}

TEST_CASE("decode_image names what is wrong before decoding anything", "[hardening][io][errors]") {
  ScratchFolder folder("decode_errors");
  const Bytes png = png_bytes(pattern_image(64, 48, 3), folder);
  CHECK_THROWS_WITH(decode_image({}, "nothing"), Catch::Contains("'nothing' is empty (0 bytes)"));
  CHECK_THROWS_WITH(decode_image(as_bytes("plain text"), "t"), Catch::Contains("not a readable image"));

  Bytes zero = png;  // IHDR height 0
  put_be32(zero, 20, 0);
  CHECK_THROWS_WITH(decode_image(zero, "z"), Catch::Contains("zero size (64x0)"));

  Bytes huge = png;  // IHDR 4097 × 4096: one column more than the limit allows
  put_be32(huge, 16, 4097);
  put_be32(huge, 20, 4096);
  CHECK_THROWS_WITH(decode_image(huge, "h"), Catch::Contains("4097x4096") && Catch::Contains("above the limit"));

  // GIF and BMP headers are read the same way.
  CHECK_THROWS_WITH(decode_image(as_bytes(std::string("GIF89a\x00\x00\x10\x00", 10)), "g"),
                    Catch::Contains("zero size (0x16)"));
  Bytes bmp(54, 0);
  bmp[0] = 'B', bmp[1] = 'M', bmp[14] = 40;
  put_le32(bmp, 18, 100000);
  put_le32(bmp, 22, 0xFFFFFF00u);  // height -256: top-down rows
  CHECK_THROWS_WITH(decode_image(bmp, "b"), Catch::Contains("100000x256") && Catch::Contains("above the limit"));

  // A PNG cut inside its header chunk is called truncated; a signature with
  // a header stb cannot read says which format it looked like.
  CHECK_THROWS_WITH(decode_image(Bytes(png.begin(), png.begin() + 20), "cut"),
                    Catch::Contains("cannot decode 'cut': a truncated PNG"));
  CHECK_THROWS_WITH(decode_image(as_bytes("BM\x01\x02"), "b"), Catch::Contains("starts like a BMP file"));
  CHECK_THROWS_WITH(decode_image(Bytes(png.begin(), png.end() - 30), "end"),
                    Catch::Contains("cannot decode 'end'") && Catch::Contains("truncated PNG"));
}

TEST_CASE("a PNG whose image data inflates far beyond its size is refused before stb inflates it",
          "[hardening][io][errors]") {
  // 3x2 grey: 2 rows of (filter byte + 3 pixels) = 8 bytes; interlaced, the
  // passes holding pixels are 1x1, 1x1, 1x1 and 3x1: 2 + 2 + 2 + 4 = 10 bytes.
  const Bytes rows = {0, 10, 20, 30, 0, 40, 50, 60};
  const Image exact = decode_image(grey_png(3, 2, false, rows), "exact");
  CHECK(exact.pixels == std::vector<std::uint8_t>{10, 20, 30, 40, 50, 60});

  // Up to twice the needed size plus 4 KiB is read (stb ignores data past
  // the end, which some encoders write); one byte more is refused.
  for (const auto& [interlaced, needed] : {std::pair<bool, std::size_t>{false, 8}, {true, 10}}) {
    INFO("interlaced " << interlaced);
    const std::size_t allowed = 2 * needed + 4096;
    const Image padded = decode_image(grey_png(3, 2, interlaced, Bytes(allowed, 0)), "padded");
    CHECK(padded.pixels == std::vector<std::uint8_t>(6, 0));
    CHECK_THROWS_WITH(decode_image(grey_png(3, 2, interlaced, Bytes(allowed + 1, 0)), "bomb"),
                      Catch::Contains("cannot decode 'bomb'") &&
                          Catch::Contains("inflates to more than " + std::to_string(allowed) + " bytes") &&
                          Catch::Contains("needs " + std::to_string(needed)));
  }
  // A 1x1 image whose data inflates to 1 MB.
  CHECK_THROWS_WITH(decode_image(grey_png(1, 1, false, Bytes(1 << 20, 0)), "big"),
                    Catch::Contains("decompression bomb"));
}

TEST_CASE("decoders not documented by load_image are not compiled in", "[hardening][io][errors]") {
  // A Photoshop header (stb_image can read PSD, this program does not).
  Bytes psd =
      as_bytes(std::string("8BPS\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00\x04"
                           "\x00\x08\x00\x03",
                           26));
  psd.resize(200, 0);
  CHECK_THROWS_WITH(decode_image(psd, "photo.psd"), Catch::Contains("not a readable image"));
  // Radiance HDR, likewise.
  CHECK_THROWS_WITH(
      decode_image(as_bytes("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 2\n" + std::string(16, 'A')), "sky.hdr"),
      Catch::Contains("not a readable image"));
}

TEST_CASE("read_file_bytes refuses pipes and files above its limit before reading", "[hardening][io][errors]") {
  ScratchFolder folder("read_limits");
  const std::string fifo = folder.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Opening a FIFO with no writer would block forever; it must be refused.
  CHECK_THROWS_WITH(read_file_bytes(fifo), Catch::Contains("not a regular file"));
  CHECK_THROWS_WITH(load_image(fifo), Catch::Contains("not a regular file"));
  std::ofstream(folder.file("ten")) << "0123456789";
  CHECK(read_file_bytes(folder.file("ten"), 10).size() == 10);
  CHECK_THROWS_WITH(read_file_bytes(folder.file("ten"), 9), Catch::Contains("10 bytes, more than the 9"));
  CHECK_THROWS_WITH(read_file_bytes("/dev/null"), Catch::Contains("not a regular file"));
}

TEST_CASE("a checksum-valid checkpoint claiming a model far larger than its values is refused before building",
          "[hardening][checkpoint][errors]") {
  ScratchFolder folder("hostile_ckpt");
  Model small = make_model("fashion-cnn", {1, 8, 8}, 3, 1);
  const std::vector<unsigned char> encoded = encode_checkpoint(small, {});
  const Bytes good(encoded.begin(), encoded.end());
  CHECK(load_model_error(folder.file("c.ckpt"), good).empty());
  const std::size_t shape_at = offset_after(good, "fashion-cnn");  // C, H, W follow the name

  // fashion-cnn's dense layer grows with H·W: 4096×4096 would need ~4·10^9
  // values (32 GB as double). Refused from the estimate, nothing allocated.
  Bytes huge = good;
  put_le32(huge, shape_at + 4, 4096), put_le32(huge, shape_at + 8, 4096);
  reseal_checkpoint(huge);
  CHECK_THAT(load_model_error(folder.file("c.ckpt"), huge),
             Catch::Contains("would have about") && Catch::Contains("holds only"));

  // More input channels than stored values: refused before any probe.
  Bytes channels = good;
  put_le32(channels, shape_at, 65536), put_le32(channels, shape_at + 4, 16), put_le32(channels, shape_at + 8, 16);
  reseal_checkpoint(channels);
  CHECK_THAT(load_model_error(folder.file("c.ckpt"), channels), Catch::Contains("65536 input channels"));

  // A legitimately larger input is still accepted up to the real mismatch:
  // 64×64 passes the estimate and fails on fc1's shape, as it should.
  Bytes bigger = good;
  put_le32(bigger, shape_at + 4, 64), put_le32(bigger, shape_at + 8, 64);
  reseal_checkpoint(bigger);
  CHECK_THAT(load_model_error(folder.file("c.ckpt"), bigger),
             Catch::Contains("fc1.weight") && Catch::Contains("expects"));

  // And real checkpoints of every architecture, at sizes around the probe's, load.
  for (const std::string& name : model_names())
    for (int side : {8, 28, 32, 33, 64, 100}) {
      Model m = make_model(name, {2, side, side}, 5, 2);
      const std::vector<unsigned char> b = encode_checkpoint(m, {});
      INFO(name << " at " << side << "x" << side);
      CHECK(load_model_error(folder.file("c.ckpt"), Bytes(b.begin(), b.end())).empty());
    }
}

TEST_CASE("grad_cam refuses NaN or infinite inputs, naming the image and element", "[hardening][gradcam][errors]") {
  Model model = make_model("gap-cnn", {1, 8, 8}, 3, 1);
  Tensor images({2, 1, 8, 8}, Scalar(0.5));
  CHECK_NOTHROW(grad_cam(model, images));
  images.at(1, 0, 2, 5) = std::numeric_limits<Scalar>::quiet_NaN();
  CHECK_THROWS_AS(grad_cam(model, images), NumericError);
  CHECK_THROWS_WITH(grad_cam(model, images), Catch::Contains("image 1") && Catch::Contains("NaN") &&
                                                 Catch::Contains("channel 0, row 2, column 5"));
  images.at(1, 0, 2, 5) = 0;
  images.at(0, 0, 7, 0) = -std::numeric_limits<Scalar>::infinity();
  CHECK_THROWS_WITH(grad_cam(model, images),
                    Catch::Contains("image 0") && Catch::Contains("-Inf") && Catch::Contains("row 7, column 0"));
  CHECK_THROWS_AS(grad_cam(model, Tensor({0, 1, 8, 8})), ShapeError);
}

TEST_CASE("grad_cam refuses a model whose output is not finite", "[hardening][gradcam][errors]") {
  Model model = make_model("gap-cnn", {1, 8, 8}, 3, 1);
  for (Parameter* p : model.parameters())
    if (p->name == "fc.bias") p->value[1] = std::numeric_limits<Scalar>::infinity();
  CHECK_THROWS_WITH(grad_cam(model, Tensor({1, 1, 8, 8}, Scalar(0.5))),
                    Catch::Contains("outputs +Inf for image 0, class 1"));
}

TEST_CASE("Grad-CAM of a constant map is all zero and flagged, never NaN", "[hardening][gradcam]") {
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
  for (Parameter* p : model.parameters()) p->value.fill(0);  // every activation and gradient is zero
  const Tensor images = make_shapes(3, 2).images({0, 1, 2});
  const GradCamResult r = grad_cam(model, images);
  CHECK(r.empty_map == std::vector<bool>{true, true, true});
  for (std::size_t e = 0; e < r.heatmap.size(); ++e) {
    REQUIRE(std::isfinite(r.heatmap[e]));
    REQUIRE(r.heatmap[e] == 0);
  }
  // A constant but non-zero map (no ReLU zeroing it) is also blank and flagged.
  std::vector<bool> constant;
  const Tensor n = normalize_to_unit(Tensor({1, 1, 4, 4}, Scalar(0.75)), &constant);
  CHECK(constant == std::vector<bool>{true});
  CHECK(std::all_of(n.values().begin(), n.values().end(), [](Scalar v) { return v == 0; }));
}

TEST_CASE("inputs that made stb_image misbehave under the fuzzer are refused before stb reads them",
          "[hardening][io][errors][fuzz]") {
  // tests/fuzz/regressions/image/: each found by tests/fuzz/fuzz_image.cpp
  // (a sanitizer report inside stb_image 2.27), each now a FormatError.
  const std::string folder = std::filesystem::path(__FILE__).parent_path().string() + "/fuzz/regressions/image/";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"jpeg-huffman-counts-over-256.jpg", "Huffman table has"},
      {"jpeg-huffman-after-padding.jpg", "Huffman table has"},
      {"jpeg-huffman-after-fill-bytes.jpg", "Huffman table has"},
      {"pnm-width-overflows-int.ppm", "10 or more digits"},
      {"png-empty-first-idat.png", "(IDAT) is empty"},
      {"png-idat-longer-than-file.png", "truncated PNG (a chunk claims"},
  };
  for (const auto& [file, words] : cases) {
    INFO(file);
    CHECK_THROWS_WITH(decode_image(read_file_bytes(folder + file), file), Catch::Contains(words));
  }
  // The checks do not refuse what stb reads correctly: a JPEG with fill
  // bytes before its SOI and padding between two segments still decodes.
  std::vector<std::uint8_t> jpeg = tiny_jpeg(16, 8, 3);
  jpeg.insert(jpeg.begin() + 2 + 2 + 67, {0x00, 0x00, 0x00});  // after the DQT segment
  jpeg.insert(jpeg.begin(), {0xFF, 0xFF});
  const Image image = decode_image(jpeg, "padded.jpg");
  CHECK(image.width == 16);
  CHECK(image.channels == 3);
}

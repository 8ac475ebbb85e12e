// Files, images, .npy and gzip: round trips, exact values and error messages.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/io/files.hpp"
#include "gcam/io/gzip.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/io/npy.hpp"
#include "scratch_folder.hpp"

using namespace gcam;
namespace fs = std::filesystem;

namespace {

using gcam_test::ScratchFolder;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_raw(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::vector<std::uint8_t> bytes_of(const std::string& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }

// A gzip file whose deflate stream uses only "stored" (uncompressed) blocks,
// so tests can wrap any data without a compressor. `header_extra` is placed
// after the 10-byte fixed header, whose flag byte is `flags`.
std::vector<std::uint8_t> gzip_stored(const std::vector<std::uint8_t>& data, std::uint8_t flags = 0,
                                      const std::vector<std::uint8_t>& header_extra = {}) {
  std::vector<std::uint8_t> out = {0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 255};
  out.insert(out.end(), header_extra.begin(), header_extra.end());
  std::size_t pos = 0;
  do {
    const std::size_t len = std::min<std::size_t>(65535, data.size() - pos);
    const bool final = pos + len == data.size();
    out.push_back(final ? 1 : 0);  // BFINAL, BTYPE = 00 (stored)
    append_le(out, len, 2);
    append_le(out, ~len, 2);
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  } while (pos < data.size());
  append_le(out, crc32(data.data(), data.size()), 4);
  append_le(out, data.size(), 4);
  return out;
}

// Made once with Python's gzip module (filename "vector.txt", mtime 0) from
// the payload below; the deflate data uses Huffman codes, not stored blocks.
const std::vector<std::uint8_t> kPythonGzip = {
    0x1f, 0x8b, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x2e,
    0x74, 0x78, 0x74, 0x00, 0x73, 0x2f, 0x4a, 0x4c, 0xd1, 0x75, 0x76, 0xf4, 0x55, 0x48, 0xaf, 0xca, 0x2c,
    0x50, 0x28, 0x49, 0x2d, 0x2e, 0x51, 0x28, 0x4b, 0x4d, 0x2e, 0xc9, 0x2f, 0xd2, 0xe3, 0x72, 0x1f, 0xca,
    0x52, 0x0c, 0xac, 0x5c, 0xfc, 0x22, 0x92, 0x72, 0xca, 0x1a, 0xba, 0x46, 0xe6, 0x36, 0x8e, 0x6e, 0xde,
    0x01, 0xa1, 0x51, 0xf1, 0x29, 0x99, 0x79, 0xc5, 0x15, 0xb5, 0x4d, 0xed, 0x3d, 0x13, 0xa7, 0xcd, 0x5e,
    0xb0, 0x74, 0xd5, 0xfa, 0x2d, 0x3b, 0xf7, 0x1d, 0x3e, 0x71, 0xf6, 0xd2, 0xf5, 0x3b, 0x0f, 0x9f, 0xbd,
    0xfe, 0xf0, 0xf5, 0xd7, 0x7f, 0x00, 0x93, 0x91, 0x9d, 0x2e, 0x0c, 0x01, 0x00, 0x00,
};

// The payload of kPythonGzip: a sentence 8 times, then bytes 0, 5, …, 255.
std::vector<std::uint8_t> python_payload() {
  std::vector<std::uint8_t> p;
  for (int i = 0; i < 8; ++i) {
    const std::string line = "Grad-CAM gzip test vector.\n";
    p.insert(p.end(), line.begin(), line.end());
  }
  for (int b = 0; b < 256; b += 5) p.push_back(static_cast<std::uint8_t>(b));
  return p;
}

Image test_image(int width, int height, int channels) {
  Image image{width, height, channels, {}};
  for (int i = 0; i < width * height * channels; ++i) image.pixels.push_back(static_cast<std::uint8_t>(i * 37 + 11));
  return image;
}

}  // namespace

// ---- gzip ----------------------------------------------------------------------
TEST_CASE("crc32 gives the standard check value and can be fed in pieces", "[io][gzip]") {
  const std::string digits = "123456789";
  const auto* p = reinterpret_cast<const std::uint8_t*>(digits.data());
  CHECK(crc32(p, 9) == 0xCBF43926u);
  CHECK(crc32(p + 4, 5, crc32(p, 4)) == 0xCBF43926u);
  CHECK(crc32(p, 0) == 0u);
}

TEST_CASE("gunzip decodes a file made by Python's gzip module", "[io][gzip]") {
  CHECK(is_gzip(kPythonGzip));
  CHECK(gunzip(kPythonGzip, "vector.gz") == python_payload());
}

TEST_CASE("gunzip skips FEXTRA, FNAME, FCOMMENT and checks FHCRC", "[io][gzip]") {
  const std::vector<std::uint8_t> data = bytes_of("hello, header fields");
  // FEXTRA: length 3 (little-endian) + 3 bytes; FNAME and FCOMMENT: C strings.
  std::vector<std::uint8_t> extra = {3, 0, 'a', 'b', 'c', 'n', 'a', 'm', 'e', 0, 'h', 'i', 0};
  const std::uint8_t flags = 4 | 8 | 16 | 2;
  std::vector<std::uint8_t> header = {0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 255};
  header.insert(header.end(), extra.begin(), extra.end());
  const std::uint32_t header_crc = crc32(header.data(), header.size());
  extra.push_back(static_cast<std::uint8_t>(header_crc & 0xFF));
  extra.push_back(static_cast<std::uint8_t>((header_crc >> 8) & 0xFF));
  CHECK(gunzip(gzip_stored(data, flags, extra), "fields.gz") == data);

  extra[extra.size() - 1] ^= 0x55;  // wrong header CRC
  CHECK_THROWS_WITH(gunzip(gzip_stored(data, flags, extra), "fields.gz"),
                    Catch::Contains("fields.gz") && Catch::Contains("header CRC"));
}

TEST_CASE("gunzip handles empty data and several stored blocks", "[io][gzip]") {
  CHECK(gunzip(gzip_stored({}), "empty.gz").empty());
  std::vector<std::uint8_t> big(150000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7 % 251);
  CHECK(gunzip(gzip_stored(big), "big.gz") == big);  // three blocks of ≤ 65535 bytes
}

TEST_CASE("gunzip rejects corrupt files with a message naming the problem", "[io][gzip][errors]") {
  const auto rejects = [](std::vector<std::uint8_t> file, const std::string& text) {
    INFO("expecting: " << text);
    CHECK_THROWS_AS(gunzip(file, "data.gz"), FormatError);
    CHECK_THROWS_WITH(gunzip(file, "data.gz"), Catch::Contains("data.gz") && Catch::Contains(text));
  };
  std::vector<std::uint8_t> f = kPythonGzip;
  f[0] = 0x1e;
  rejects(f, "not a gzip file");
  f = kPythonGzip;
  f[2] = 7;
  rejects(f, "compression method 7");
  f = kPythonGzip;
  f[3] |= 0x80;
  rejects(f, "reserved header flags");
  rejects({kPythonGzip.begin(), kPythonGzip.begin() + 12}, "truncated");
  rejects({0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 255, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'},
          "truncated inside its header");  // FNAME without its terminating zero

  f = kPythonGzip;
  f[f.size() - 8] ^= 1;  // stored CRC
  rejects(f, "CRC-32");
  f = kPythonGzip;
  f[f.size() - 4] += 1;  // ISIZE one too large
  rejects(f, "trailer says");
  f = kPythonGzip;
  f[f.size() - 4] -= 1;  // ISIZE one too small
  rejects(f, "more than the 267 bytes");
  f = kPythonGzip;
  f[f.size() - 1] = 0x40;  // ISIZE of a gigabyte from 100 compressed bytes
  rejects(f, "claims");

  // Cutting the end shifts the trailer into the data: some check must fail.
  f.assign(kPythonGzip.begin(), kPythonGzip.end() - 3);
  CHECK_THROWS_AS(gunzip(f, "data.gz"), FormatError);
  // Damage inside the compressed data: inflate or the CRC must notice.
  for (std::size_t at = 30; at < 100; at += 7) {
    f = kPythonGzip;
    f[at] ^= 0x24;
    CHECK_THROWS_AS(gunzip(f, "data.gz"), FormatError);
  }
}

// ---- files -----------------------------------------------------------------------
TEST_CASE("write_file_atomically replaces the file and leaves no temporary file", "[io][files]") {
  ScratchFolder folder("atomic");
  const std::string path = folder.file("out.txt");
  write_file_atomically(path, std::string("old content"));
  CHECK(read_text(path) == "old content");
  write_file_atomically(path, std::string("new"));
  CHECK(read_text(path) == "new");
  write_file_atomically(path, [](std::ostream& out) { out << "streamed " << 42; });
  CHECK(read_text(path) == "streamed 42");
  CHECK(folder.entries() == std::vector<std::string>{"out.txt"});
  CHECK(read_file_bytes(path) == bytes_of("streamed 42"));
}

TEST_CASE("a failing atomic write throws naming the path and leaves nothing behind", "[io][files][errors]") {
  ScratchFolder folder("atomic_fail");
  const std::string missing = folder.file("no/such/folder/out.png");
  CHECK_THROWS_AS(write_file_atomically(missing, std::string("x")), std::runtime_error);
  CHECK_THROWS_WITH(write_file_atomically(missing, std::string("x")),
                    Catch::Contains(missing) && Catch::Contains("does the folder exist"));
  CHECK(folder.entries().empty());

  // A writer that throws: its exception propagates, the old file survives.
  const std::string path = folder.file("keep.txt");
  write_file_atomically(path, std::string("precious"));
  const auto failing = [](std::ostream& out) {
    out << "half";
    throw std::runtime_error("writer gave up");
  };
  CHECK_THROWS_WITH(write_file_atomically(path, failing), "writer gave up");
  CHECK(read_text(path) == "precious");
  CHECK(folder.entries() == std::vector<std::string>{"keep.txt"});
}

TEST_CASE("read_file_bytes names a missing file", "[io][files][errors]") {
  CHECK_THROWS_AS(read_file_bytes("/nonexistent/gcam/file.bin"), FormatError);
  CHECK_THROWS_WITH(read_file_bytes("/nonexistent/gcam/file.bin"),
                    Catch::Contains("/nonexistent/gcam/file.bin") && Catch::Contains("exists"));
}

// ---- images ----------------------------------------------------------------------
TEST_CASE("save_png then load_image gives back the same pixels", "[io][png]") {
  ScratchFolder folder("png");
  for (int channels = 1; channels <= 4; ++channels) {
    const Image image = test_image(7, 5, channels);
    const std::string path = folder.file("c" + std::to_string(channels) + ".png");
    save_png(path, image);
    const Image back = load_image(path);
    CHECK(back.width == 7);
    CHECK(back.height == 5);
    CHECK(back.channels == channels);
    CHECK(back.pixels == image.pixels);
  }
  CHECK(folder.entries().size() == 4);  // no temporary files
}

TEST_CASE("save_png rejects inconsistent images", "[io][png][errors]") {
  Image bad = test_image(4, 4, 3);
  bad.pixels.pop_back();
  CHECK_THROWS_WITH(save_png("/tmp/never.png", bad), Catch::Contains("needs 48 bytes, but has 47"));
  bad = test_image(4, 4, 3);
  bad.channels = 5;
  CHECK_THROWS_AS(save_png("/tmp/never.png", bad), std::invalid_argument);
}

TEST_CASE("load_image errors say what is wrong", "[io][png][errors]") {
  ScratchFolder folder("load_errors");
  CHECK_THROWS_AS(load_image(folder.file("missing.png")), FormatError);
  CHECK_THROWS_WITH(load_image(folder.file("missing.png")), Catch::Contains("missing.png"));

  write_raw(folder.file("garbage.png"), "this is not an image at all");
  CHECK_THROWS_WITH(load_image(folder.file("garbage.png")),
                    Catch::Contains("garbage.png") && Catch::Contains("not a readable image"));

  // A PGM header announcing 5000×5000 pixels; the data is not even there,
  // which proves the size is refused before any decoding.
  write_raw(folder.file("huge.pgm"), "P5\n5000 5000\n255\n");
  CHECK_THROWS_WITH(load_image(folder.file("huge.pgm")),
                    Catch::Contains("5000x5000") && Catch::Contains("above the limit"));

  // A valid PNG cut in half: the header is fine, decoding fails with stb's reason.
  save_png(folder.file("whole.png"), test_image(64, 64, 3));
  const std::string png = read_text(folder.file("whole.png"));
  write_raw(folder.file("cut.png"), png.substr(0, png.size() / 2));
  CHECK_THROWS_WITH(load_image(folder.file("cut.png")), Catch::Contains("cut.png") && Catch::Contains("cannot decode"));
}

TEST_CASE("to_grayscale uses the 0.299/0.587/0.114 weights and drops alpha", "[io][image]") {
  Image rgba{4, 1, 4, {255, 0, 0, 9, 0, 255, 0, 9, 0, 0, 255, 9, 255, 255, 255, 0}};
  const Image gray = to_grayscale(rgba);
  CHECK(gray.channels == 1);
  // 76.245 → 76, 149.685 → 150, 29.07 → 29, 255.
  CHECK(gray.pixels == std::vector<std::uint8_t>{76, 150, 29, 255});
  Image gray_alpha{2, 1, 2, {10, 255, 200, 0}};
  CHECK(to_grayscale(gray_alpha).pixels == std::vector<std::uint8_t>{10, 200});
}

TEST_CASE("resize_bilinear follows the half-pixel-centre convention", "[io][image]") {
  // Upsampling [0, 100] to 4 pixels samples at −0.25 (clamped), 0.25, 0.75, 1.25.
  Image row{2, 1, 1, {0, 100}};
  CHECK(resize_bilinear(row, 4, 1).pixels == std::vector<std::uint8_t>{0, 25, 75, 100});
  // Halving averages pixel pairs (samples at 0.5 and 2.5).
  Image wide{4, 1, 1, {0, 10, 100, 200}};
  CHECK(resize_bilinear(wide, 2, 1).pixels == std::vector<std::uint8_t>{5, 150});
  // Same size is the identity; each channel is resized on its own.
  const Image rgb = test_image(5, 3, 3);
  CHECK(resize_bilinear(rgb, 5, 3).pixels == rgb.pixels);
  const Image tall = resize_bilinear(Image{1, 2, 2, {0, 200, 100, 0}}, 1, 4);
  CHECK(tall.pixels == std::vector<std::uint8_t>{0, 200, 25, 150, 75, 50, 100, 0});
  CHECK_THROWS_WITH(resize_bilinear(row, 0, 3), Catch::Contains("target size 0x3"));
}

TEST_CASE("tensor_to_image and image_to_tensor convert [0, 1] values and bytes", "[io][image]") {
  Tensor t({3, 1, 2}, {0.0, 1.0, 0.5, -2.0, 2.0, 0.2});
  const Image image = tensor_to_image(t);
  CHECK(image.width == 2);
  CHECK(image.height == 1);
  CHECK(image.channels == 3);
  // Interleaved: pixel 0 = (c0, c1, c2) = (0, 0.5, 2 → 1), pixel 1 = (1, −2 → 0, 0.2).
  CHECK(image.pixels == std::vector<std::uint8_t>{0, 128, 255, 255, 0, 51});
  CHECK(tensor_to_image(t.reshaped({1, 3, 1, 2})).pixels == image.pixels);

  const Tensor back = image_to_tensor(image);
  CHECK(back.shape() == Shape{3, 1, 2});
  CHECK(back[1] == Approx(1.0));
  CHECK(back[2] == Approx(128.0 / 255));
  CHECK_THROWS_AS(tensor_to_image(Tensor({2, 4, 4})), ShapeError);
  CHECK_THROWS_AS(tensor_to_image(Tensor({2, 1, 4, 4})), ShapeError);
}

// ---- .npy --------------------------------------------------------------------------
TEST_CASE("npy_bytes writes a version 1.0 header aligned to 64 bytes and float32 data", "[io][npy]") {
  Tensor t({2, 3}, {1, -2, 0.5, 0, 3, 100});
  const std::string bytes = npy_bytes(t);
  REQUIRE(bytes.size() > 10);
  CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(bytes[6] == 1);
  CHECK(bytes[7] == 0);
  const std::size_t header_len = std::uint8_t(bytes[8]) | std::size_t(std::uint8_t(bytes[9])) << 8;
  const std::size_t data_start = 10 + header_len;
  CHECK(data_start % 64 == 0);
  const std::string dict = bytes.substr(10, header_len);
  CHECK(dict.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0) == 0);
  CHECK(dict.back() == '\n');
  REQUIRE(bytes.size() == data_start + 6 * 4);
  for (std::size_t i = 0; i < 6; ++i) {
    std::uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= std::uint32_t(std::uint8_t(bytes[data_start + 4 * i + b])) << (8 * b);
    float f;
    std::memcpy(&f, &bits, 4);
    CHECK(f == static_cast<float>(t[i]));
  }
  CHECK(npy_bytes(Tensor({5})).find("'shape': (5,)") != std::string::npos);
  CHECK_THROWS_AS(npy_bytes(Tensor()), ShapeError);  // no shape, no data
}

TEST_CASE("save_npy writes npy_bytes atomically", "[io][npy]") {
  ScratchFolder folder("npy");
  Tensor t({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  save_npy(folder.file("cam.npy"), t);
  CHECK(read_text(folder.file("cam.npy")) == npy_bytes(t));
  CHECK(folder.entries() == std::vector<std::string>{"cam.npy"});
}

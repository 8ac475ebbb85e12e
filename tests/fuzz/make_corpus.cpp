// Writes the seed corpus of the fuzz targets with the project's own writers:
//   make fuzz-corpus   (runs: build/double/make_fuzz_corpus tests/fuzz/corpus)
// into <folder>/image, <folder>/idx and <folder>/checkpoint. The output is
// deterministic, so running it again changes nothing.
#include <stb/stb_image_write.h>  // the BMP and TGA encoders compiled into src/io/stb.cpp

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../handmade_images.hpp"  // JPEG, GIF (stb's JPEG encoder shifts negative ints: UBSan objects), gzip
#include "gcam/data/dataset.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/files.hpp"
#include "gcam/io/image_codec.hpp"

using namespace gcam;
using Bytes = std::vector<std::uint8_t>;
using gcam_test::pattern_image;

namespace {

std::string folder;

void write(const std::string& name, const Bytes& bytes) {
  write_file_atomically(folder + "/" + name, std::string(bytes.begin(), bytes.end()));
}

void append(void* context, void* data, int size) {
  auto* out = static_cast<Bytes*>(context);
  out->insert(out->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
}

// An IDX file of unsigned bytes with these dimensions, filled with a pattern.
Bytes idx(const std::vector<std::uint32_t>& dims) {
  Bytes b{0, 0, 0x08, std::uint8_t(dims.size())};
  std::size_t n = 1;
  for (std::uint32_t d : dims) append_be(b, d, 4), n *= d;
  for (std::size_t i = 0; i < n; ++i) b.push_back(std::uint8_t(i * 7 % 10));
  return b;
}

Bytes checkpoint(Model& model, const CheckpointInfo& info) {
  const std::vector<unsigned char> b = encode_checkpoint(model, info);
  return Bytes(b.begin(), b.end());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: make_fuzz_corpus <folder>\n"), 2;
  const std::string root = argv[1];
  for (const char* target : {"image", "idx", "checkpoint"}) std::filesystem::create_directories(root + "/" + target);

  folder = root + "/image";
  for (int channels = 1; channels <= 4; ++channels) {
    save_png(folder + "/c" + std::to_string(channels) + ".png", pattern_image(5 + channels, 4, channels));
  }
  Bytes bmp, tga;
  stbi_write_bmp_to_func(append, &bmp, 5, 3, 3, pattern_image(5, 3, 3).pixels.data());
  stbi_write_tga_to_func(append, &tga, 4, 4, 4, pattern_image(4, 4, 4).pixels.data());  // RLE
  write("gray.jpg", gcam_test::tiny_jpeg(8, 8, 1));
  write("rgb.jpg", gcam_test::tiny_jpeg(16, 8, 3));
  write("rgb.bmp", bmp);
  write("rgba.tga", tga);
  write("tiny.gif", gcam_test::tiny_gif());
  write("interlaced.png", gcam_test::grey_png(3, 2, true, {0, 1, 0, 2, 0, 3, 0, 4, 5, 6}));
  write("padded.png", gcam_test::grey_png(3, 2, false, Bytes(64, 0)));  // more data than 3x2 needs
  const std::string pgm = "P5\n4 3\n255\n" + std::string(12, '\x80');
  const std::string ppm = "P6\n2 2\n255\n" + std::string(12, '\x40');
  write("gray.pgm", Bytes(pgm.begin(), pgm.end()));
  write("rgb.ppm", Bytes(ppm.begin(), ppm.end()));

  folder = root + "/idx";
  write("images-idx3", idx({2, 4, 4}));
  write("labels-idx1", idx({5}));
  write("labels-idx1.gz", gcam_test::gzip_stored(idx({5})));
  write("array-idx4", idx({1, 2, 2, 3}));
  write("empty-idx1", idx({0}));

  folder = root + "/checkpoint";
  // The smallest real architecture (gap-cnn, 8×8 inputs: 24 KB) loads as a
  // model; a tiny hand-made one exercises names and metadata.
  Model gap = make_model("gap-cnn", {1, 8, 8}, 2, 1);
  CheckpointInfo info;
  info.class_names = {"yes", "no"};
  info.metadata = {{"data", "shapes"}, {"seed", "1"}};
  write("gap-cnn.ckpt", checkpoint(gap, info));
  Model tiny("tiny", {1, 4, 4}, 2);
  tiny.add(std::make_unique<GlobalAvgPool>("gap"));
  tiny.add(std::make_unique<Dense>("fc", 1, 2));
  write("tiny.ckpt", checkpoint(tiny, info));
  std::printf("wrote the seed corpus to %s/{image,idx,checkpoint}\n", root.c_str());
  return 0;
}

// Files, images, .npy and gzip. The stb implementations are compiled here and
// only here; stb's headers are system headers, so their warnings are silent.
//
// Only the decoders of the formats load_image documents are compiled in
// (PNG, JPEG, BMP, PGM/PPM, TGA, GIF): stb's PSD, HDR and PIC readers would
// be attack surface that nothing here needs. PNG keeps stb's zlib, which
// gunzip uses.
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_PNM
#define STBI_ONLY_TGA
#define STBI_ONLY_GIF
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "gcam/io/image_io.hpp"

#include <fcntl.h>     // open: fsync needs a file descriptor
#include <unistd.h>    // getpid (temporary file names unique per process), fsync

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "gcam/core/error.hpp"

namespace gcam {

// ---- files -------------------------------------------------------------------

// errno's text, or "" when nothing was recorded. iostreams do not promise to
// set errno, so the reason is a hint appended to our own message.
static std::string errno_text() { return errno ? std::string(": ") + std::strerror(errno) : std::string(); }

std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::uintmax_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw FormatError("cannot open '" + path + "': no such file (check that the path exists)");
  if (std::filesystem::is_directory(status)) throw FormatError("cannot read '" + path + "': it is a folder, not a file");
  // A FIFO would block the open below, a device would never end.
  if (!std::filesystem::is_regular_file(status))
    throw FormatError("cannot read '" + path + "': not a regular file (a device, pipe or socket)");
  // The size is known before anything is allocated: refuse absurd files.
  const auto announced = std::filesystem::file_size(path, ec);
  if (!ec && announced > max_bytes)
    throw FormatError("cannot read '" + path + "': it has " + std::to_string(announced) + " bytes, more than the " +
                      std::to_string(max_bytes) + " this kind of file may have");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FormatError("cannot open '" + path + "'" + errno_text() + " (check that the file exists)");
  // Size first, then one read into an exact buffer: a growing vector would
  // briefly hold up to twice the file (Fashion-MNIST's train images are 26 MB).
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw FormatError("cannot read '" + path + "': " + ec.message());
  if (size > max_bytes)  // grew since the check above
    throw FormatError("cannot read '" + path + "': it has " + std::to_string(size) + " bytes, more than the " +
                      std::to_string(max_bytes) + " this kind of file may have");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size()))
    throw FormatError("error while reading '" + path + "'" + errno_text() + " (did the file change while reading?)");
  return bytes;
}

// path + ".tmp.<pid>.<n>": the pid keeps two processes apart, the counter two
// threads of one process. Same folder as `path`, so rename never crosses a
// file system (where it could not be atomic).
static std::string temporary_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(static_cast<long>(getpid())) + "." + std::to_string(counter++);
}

// fsync(2) of the file or folder at `path`: 0, or the errno. File systems
// that cannot sync (EINVAL, EROFS for a read-only folder) count as success.
static int sync_to_disk(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  const int result = ::fsync(fd) == 0 || errno == EINVAL || errno == EROFS ? 0 : errno;
  ::close(fd);
  return result;
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string temp = temporary_name(path);
  errno = 0;
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out)
    throw std::runtime_error("cannot write '" + path + "': cannot create the temporary file '" + temp + "'" +
                             errno_text() + " (does the folder exist and is it writable?)");
  try {
    write(out);
  } catch (...) {
    out.close();
    std::remove(temp.c_str());
    throw;
  }
  out.flush();
  out.close();  // close() flushes the last buffer; failure shows in the state
  if (out.fail()) {
    const std::string reason = errno_text();
    std::remove(temp.c_str());
    throw std::runtime_error("cannot write '" + path + "': writing the temporary file failed" + reason +
                             " (is the disk full?)");
  }
  // The data must be on the disk before the rename makes it the file: else
  // a power cut just after the rename could leave an empty `path`.
  if (const int error = sync_to_disk(temp, O_RDONLY)) {
    std::remove(temp.c_str());
    throw std::runtime_error("cannot write '" + path + "': flushing the temporary file to disk failed: " +
                             std::strerror(error));
  }
  // POSIX rename replaces an existing file in one step.
  errno = 0;
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text();
    std::remove(temp.c_str());
    throw std::runtime_error("cannot write '" + path + "': renaming the temporary file failed" + reason);
  }
  // Make the rename itself durable (best effort: the file is complete either way).
  const std::string folder = std::filesystem::path(path).parent_path().string();
  sync_to_disk(folder.empty() ? "." : folder, O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  write_file_atomically(path, [&bytes](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
}

// ---- images ------------------------------------------------------------------

// Throws std::invalid_argument unless the image's fields agree.
static void check_image(const char* op, const Image& image) {
  if (image.width < 1 || image.height < 1 || image.channels < 1 || image.channels > 4)
    throw std::invalid_argument(std::string(op) + ": image of " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " pixels with " + std::to_string(image.channels) +
                                " channels; need a positive size and 1 to 4 channels");
  const std::size_t expected = static_cast<std::size_t>(image.width) * image.height * image.channels;
  if (image.pixels.size() != expected)
    throw std::invalid_argument(std::string(op) + ": a " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + "x" + std::to_string(image.channels) +
                                " image needs " + std::to_string(expected) + " bytes, but has " +
                                std::to_string(image.pixels.size()));
}

// stb's reason for the last failure, for error messages.
static std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason ? reason : "unknown reason";
}

// Where a JPEG's segments start (just after its SOI marker FF D8), or 0 if
// the bytes do not start with SOI. Like stb_image, this allows fill bytes
// (more FFs) before the D8.
static std::size_t jpeg_start(const std::vector<std::uint8_t>& b) {
  std::size_t pos = 0;
  while (pos < b.size() && b[pos] == 0xFF) ++pos;
  return pos >= 1 && pos < b.size() && b[pos] == 0xD8 ? pos + 1 : 0;
}

// The format of an image file by its first bytes, or nullptr (TGA has no
// signature; other files are not images of the supported formats).
static const char* image_format(const std::vector<std::uint8_t>& b) {
  const auto starts = [&b](const char* magic, std::size_t n) {
    return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (jpeg_start(b) != 0) return "JPEG";
  if (starts("GIF87a", 6) || starts("GIF89a", 6)) return "GIF";
  if (starts("BM", 2)) return "BMP";
  if (starts("P5", 2) || starts("P6", 2)) return "PGM/PPM";
  return nullptr;
}

// The size a PNG, GIF or BMP header announces, read here rather than by
// stb_image: stb refuses very large or empty images with a vague reason, and
// the message should say "zero size" or "above the limit". False when the
// format keeps its size elsewhere (JPEG, PGM/PPM, TGA) or the header is cut.
static bool announced_size(const std::vector<std::uint8_t>& b, const char* format, std::uint64_t& width,
                           std::uint64_t& height) {
  const auto be32 = [&b](std::size_t at) {
    return std::uint64_t(b[at]) << 24 | std::uint64_t(b[at + 1]) << 16 | std::uint64_t(b[at + 2]) << 8 | b[at + 3];
  };
  const auto le16 = [&b](std::size_t at) { return std::uint64_t(b[at]) | std::uint64_t(b[at + 1]) << 8; };
  const auto le32s = [&](std::size_t at) {  // a signed 32-bit little-endian value, as its magnitude
    const std::uint64_t v = le16(at) | le16(at + 2) << 16;
    return v & 0x80000000u ? 0x100000000u - v : v;
  };
  if (!format) return false;
  const std::string f = format;
  if (f == "PNG" && b.size() >= 24 && std::memcmp(&b[12], "IHDR", 4) == 0) {
    width = be32(16), height = be32(20);
    return true;
  }
  if (f == "GIF" && b.size() >= 10) {
    width = le16(6), height = le16(8);
    return true;
  }
  if (f == "BMP" && b.size() >= 26) {
    if (le16(14) == 12 && le16(16) == 0) {  // the old 12-byte header: 16-bit sizes
      width = le16(18), height = le16(20);
    } else {
      width = le32s(18), height = le32s(22);  // a negative height means top-down rows
    }
    return true;
  }
  return false;
}

// stb_image 2.27 (Debian 12's libstb-dev) builds a JPEG Huffman table
// without checking that its 16 code counts add up to at most 256, and then
// writes past the end of the table (stb_image.h, stbi__build_huffman; found
// by tests/fuzz/fuzz_image.cpp, checked upstream since 2.28). So the JPEG's
// segments are walked here first, as stb will read them, and such a table is
// refused before stb sees it. Bytes past the end count as 0, as for stb.
static void check_jpeg_tables(const std::vector<std::uint8_t>& b, const std::string& name) {
  const auto at = [&b](std::size_t i) -> unsigned { return i < b.size() ? b[i] : 0; };
  std::size_t pos = jpeg_start(b);
  if (pos == 0) return;  // not a JPEG
  while (pos < b.size()) {
    if (b[pos] != 0xFF) {  // stb skips bytes between segments, looking for the next marker
      ++pos;
      continue;
    }
    while (pos < b.size() && b[pos] == 0xFF) ++pos;  // fill bytes
    const unsigned marker = at(pos++);
    if (marker == 0xD9) return;  // EOI
    if (marker == 0x00 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;  // no length
    const std::size_t length = at(pos) << 8 | at(pos + 1);
    if (length < 2) return;
    if (marker == 0xC4) {  // DHT: tables of (class/id, 16 counts, the symbols)
      std::size_t p = pos + 2;
      long left = static_cast<long>(length) - 2;
      while (left > 0) {
        std::size_t codes = 0;
        for (std::size_t i = 0; i < 16; ++i) codes += at(p + 1 + i);
        if (codes > 256)
          throw FormatError("load_image: '" + name + "' is a corrupt JPEG: a Huffman table has " +
                            std::to_string(codes) + " codes, at most 256 are possible");
        p += 17 + codes;
        left -= static_cast<long>(17 + codes);
      }
    }
    pos += length;
    if (marker == 0xDA) {  // SOS: entropy-coded data up to the next marker (FF 00 and RSTn are data)
      while (pos + 1 < b.size() && !(b[pos] == 0xFF && b[pos + 1] != 0 && (b[pos + 1] < 0xD0 || b[pos + 1] > 0xD7)))
        ++pos;
    }
  }
}

// The width and height of a PGM/PPM ("P5"/"P6") header: its first two
// numbers, after whitespace and '#' comments. stb_image 2.27 accumulates each
// number in an int without an overflow check (undefined behaviour, found by
// tests/fuzz/fuzz_image.cpp), so a number of 10 or more digits is refused
// here, before stb reads it. Returns false if a number is that long; width
// and height stay 0 when the header ends before them.
static bool pnm_size(const std::vector<std::uint8_t>& b, std::uint64_t& width, std::uint64_t& height) {
  std::size_t pos = 2;
  std::uint64_t numbers[3] = {0, 0, 0};
  for (std::uint64_t& number : numbers) {
    for (;;) {  // whitespace and comments, as stb skips them
      while (pos < b.size() && std::strchr(" \t\n\v\f\r", b[pos]) && b[pos] != 0) ++pos;
      if (pos >= b.size() || b[pos] != '#') break;
      while (pos < b.size() && b[pos] != '\n' && b[pos] != '\r') ++pos;
    }
    std::size_t digits = 0;
    for (; pos < b.size() && b[pos] >= '0' && b[pos] <= '9'; ++pos, ++digits)
      if (digits < 10) number = 10 * number + (b[pos] - '0');
    if (digits >= 10) return false;
  }
  width = numbers[0], height = numbers[1];
  return true;
}

// The most bytes n bytes of deflate data can inflate to: 1032 n + 1032 (a
// 258-byte match coded in 2 bits, and a partial byte at the end). stb's
// inflater stops at the end of its input, so it cannot produce more.
static std::uint64_t max_inflated_size(std::uint64_t compressed) { return 1032 * compressed + 1032; }

// The size of a PNG's filtered image data: every row of every pass (one pass,
// or Adam7's seven when interlaced) is a filter-type byte and packed pixels.
static std::uint64_t png_filtered_bytes(std::uint64_t width, std::uint64_t height, std::uint64_t bits_per_pixel,
                                        bool interlaced) {
  const auto pass_bytes = [&](std::uint64_t x0, std::uint64_t y0, std::uint64_t dx, std::uint64_t dy) {
    const std::uint64_t w = width > x0 ? (width - x0 + dx - 1) / dx : 0;
    const std::uint64_t h = height > y0 ? (height - y0 + dy - 1) / dy : 0;
    return w == 0 ? 0 : h * (1 + (w * bits_per_pixel + 7) / 8);
  };
  if (!interlaced) return pass_bytes(0, 0, 1, 1);
  return pass_bytes(0, 0, 8, 8) + pass_bytes(4, 0, 8, 8) + pass_bytes(0, 4, 4, 8) + pass_bytes(2, 0, 4, 4) +
         pass_bytes(0, 2, 2, 4) + pass_bytes(1, 0, 2, 2) + pass_bytes(0, 1, 1, 2);
}

// Refuses a PNG whose image data inflates to more than twice what its header's
// size needs (plus 4 KiB). stb_image inflates into a buffer it doubles as
// needed, up to 4 GiB, before it compares with the header; deflate expands up
// to 1032:1, so a 4 MB file could take 4 GiB. stb accepts a little data past
// the end (an encoder in the wild pads with zeros), hence the slack. The
// inflating here writes into a fixed buffer that stb will not grow.
static void check_png_inflated_size(const std::vector<std::uint8_t>& ihdr, const std::vector<std::uint8_t>& idat,
                                    bool raw_deflate, const std::string& name) {
  if (ihdr.size() != 13 || idat.empty()) return;  // stb refuses these itself
  const auto be32 = [&](std::size_t at) {
    return std::uint64_t(ihdr[at]) << 24 | std::uint64_t(ihdr[at + 1]) << 16 | std::uint64_t(ihdr[at + 2]) << 8 |
           ihdr[at + 3];
  };
  const std::uint64_t width = be32(0), height = be32(4), bit_depth = ihdr[8], color_type = ihdr[9];
  const int samples_per_pixel[7] = {1, 0, 3, 1, 2, 0, 4};  // by PNG colour type; 0 = not a valid type
  if (color_type > 6 || samples_per_pixel[color_type] == 0 || bit_depth > 16) return;
  if (width == 0 || height == 0 || width > kMaxImagePixels || height > kMaxImagePixels ||
      width * height > kMaxImagePixels)
    return;  // the size checks of decode_image say what is wrong
  const std::uint64_t needed =
      png_filtered_bytes(width, height, samples_per_pixel[color_type] * bit_depth, ihdr[12] != 0);
  const std::uint64_t allowed = 2 * needed + 4096;  // at most 2 x 128 MiB + 4 KiB: fits an int
  if (max_inflated_size(idat.size()) <= allowed) return;  // cannot pass the limit: not inflated
  std::unique_ptr<char[]> inflated(new char[allowed]);
  const char* data = reinterpret_cast<const char*>(idat.data());
  const int produced =
      raw_deflate ? stbi_zlib_decode_noheader_buffer(inflated.get(), int(allowed), data, int(idat.size()))
                  : stbi_zlib_decode_buffer(inflated.get(), int(allowed), data, int(idat.size()));
  if (produced < 0 && stb_reason() == "output buffer limit")  // stb's words for "more than the buffer holds"
    throw FormatError("load_image: cannot decode '" + name + "': its image data inflates to more than " +
                      std::to_string(allowed) + " bytes, while its size (" + std::to_string(width) + "x" +
                      std::to_string(height) + ") needs " + std::to_string(needed) +
                      "; the file is corrupt (or a decompression bomb)");
}

// Walks a PNG's chunks (length, type, data, CRC) up to IEND, as stb_image
// reads them, and refuses what stb_image 2.27 mishandles (the first two found
// by tests/fuzz/fuzz_image.cpp):
//  - a chunk longer than the bytes that remain: stb grows its buffer for an
//    IDAT chunk to the claimed length (up to 1 GiB, rounded up to 2 GiB)
//    before finding that the data is not there; a 149-byte file made it
//    allocate 2 GiB;
//  - an empty first IDAT chunk: stb copies zero bytes to a null pointer
//    (undefined behaviour); no encoder writes such a chunk;
//  - image data that inflates to far more than the header's size needs
//    (check_png_inflated_size).
static void check_png_chunks(const std::vector<std::uint8_t>& b, const std::string& name) {
  std::size_t pos = 8;  // after the signature
  std::vector<std::uint8_t> ihdr, idat;
  bool raw_deflate = false;  // Apple's "CgBI" PNGs hold deflate data without the zlib header
  while (pos + 8 <= b.size()) {
    const std::uint64_t length =
        std::uint64_t(b[pos]) << 24 | std::uint64_t(b[pos + 1]) << 16 | std::uint64_t(b[pos + 2]) << 8 | b[pos + 3];
    const std::string type(reinterpret_cast<const char*>(&b[pos + 4]), 4);
    if (type == "IEND") break;
    const std::size_t remaining = b.size() - (pos + 8);
    if (length > remaining)
      throw FormatError("load_image: cannot decode '" + name + "': a truncated PNG (a chunk claims " +
                        std::to_string(length) + " bytes, only " + std::to_string(remaining) + " remain)");
    const auto chunk_data = b.begin() + static_cast<std::ptrdiff_t>(pos + 8);
    if (type == "CgBI") raw_deflate = true;
    if (type == "IHDR" && ihdr.empty()) ihdr.assign(chunk_data, chunk_data + static_cast<std::ptrdiff_t>(length));
    if (type == "IDAT") {
      if (length == 0 && idat.empty())
        throw FormatError("load_image: '" + name + "' is a PNG whose first image data chunk (IDAT) is empty; this "
                          "reader does not accept that");
      idat.insert(idat.end(), chunk_data, chunk_data + static_cast<std::ptrdiff_t>(length));
    }
    pos += 12 + static_cast<std::size_t>(length);
  }
  check_png_inflated_size(ihdr, idat, raw_deflate, name);
}

Image decode_image(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  const auto fail = [&name](const std::string& what) { return FormatError("load_image: '" + name + "' " + what); };
  if (bytes.empty()) throw fail("is empty (0 bytes); not an image");
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    throw fail("is larger than 2 GiB; not an image this program can read");
  const char* format = image_format(bytes);
  check_jpeg_tables(bytes, name);
  const auto check_size = [&](std::uint64_t width, std::uint64_t height) {
    if (width < 1 || height < 1)
      throw fail("has a zero size (" + std::to_string(width) + "x" + std::to_string(height) + ")");
    if (width > kMaxImagePixels || height > kMaxImagePixels || width * height > kMaxImagePixels)
      throw fail("is " + std::to_string(width) + "x" + std::to_string(height) + " = " +
                 std::to_string(width * height) + " pixels, above the limit of " + std::to_string(kMaxImagePixels) +
                 " (4096x4096); resize it first");
  };
  std::uint64_t announced_width = 0, announced_height = 0;
  if (announced_size(bytes, format, announced_width, announced_height)) check_size(announced_width, announced_height);
  if (format && std::string(format) == "PNG") check_png_chunks(bytes, name);
  if (format && std::string(format) == "PGM/PPM") {
    if (!pnm_size(bytes, announced_width, announced_height))
      throw fail("has a corrupt PGM/PPM header: a number of 10 or more digits");
    if (announced_width > kMaxImagePixels || announced_height > kMaxImagePixels)
      check_size(announced_width, announced_height);
  }
  const auto* data = bytes.data();
  const int length = static_cast<int>(bytes.size());
  // Read only the header first: the size check must come before decoding.
  // (stb's failure reason is only a hint: when a file fails as one format,
  // stb tries the next, and the reason left may be that of another format.)
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &channels)) {
    if (format)
      throw fail("starts like a " + std::string(format) + " file but its header cannot be read (" + stb_reason() +
                 "); the file is corrupt or truncated");
    throw fail("is not a readable image (" + stb_reason() + "); use PNG, JPEG, BMP, PGM/PPM, TGA or GIF");
  }
  check_size(static_cast<std::uint64_t>(std::max(width, 0)), static_cast<std::uint64_t>(std::max(height, 0)));
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (channels < 1 || channels > 4)
    throw fail("has " + std::to_string(channels) + " channels; images have 1 to 4");
  // Ask stb for exactly the header's channel count (it converts when the
  // decoder's native layout differs), so the buffer size below is known.
  int decoded_width = 0, decoded_height = 0, file_channels = 0;
  stbi_uc* decoded = stbi_load_from_memory(data, length, &decoded_width, &decoded_height, &file_channels, channels);
  if (!decoded) {
    // stb tests the PNG signature before the others: for another format that
    // reason is stale, not the cause.
    const std::string reason = stb_reason();
    const bool stale = reason.find("png") != std::string::npos && (!format || std::string(format) != "PNG");
    throw FormatError("load_image: cannot decode '" + name + "': a corrupt or truncated " +
                      (format ? format : "TGA") + " file" + (stale ? "" : " (" + reason + ")"));
  }
  // The buffer holds decoded_width x decoded_height pixels; copy only if that
  // is what the header promised (a disagreement would be a corrupt file).
  if (decoded_width != width || decoded_height != height) {
    stbi_image_free(decoded);
    throw fail("decodes to " + std::to_string(decoded_width) + "x" + std::to_string(decoded_height) +
               " pixels but its header says " + std::to_string(width) + "x" + std::to_string(height) +
               "; the file is corrupt");
  }
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels.assign(decoded, decoded + pixels * static_cast<std::size_t>(channels));
  stbi_image_free(decoded);
  return image;
}

Image load_image(const std::string& path) { return decode_image(read_file_bytes(path, kMaxImageFileBytes), path); }

// stb_image_write hands the encoded bytes over in pieces; collect them.
static void append_to_string(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

void save_png(const std::string& path, const Image& image) {
  check_image("save_png", image);
  std::string png;
  const int stride = image.width * image.channels;
  if (!stbi_write_png_to_func(append_to_string, &png, image.width, image.height, image.channels,
                              image.pixels.data(), stride))
    throw std::runtime_error("save_png: encoding '" + path + "' failed (out of memory?)");
  write_file_atomically(path, png);
}

// Rounds a value in [0, 255] to the nearest byte (halves go up).
static std::uint8_t to_byte(double v) {
  if (!(v > 0)) return 0;  // also NaN
  if (v >= 255) return 255;
  return static_cast<std::uint8_t>(v + 0.5);
}

Image to_grayscale(const Image& image) {
  check_image("to_grayscale", image);
  Image gray;
  gray.width = image.width;
  gray.height = image.height;
  gray.channels = 1;
  const std::size_t n = static_cast<std::size_t>(image.width) * image.height;
  gray.pixels.resize(n);
  const int c = image.channels;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = &image.pixels[i * c];
    // Channels 1 and 2 are gray (+ alpha): copy. 3 and 4 are RGB (+ alpha).
    gray.pixels[i] = c < 3 ? p[0] : to_byte(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]);
  }
  return gray;
}

// Where output index `i` samples an input of `in` pixels when resizing to
// `out` pixels: the two neighbours and the weight of the second.
struct Sample {
  int lo, hi;
  double t;
};

static Sample sample_position(int i, int in, int out) {
  double src = (i + 0.5) * in / out - 0.5;
  if (src < 0) src = 0;  // the border pixel's left half: clamp, as PyTorch does
  int lo = static_cast<int>(src);
  if (lo > in - 1) lo = in - 1;
  const int hi = lo < in - 1 ? lo + 1 : lo;
  return {lo, hi, src - lo};
}

Image resize_bilinear(const Image& image, int width, int height) {
  check_image("resize_bilinear", image);
  if (width < 1 || height < 1 ||
      static_cast<std::size_t>(width) * static_cast<std::size_t>(height) > kMaxImagePixels)
    throw std::invalid_argument("resize_bilinear: target size " + std::to_string(width) + "x" +
                                std::to_string(height) + " must be at least 1x1 and at most " +
                                std::to_string(kMaxImagePixels) + " pixels");
  Image out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<std::size_t>(width) * height * image.channels);
  for (int y = 0; y < height; ++y) {
    const Sample sy = sample_position(y, image.height, height);
    for (int x = 0; x < width; ++x) {
      const Sample sx = sample_position(x, image.width, width);
      for (int c = 0; c < image.channels; ++c) {
        const double top = (1 - sx.t) * image.at(sy.lo, sx.lo, c) + sx.t * image.at(sy.lo, sx.hi, c);
        const double bottom = (1 - sx.t) * image.at(sy.hi, sx.lo, c) + sx.t * image.at(sy.hi, sx.hi, c);
        out.at(y, x, c) = to_byte((1 - sy.t) * top + sy.t * bottom);
      }
    }
  }
  return out;
}

Image tensor_to_image(const Tensor& t) {
  const Shape& s = t.shape();
  const bool chw = s.size() == 3, batch_of_one = s.size() == 4 && s[0] == 1;
  const std::size_t off = batch_of_one ? 1 : 0;
  if (!(chw || batch_of_one) || (s[off] != 1 && s[off] != 3) || s[off + 1] < 1 || s[off + 2] < 1)
    throw ShapeError("tensor_to_image: need a (C, H, W) or (1, C, H, W) tensor with C = 1 or 3, got " +
                     shape_string(s));
  Image image;
  image.channels = s[off];
  image.height = s[off + 1];
  image.width = s[off + 2];
  image.pixels.resize(t.size());
  for (int c = 0; c < image.channels; ++c)
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) {
        const double v = t[(static_cast<std::size_t>(c) * image.height + y) * image.width + x];
        image.at(y, x, c) = to_byte(255.0 * v);
      }
  return image;
}

Tensor image_to_tensor(const Image& image) {
  check_image("image_to_tensor", image);
  Tensor t({image.channels, image.height, image.width});
  for (int c = 0; c < image.channels; ++c)
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        t[(static_cast<std::size_t>(c) * image.height + y) * image.width + x] =
            static_cast<Scalar>(image.at(y, x, c)) / Scalar(255);
  return t;
}

// ---- .npy ----------------------------------------------------------------------

// Python's spelling of a shape tuple: "()", "(5,)", "(2, 3)".
static std::string python_tuple(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Scalar → float32 bits. Finite doubles beyond float's range become ±inf
// explicitly (a plain conversion of such values is undefined behaviour).
static std::uint32_t float32_bits(Scalar v) {
  float f;
  if (std::isfinite(v) && std::fabs(static_cast<double>(v)) > FLT_MAX)
    f = v > 0 ? HUGE_VALF : -HUGE_VALF;
  else
    f = static_cast<float>(v);
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

std::string npy_bytes(const Tensor& t) {
  if (t.size() != numel(t.shape()))
    throw ShapeError("save_npy: tensor of shape " + shape_string(t.shape()) + " holds " +
                     std::to_string(t.size()) + " values (an empty default tensor cannot be saved)");
  // Layout: magic, version 1.0, header length (uint16 LE), then a Python dict
  // literal padded with spaces and ended by '\n' so that the data starts at a
  // multiple of 64 bytes (NumPy's alignment rule).
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + python_tuple(t.shape()) + ", }";
  const std::size_t prefix = 10;  // magic (6) + version (2) + length (2)
  const std::size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  if (dict.size() > 65535)
    throw ShapeError("save_npy: shape " + shape_string(t.shape()) + " is too long for an .npy 1.0 header");
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  out.reserve(out.size() + 4 * t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::uint32_t bits = float32_bits(t[i]);
    for (int b = 0; b < 4; ++b) out += static_cast<char>((bits >> (8 * b)) & 0xFF);  // little-endian
  }
  return out;
}

void save_npy(const std::string& path, const Tensor& t) { write_file_atomically(path, npy_bytes(t)); }

// ---- gzip --------------------------------------------------------------------

// The CRC table, built at compile time: entry n is the CRC of the byte n.
static constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
static constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = kCrcTable[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

bool is_gzip(const std::vector<std::uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// gzip stores multi-byte numbers little-endian.
static std::uint32_t read_le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

// RFC 1952 header flags.
enum : std::uint8_t { kFText = 1, kFHcrc = 2, kFExtra = 4, kFName = 8, kFComment = 16 };

// Walks the header of `file` and returns the offset of the deflate data.
// `end` is where the 8-byte trailer starts; the header must end before it.
static std::size_t gzip_data_offset(const std::vector<std::uint8_t>& file, std::size_t end, const std::string& name) {
  const auto fail = [&name](const std::string& what) { return FormatError("gunzip: '" + name + "' " + what); };
  if (file[2] != 8) throw fail("uses compression method " + std::to_string(file[2]) + "; only 8 (deflate) exists");
  const std::uint8_t flags = file[3];
  if (flags & 0xE0) throw fail("has reserved header flags set; the file is corrupt or not gzip");
  std::size_t pos = 10;  // magic, method, flags, mtime (4), extra flags, OS
  const auto truncated = [&] { return fail("is truncated inside its header"); };
  if (flags & kFExtra) {
    if (pos + 2 > end) throw truncated();
    pos += 2 + (std::size_t(file[pos]) | std::size_t(file[pos + 1]) << 8);
  }
  for (std::uint8_t field : {kFName, kFComment}) {
    if (!(flags & field)) continue;
    while (pos < end && file[pos] != 0) ++pos;  // zero-terminated string
    if (pos >= end) throw truncated();
    ++pos;
  }
  if (flags & kFHcrc) {
    if (pos + 2 > end) throw truncated();
    const std::uint32_t expected = std::uint32_t(file[pos]) | std::uint32_t(file[pos + 1]) << 8;
    if ((crc32(file.data(), pos) & 0xFFFF) != expected) throw fail("has a wrong header CRC; the file is corrupt");
    pos += 2;
  }
  if (pos > end) throw truncated();
  return pos;
}

std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& file, const std::string& name) {
  const auto fail = [&name](const std::string& what) { return FormatError("gunzip: '" + name + "' " + what); };
  if (!is_gzip(file)) throw fail("is not a gzip file (it does not start with the bytes 1f 8b)");
  if (file.size() < 18) throw fail("is truncated: " + std::to_string(file.size()) + " bytes, a gzip file has at least 18");
  const std::size_t trailer = file.size() - 8;
  const std::size_t start = gzip_data_offset(file, trailer, name);
  const std::uint32_t expected_crc = read_le32(&file[trailer]);
  const std::uint32_t expected_size = read_le32(&file[trailer + 4]);  // size mod 2^32
  const std::size_t compressed = trailer - start;
  // Deflate cannot expand data more than 1032:1, so a larger claim means a
  // corrupt trailer: refuse before allocating what it asks for.
  if (expected_size > INT_MAX || compressed > INT_MAX - 8)
    throw fail("is too large (over 2 GiB) for this reader");
  if (expected_size > max_inflated_size(compressed))
    throw fail("claims " + std::to_string(expected_size) + " bytes uncompressed from only " +
               std::to_string(compressed) + " compressed bytes; the file is corrupt or truncated");
  std::vector<std::uint8_t> out(expected_size);
  char empty = 0;  // stb needs a valid pointer even for an empty result
  char* target = out.empty() ? &empty : reinterpret_cast<char*>(out.data());
  // The input handed to stb includes the 8 trailer bytes: stb's decoder
  // refuses to decode a Huffman code when fewer than 16 bits are left before
  // the end of its input (it expects a checksum after the data, as in PNG),
  // even if the code is shorter. It stops at the final block by itself.
  const int produced = stbi_zlib_decode_noheader_buffer(target, static_cast<int>(expected_size),
                                                        reinterpret_cast<const char*>(&file[start]),
                                                        static_cast<int>(compressed + 8));
  if (produced < 0) {
    const std::string reason = stb_reason();
    if (reason == "output buffer limit")  // stb's words for "more data than the buffer"
      throw fail("inflates to more than the " + std::to_string(expected_size) +
                 " bytes its trailer says; the file is corrupt");
    throw fail("has corrupt or truncated compressed data (" + reason + ")");
  }
  if (static_cast<std::uint32_t>(produced) != expected_size)
    throw fail("inflates to " + std::to_string(produced) + " bytes, but its trailer says " +
               std::to_string(expected_size) + "; the file is corrupt or truncated");
  if (crc32(out.data(), out.size()) != expected_crc)
    throw fail("fails its CRC-32 check; the file is corrupt (download or copy it again)");
  return out;
}

}  // namespace gcam

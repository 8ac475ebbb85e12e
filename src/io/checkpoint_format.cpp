// The checkpoint byte format (checkpoint.hpp, docs/checkpoint-format.md):
// a model to bytes and bytes to a Checkpoint, without touching a file, so the
// fuzz target and the tests can feed it any bytes.
//
// Integers and floats are written byte by byte, least significant first
// (gcam/io/bytes.hpp), so the file is the same on little- and big-endian
// hosts. Reading checks every length against the bytes that remain BEFORE
// allocating: a corrupt or hostile length must produce an error message, not
// a 4 GB allocation.
#include "gcam/io/checkpoint.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/gzip.hpp"

namespace gcam {

namespace {

static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559,
              "checkpoints store IEEE-754 binary32 floats");

// magic (8) + version (u32) + file size (u64); the CRC-32 (u32) closes the file.
constexpr std::size_t kHeaderSize = 20;
constexpr std::size_t kChecksumSize = 4;
// Limits that keep a checksum-valid but hostile file from making make_model
// allocate without bound (the architecture's size follows the input shape).
constexpr int kMaxRank = 8;
constexpr std::uint32_t kMaxImageSide = 1 << 16;
constexpr std::uint64_t kMaxImageValues = 1 << 24;

std::string hex32(std::uint32_t v) {
  std::ostringstream out;
  out << "0x" << std::hex;
  out.width(8);
  out.fill('0');
  out << v;
  return out.str();
}

// ---- writing ------------------------------------------------------------------

class ByteWriter {
 public:
  void raw(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    bytes.insert(bytes.end(), p, p + size);
  }
  void u32(std::uint32_t v) { append_le(bytes, v, 4); }
  void u64(std::uint64_t v) { append_le(bytes, v, 8); }
  // The IEEE-754 bit pattern, little-endian.
  void f32(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u32(bits);
  }
  // u32 byte length, then the bytes (no terminator).
  void str(const std::string& s, const std::string& what) {
    if (s.size() > std::numeric_limits<std::uint32_t>::max())
      throw std::invalid_argument("checkpoint: " + what + " is longer than 4 GiB");
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void patch_u64(std::size_t offset, std::uint64_t v) { write_u64_le(&bytes[offset], v); }

  std::vector<unsigned char> bytes;
};

void validate_info(const Model& model, const CheckpointInfo& info) {
  if (!info.class_names.empty() && info.class_names.size() != static_cast<std::size_t>(model.classes()))
    throw std::invalid_argument("checkpoint: " + std::to_string(info.class_names.size()) + " class names given but " +
                                model.architecture() + " has " + std::to_string(model.classes()) +
                                " classes (give one name per class, or none)");
  for (const auto& entry : info.metadata)
    if (entry.first.empty()) throw std::invalid_argument("checkpoint: metadata keys must not be empty");
  // Refuse to write what read_input_shape and read_classes would reject.
  const Shape& input = model.input_shape();
  const bool sides_ok = input.size() == 3 && std::all_of(input.begin(), input.end(), [](int d) {
                          return d >= 1 && static_cast<std::uint32_t>(d) <= kMaxImageSide;
                        });
  if (!sides_ok || numel(input) > kMaxImageValues)
    throw std::invalid_argument("checkpoint: model input shape must be (C, H, W) with sides in 1.." +
                                std::to_string(kMaxImageSide) + " and at most " + std::to_string(kMaxImageValues) +
                                " values, got " + shape_string(input));
  if (model.classes() < 1) throw std::invalid_argument("checkpoint: the model has no classes");
}

// Why a value cannot be stored, for the error message.
std::string not_storable(Scalar v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return std::to_string(v) + ", too large for float32";
}

void write_tensor(ByteWriter& w, const Parameter& p) {
  // Refuse to write what read_tensor would reject.
  if (p.name.empty()) throw std::invalid_argument("checkpoint: a parameter has an empty name");
  if (p.value.rank() > kMaxRank)
    throw std::invalid_argument("checkpoint: parameter '" + p.name + "' has rank " + std::to_string(p.value.rank()) +
                                "; at most " + std::to_string(kMaxRank) + " is supported");
  w.str(p.name, "a tensor name");
  w.u32(static_cast<std::uint32_t>(p.value.rank()));
  for (int d : p.value.shape()) w.u32(static_cast<std::uint32_t>(d));
  for (std::size_t e = 0; e < p.value.size(); ++e) {
    const Scalar v = p.value[e];
    // Checked before the cast: converting an out-of-range double to float is
    // undefined behaviour in C++, not a guaranteed infinity.
    if (!std::isfinite(v) || std::fabs(v) > std::numeric_limits<float>::max())
      throw NumericError("checkpoint: tensor '" + p.name + "' element " + std::to_string(e) + " is " + not_storable(v) +
                         "; a checkpoint holds only finite float32 values");
    // The one place the double build loses precision: float32 on disk.
    w.f32(static_cast<float>(v));
  }
}

// ---- reading ------------------------------------------------------------------

// Reads fields from bytes [begin, end), refusing to read past `end`.
class ByteReader {
 public:
  ByteReader(const std::vector<unsigned char>& bytes, std::size_t begin, std::size_t end, const std::string& source)
      : bytes_(bytes), pos_(begin), end_(end), source_(source) {}

  std::size_t remaining() const { return end_ - pos_; }
  FormatError error(const std::string& problem) const { return FormatError(source_ + ": " + problem); }

  void need(std::uint64_t size, const std::string& what) const {
    if (size > remaining())
      throw error("corrupt: " + what + " needs " + std::to_string(size) + " bytes at offset " + std::to_string(pos_) +
                  " but only " + std::to_string(remaining()) + " remain before the checksum");
  }
  const unsigned char* take(std::size_t size, const std::string& what) {
    need(size, what);
    const unsigned char* p = bytes_.data() + pos_;
    pos_ += size;
    return p;
  }
  std::uint32_t u32(const std::string& what) { return read_u32_le(take(4, what)); }
  std::string str(const std::string& what) {
    const std::uint32_t size = u32("the length of the " + what);
    const unsigned char* p = take(size, "the " + what);
    return std::string(p, p + size);
  }
  // A count of items that each take at least `min_item_bytes`: checked
  // against the remaining bytes so that a reserve(count) is always safe.
  std::uint32_t count(const std::string& what, std::size_t min_item_bytes) {
    const std::uint32_t n = u32("the number of " + what);
    if (std::uint64_t(n) * min_item_bytes > remaining())
      throw error("corrupt: " + std::to_string(n) + " " + what + " cannot fit in the " + std::to_string(remaining()) +
                  " bytes that remain");
    return n;
  }

 private:
  const std::vector<unsigned char>& bytes_;
  std::size_t pos_, end_;
  const std::string& source_;
};

// Checks magic, version, size and checksum; returns the checkpoint's size.
std::size_t check_envelope(const std::vector<unsigned char>& bytes, const std::string& source) {
  const std::size_t n = bytes.size();
  // A prefix that already differs from the magic is another kind of file;
  // a matching but short one is a cut-off checkpoint.
  if (n > 0 && std::memcmp(bytes.data(), kCheckpointMagic, std::min<std::size_t>(n, 8)) != 0)
    throw FormatError(source + ": not a gradcam checkpoint (it does not start with \"GCAMCKPT\")");
  if (n < kHeaderSize)
    throw FormatError(source + ": truncated: " + std::to_string(n) + " bytes, shorter than the " +
                      std::to_string(kHeaderSize) + "-byte header");
  const std::uint32_t version = read_u32_le(bytes.data() + 8);
  if (version != kCheckpointVersion)
    throw FormatError(source + ": unsupported checkpoint version " + std::to_string(version) +
                      "; this program reads version " + std::to_string(kCheckpointVersion));
  const std::uint64_t declared = read_u64_le(bytes.data() + 12);
  if (declared < kHeaderSize + kChecksumSize)
    throw FormatError(source + ": corrupt: the header gives an impossible file size of " + std::to_string(declared) +
                      " bytes");
  if (n < declared)
    throw FormatError(source + ": truncated: the header says the checkpoint is " + std::to_string(declared) +
                      " bytes but the file has only " + std::to_string(n));
  const std::size_t size = static_cast<std::size_t>(declared);
  const std::uint32_t stored = read_u32_le(bytes.data() + size - kChecksumSize);
  const std::uint32_t computed = checkpoint_checksum(bytes.data(), size - kChecksumSize);
  // Extra bytes after an intact checkpoint are garbage; otherwise the size
  // field itself may be what got corrupted, and the checksum says so.
  if (stored == computed && n > size)
    throw FormatError(source + ": trailing garbage: " + std::to_string(n - size) +
                      " unexpected bytes after the end of the checkpoint at byte " + std::to_string(size));
  if (stored != computed)
    throw FormatError(source + ": corrupt: checksum mismatch (stored " + hex32(stored) + ", computed " +
                      hex32(computed) + ")");
  return size;
}

Shape read_input_shape(ByteReader& r) {
  Shape shape;
  std::uint64_t values = 1;
  for (const char* axis : {"C", "H", "W"}) {
    const std::uint32_t d = r.u32(std::string("input ") + axis);
    if (d == 0 || d > kMaxImageSide)
      throw r.error("corrupt: input " + std::string(axis) + " = " + std::to_string(d) + " is outside 1.." +
                    std::to_string(kMaxImageSide));
    values *= d;
    shape.push_back(static_cast<int>(d));
  }
  if (values > kMaxImageValues)
    throw r.error("corrupt: input shape " + shape_string(shape) + " has more than " + std::to_string(kMaxImageValues) +
                  " values");
  return shape;
}

int read_classes(ByteReader& r) {
  const std::uint32_t classes = r.u32("the number of classes");
  if (classes == 0 || classes > static_cast<std::uint32_t>(INT_MAX))
    throw r.error("corrupt: " + std::to_string(classes) + " classes");
  return static_cast<int>(classes);
}

std::vector<std::string> read_class_names(ByteReader& r, int classes) {
  const std::uint32_t n = r.count("class names", 4);
  if (n != 0 && n != static_cast<std::uint32_t>(classes))
    throw r.error("corrupt: " + std::to_string(n) + " class names for " + std::to_string(classes) + " classes");
  std::vector<std::string> names;
  names.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) names.push_back(r.str("name of class " + std::to_string(i)));
  return names;
}

std::map<std::string, std::string> read_metadata(ByteReader& r) {
  const std::uint32_t n = r.count("metadata entries", 8);
  std::map<std::string, std::string> metadata;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::string key = r.str("metadata key " + std::to_string(i));
    std::string value = r.str("metadata value of '" + key + "'");
    if (key.empty()) throw r.error("corrupt: metadata entry " + std::to_string(i) + " has an empty key");
    if (metadata.count(key)) throw r.error("corrupt: metadata key '" + key + "' appears twice");
    metadata.emplace(std::move(key), std::move(value));
  }
  return metadata;
}

// Dimensions of one tensor, and its element count, bounded by the bytes left.
Shape read_dims(ByteReader& r, const std::string& name, std::size_t& count) {
  const std::uint32_t rank = r.u32("the rank of tensor '" + name + "'");
  if (rank > static_cast<std::uint32_t>(kMaxRank))
    throw r.error("corrupt: tensor '" + name + "' has rank " + std::to_string(rank) + "; at most " +
                  std::to_string(kMaxRank) + " is supported");
  Shape shape;
  for (std::uint32_t i = 0; i < rank; ++i) {
    const std::uint32_t d = r.u32("dimension " + std::to_string(i) + " of tensor '" + name + "'");
    if (d > static_cast<std::uint32_t>(INT_MAX))
      throw r.error("corrupt: dimension " + std::to_string(i) + " of tensor '" + name + "' is " + std::to_string(d));
    shape.push_back(static_cast<int>(d));
  }
  // Multiply against the limit instead of checking afterwards: the product
  // of eight 31-bit dimensions overflows even 64 bits.
  count = 0;
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return shape;
  const std::size_t limit = r.remaining() / 4;
  count = 1;
  for (int d : shape) {
    if (count > limit / static_cast<std::size_t>(d))
      throw r.error("corrupt: tensor '" + name + "' of shape " + shape_string(shape) + " has more values than the " +
                    std::to_string(r.remaining()) + " bytes that remain");
    count *= static_cast<std::size_t>(d);
  }
  return shape;
}

Parameter read_tensor(ByteReader& r, std::uint32_t index) {
  Parameter p;
  p.name = r.str("name of tensor " + std::to_string(index));
  if (p.name.empty()) throw r.error("corrupt: tensor " + std::to_string(index) + " has an empty name");
  std::size_t count = 0;
  Shape shape = read_dims(r, p.name, count);
  const unsigned char* data = r.take(4 * count, "the values of tensor '" + p.name + "'");
  p.value = Tensor(std::move(shape));
  for (std::size_t e = 0; e < count; ++e) {
    const std::uint32_t bits = read_u32_le(data + 4 * e);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    if (!std::isfinite(f))
      throw r.error("tensor '" + p.name + "' element " + std::to_string(e) + " is " + (std::isnan(f) ? "NaN" : "Inf") +
                    "; a checkpoint must hold finite values");
    p.value[e] = static_cast<Scalar>(f);
  }
  return p;
}

std::vector<Parameter> read_tensors(ByteReader& r) {
  // A tensor takes at least 8 bytes: its name length and its rank.
  const std::uint32_t n = r.count("tensors", 8);
  std::vector<Parameter> tensors;
  tensors.reserve(n);
  std::set<std::string> names;
  for (std::uint32_t i = 0; i < n; ++i) {
    tensors.push_back(read_tensor(r, i));
    if (!names.insert(tensors.back().name).second)
      throw r.error("corrupt: tensor name '" + tensors.back().name + "' appears twice");
  }
  return tensors;
}

}  // namespace

std::uint32_t checkpoint_checksum(const unsigned char* data, std::size_t size) { return crc32(data, size); }

std::vector<unsigned char> encode_checkpoint(Model& model, const CheckpointInfo& info) {
  validate_info(model, info);
  ByteWriter w;
  // The values dominate the size; names and metadata fit in the slack.
  w.bytes.reserve(4096 + 4 * model.parameter_count());
  w.raw(kCheckpointMagic, 8);
  w.u32(kCheckpointVersion);
  const std::size_t size_offset = w.bytes.size();
  w.u64(0);  // the file size, known at the end
  w.str(model.architecture(), "the architecture name");
  for (int d : model.input_shape()) w.u32(static_cast<std::uint32_t>(d));
  w.u32(static_cast<std::uint32_t>(model.classes()));
  w.u32(static_cast<std::uint32_t>(info.class_names.size()));
  for (const std::string& name : info.class_names) w.str(name, "a class name");
  w.u32(static_cast<std::uint32_t>(info.metadata.size()));
  for (const auto& entry : info.metadata) w.str(entry.first, "a metadata key"), w.str(entry.second, "a metadata value");
  const std::vector<Parameter*> params = model.state();  // parameters and running statistics
  w.u32(static_cast<std::uint32_t>(params.size()));
  for (const Parameter* p : params) write_tensor(w, *p);
  w.patch_u64(size_offset, w.bytes.size() + kChecksumSize);
  w.u32(checkpoint_checksum(w.bytes.data(), w.bytes.size()));
  return std::move(w.bytes);
}

Checkpoint decode_checkpoint(const std::vector<unsigned char>& bytes, const std::string& source) {
  const std::size_t size = check_envelope(bytes, source);
  ByteReader r(bytes, kHeaderSize, size - kChecksumSize, source);
  Checkpoint c;
  c.architecture = r.str("architecture name");
  c.input_shape = read_input_shape(r);
  c.classes = read_classes(r);
  c.info.class_names = read_class_names(r, c.classes);
  c.info.metadata = read_metadata(r);
  c.tensors = read_tensors(r);
  if (r.remaining() != 0)
    throw r.error("corrupt: " + std::to_string(r.remaining()) + " unexplained bytes after the last tensor");
  return c;
}

}  // namespace gcam

// checkpoint.hpp — save a trained model to one file and load it back.
//
// A checkpoint holds everything needed to rebuild a model without the code
// that trained it: the architecture name, the input shape (C, H, W), the
// number of classes and their names, free-form metadata (seed, epochs, test
// accuracy, ...) and every parameter tensor in Model::parameters() order, in
// PyTorch layout (conv weight (out, in, kH, kW), dense weight (out, in)).
//
// The file is a small self-describing binary format, fully specified in
// docs/checkpoint-format.md: magic "GCAMCKPT", a version, the file size, the
// fields as little-endian integers and float32 values, and a CRC-32 over all
// of it. Values are ALWAYS stored as float32, as PyTorch checkpoints usually
// are: the float build round-trips bit-exactly; the double build rounds each
// value to the nearest float32 when saving.
//
// Reading never trusts the file: every length and count is checked against
// the bytes that remain before anything is allocated, and every problem
// (missing, truncated, wrong kind, unsupported version, corrupt, mismatched
// architecture, NaN) is a FormatError naming the file and the problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gcam/nn/model.hpp"

namespace gcam {

// What a checkpoint stores besides the architecture and the weights.
struct CheckpointInfo {
  // Either empty or exactly one name per class, in class-index order.
  std::vector<std::string> class_names;
  // Free-form key → value text, e.g. {"seed", "7"}, {"test_accuracy", "0.91"}.
  // Stored sorted by key, so the same content always gives the same bytes.
  std::map<std::string, std::string> metadata;
};

// The parsed content of a checkpoint file.
struct Checkpoint {
  std::string architecture;  // a name for make_model, e.g. "fashion-cnn"
  Shape input_shape;         // (C, H, W)
  int classes = 0;
  CheckpointInfo info;
  std::vector<Parameter> tensors;  // in Model::parameters() order, float32 values as Scalar
};

// The first 8 bytes of every checkpoint file, and the one version this build
// reads and writes (see docs/checkpoint-format.md for the version policy).
constexpr char kCheckpointMagic[9] = "GCAMCKPT";
constexpr std::uint32_t kCheckpointVersion = 1;

// CRC-32 as used by zlib, PNG and Python's zlib.crc32 (reflected polynomial
// 0xEDB88320, initial value and final XOR 0xFFFFFFFF). A checkpoint ends with
// this checksum of every byte before it.
std::uint32_t checkpoint_checksum(const unsigned char* data, std::size_t size);

// The bytes of a checkpoint of `model` (architecture, shapes and parameters
// taken from the model). Throws std::invalid_argument if info.class_names is
// neither empty nor one per class, or a metadata key is empty; NumericError
// naming the tensor if a value is NaN/Inf (or overflows float32).
std::vector<unsigned char> encode_checkpoint(Model& model, const CheckpointInfo& info);

// Parses checkpoint bytes. `source` (usually the file path) starts every error
// message. Throws FormatError for any malformed or corrupt input.
Checkpoint decode_checkpoint(const std::vector<unsigned char>& bytes, const std::string& source);

// Writes a checkpoint of `model` to `path` atomically (write_file_atomically,
// gcam/io/files.hpp): readers see either the old file or the complete new
// one, never a partial write. On failure the temporary file is removed and
// std::runtime_error names the path.
void save_checkpoint(const std::string& path, Model& model, const CheckpointInfo& info);

// Reads and validates the checkpoint at `path` (FormatError on any problem).
// The architecture name is not checked here; load_model does that.
Checkpoint read_checkpoint(const std::string& path);

// Reads `path`, builds its architecture with make_model(architecture,
// input_shape, classes, /*seed*/ 0) and copies every tensor in. Throws
// FormatError if the architecture is unknown or the tensors' count, names or
// shapes differ from what the architecture expects (naming the tensor and
// both shapes). Stores class names and metadata in *info_out when given.
Model load_model(const std::string& path, CheckpointInfo* info_out = nullptr);

}  // namespace gcam

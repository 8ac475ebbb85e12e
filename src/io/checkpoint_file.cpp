// Checkpoints on disk (checkpoint.hpp): saving and reading files, and
// building the model a checkpoint describes. A checksum only shows that a
// file is intact, not that its author meant well, so nothing the header
// claims is allocated before it is compared with what the file holds.
#include "gcam/io/checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/io/files.hpp"

namespace gcam {

namespace {

// Side of the small input at which parameter counts are measured (below).
constexpr int kProbeSide = 32;

// make_model(c.architecture, c.input_shape, c.classes) without building it:
// the parameter count of the same architecture built for an input of at most
// kProbeSide × kProbeSide, with 1 and with 2 classes, scaled up by how many
// probe-sized tiles cover the claimed input. For the built-in architectures
// (3×3 padded convolutions, 2×2 pools, global average pooling, flatten and
// dense layers) this is an upper bound: only a dense layer after a flatten
// grows with the input area, and at most in proportion to it; it is exact for
// inputs up to the probe size and at most 4 times too large beyond. Throws
// what make_model throws for the probe shape.
double estimated_parameters(const Checkpoint& c) {
  const Shape& in = c.input_shape;
  const int h = std::min(in[1], kProbeSide), w = std::min(in[2], kProbeSide);
  const double one = static_cast<double>(make_model(c.architecture, {in[0], h, w}, 1, 0).parameter_count());
  const double two = static_cast<double>(make_model(c.architecture, {in[0], h, w}, 2, 0).parameter_count());
  const double per_class = two - one;
  const double tiles = std::ceil(static_cast<double>(in[1]) / h) * std::ceil(static_cast<double>(in[2]) / w);
  return tiles * (one + (c.classes - 1) * per_class);
}

Model build_architecture(const Checkpoint& c, const std::string& path) {
  // make_model allocates what the header claims, and a checksum only shows
  // that the file is intact, not that its author meant well. A valid
  // checkpoint stores every parameter of the model, so a model much larger
  // than the stored values is a corrupt header: refuse it before building.
  // Every built-in architecture has at least one parameter per class and per
  // input channel (its last layer and its first convolution); checking these
  // first keeps the probes of estimated_parameters small too.
  std::size_t stored = 0;
  for (const Parameter& p : c.tensors) stored += p.value.size();
  if (static_cast<std::size_t>(c.classes) > stored)
    throw FormatError(path + ": corrupt: the checkpoint claims " + std::to_string(c.classes) +
                      " classes but holds only " + std::to_string(stored) + " parameter values");
  if (static_cast<std::size_t>(c.input_shape[0]) > stored)
    throw FormatError(path + ": corrupt: the checkpoint claims " + std::to_string(c.input_shape[0]) +
                      " input channels but holds only " + std::to_string(stored) + " parameter values");
  try {
    // Slack: the estimate may be up to 4 times the true count; small models
    // (up to 2^20 values, 8 MB) are cheap to build and check exactly.
    const double estimate = estimated_parameters(c);
    if (estimate > 8.0 * static_cast<double>(stored) + (1 << 20))
      throw FormatError(path + ": corrupt: " + c.architecture + " for input " + shape_string(c.input_shape) + " and " +
                        std::to_string(c.classes) + " classes would have about " +
                        std::to_string(static_cast<unsigned long long>(estimate)) +
                        " parameters, but the checkpoint holds only " + std::to_string(stored) + " values");
    return make_model(c.architecture, c.input_shape, c.classes, /*seed=*/0);
  } catch (const UnknownName& e) {
    throw FormatError(path + ": the checkpoint's architecture is not built into this program: " + e.what());
  } catch (const ShapeError& e) {
    throw FormatError(path + ": the checkpoint's input shape " + shape_string(c.input_shape) + " does not fit " +
                      c.architecture + ": " + e.what());
  }
}

std::string parameter_names(const std::vector<Parameter*>& params) {
  std::string names;
  for (const Parameter* p : params) names += (names.empty() ? "" : ", ") + p->name;
  return names;
}

// Checks count, names and shapes first, so a mismatch leaves nothing half-copied.
void copy_tensors(Checkpoint& c, Model& model, const std::string& path) {
  const std::vector<Parameter*> params = model.state();
  if (c.tensors.size() != params.size())
    throw FormatError(path + ": the checkpoint has " + std::to_string(c.tensors.size()) + " tensors but " +
                      c.architecture + " has " + std::to_string(params.size()) +
                      " tensors: " + parameter_names(params));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Parameter& stored = c.tensors[i];
    const Parameter& expected = *params[i];
    if (stored.name != expected.name)
      throw FormatError(path + ": tensor " + std::to_string(i) + " is '" + stored.name + "' but " + c.architecture +
                        " expects '" + expected.name + "' there");
    if (stored.value.shape() != expected.value.shape())
      throw FormatError(path + ": tensor '" + stored.name + "' has shape " + shape_string(stored.value.shape()) +
                        " in the checkpoint but " + c.architecture + " expects " +
                        shape_string(expected.value.shape()));
  }
  for (std::size_t i = 0; i < params.size(); ++i) params[i]->value = std::move(c.tensors[i].value);
}

}  // namespace

void save_checkpoint(const std::string& path, Model& model, const CheckpointInfo& info) {
  std::vector<unsigned char> bytes;
  try {
    bytes = encode_checkpoint(model, info);
  } catch (const NumericError& e) {
    throw NumericError("cannot save " + path + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("cannot save " + path + ": " + e.what());
  }
  write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

Checkpoint read_checkpoint(const std::string& path) { return decode_checkpoint(read_file_bytes(path), path); }

Model load_model(const std::string& path, CheckpointInfo* info_out) {
  Checkpoint c = read_checkpoint(path);
  Model model = build_architecture(c, path);
  copy_tensors(c, model, path);
  if (info_out) *info_out = std::move(c.info);
  return model;
}

}  // namespace gcam

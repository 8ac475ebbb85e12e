// error.hpp — the exception types the framework throws.
//
// Every user-caused failure (wrong shape, corrupt file, unknown name) is an
// exception whose message says what was wrong and, where possible, what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace gcam {

// Tensor shapes do not fit an operation. The message names the op and shapes.
struct ShapeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A file is missing, truncated, corrupt or of the wrong kind.
struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A name (layer, class, model, option) is not known. The message lists valid ones.
struct UnknownName : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A NaN or infinity appeared where a finite number is required.
struct NumericError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A course exercise has not been filled in yet (see docs/exercises/).
struct NotImplemented : std::logic_error {
  using std::logic_error::logic_error;
};

}  // namespace gcam

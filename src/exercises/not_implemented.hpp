// not_implemented.hpp — what an unfilled course-exercise stub does.
//
// Every stub in src/exercises/ ends its TODO body with
//   not_implemented("ex06", "conv2d_backward", "ex06-conv2d-backward.md", x, w, ...);
// which throws gcam::NotImplemented with the message
//   "ex06 conv2d_backward is not implemented yet: see docs/exercises/ex06-conv2d-backward.md".
// The trailing arguments are the function's parameters: passing them only
// keeps the compiler from warning that they are unused. Delete the call when
// you write the body.
#pragma once

#include <string>

#include "gcam/core/error.hpp"

namespace gcam {

template <class... Unused>
[[noreturn]] void not_implemented(const char* exercise, const char* function, const char* page, const Unused&...) {
  throw NotImplemented(std::string(exercise) + " " + function + " is not implemented yet: see docs/exercises/" + page);
}

}  // namespace gcam

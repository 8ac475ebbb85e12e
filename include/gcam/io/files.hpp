// files.hpp — the only way this project reads a whole file or writes one.
//
// Reading checks what the path is and how large it is before allocating, so
// a folder, a pipe or a huge file is an error message, not a hang or an
// out-of-memory. Writing goes through a temporary file and a rename, so an
// interrupted run never leaves a half-written file behind.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace gcam {

// read_file_bytes' default limit: no file this program reads is near 2 GiB.
constexpr std::uintmax_t kMaxFileBytes = 0x7fffffff;

// The whole content of a file. Throws FormatError naming the path if it does
// not exist, is a folder or not a regular file (a pipe would block, a device
// never end), has more than `max_bytes` bytes (checked before allocating), or
// cannot be read.
std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::uintmax_t max_bytes = kMaxFileBytes);

// Replaces the file `path` with `bytes` in one step: the bytes go to a
// temporary file in the same folder (path + ".tmp.<pid>.<n>"), flushed to the
// disk (fsync), then renamed over `path`. Readers see either the old file or
// the complete new one, never a partial file, even if the process is killed
// or the power fails. On failure the temporary file is removed and
// std::runtime_error naming the path is thrown (the old file is untouched).
// A process killed (SIGKILL) during the write can leave its temporary file
// behind: nothing reads such files, and `path` is intact.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Same, but `write` streams the content itself (for large outputs that should
// not be built as one string first). If `write` throws, the temporary file is
// removed and its exception propagates unchanged.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace gcam

// Reading and writing whole files (see files.hpp): the checks before a read,
// and the temporary file, fsync and rename of every write.
#include "gcam/io/files.hpp"

#include <fcntl.h>   // open: fsync needs a file descriptor
#include <unistd.h>  // getpid (temporary file names unique per process), fsync

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "gcam/core/error.hpp"

namespace gcam {

// errno's text, or "" when nothing was recorded. iostreams do not promise to
// set errno, so the reason is a hint appended to our own message.
static std::string errno_text() { return errno ? std::string(": ") + std::strerror(errno) : std::string(); }

std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::uintmax_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    throw FormatError("cannot open '" + path + "': no such file (check that the path exists)");
  if (std::filesystem::is_directory(status))
    throw FormatError("cannot read '" + path + "': it is a folder, not a file");
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
    throw std::runtime_error("cannot write '" + path +
                             "': flushing the temporary file to disk failed: " + std::strerror(error));
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
  write_file_atomically(
      path, [&bytes](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

}  // namespace gcam

#include "outputs.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <system_error>

#include "args.hpp"

namespace gcam::cli {

namespace fs = std::filesystem;

namespace {

// Lock-free atomics are async-signal-safe; the handler reads and writes only these.
std::atomic<int> writes_in_progress{0};
std::atomic<int> pending_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

void write_stderr(const char* text) {
  std::size_t n = 0;
  while (text[n]) ++n;
  const ssize_t ignored = ::write(STDERR_FILENO, text, n);
  (void)ignored;
}

// The default action of `signo` (end the process), as if no handler were installed.
void die_of(int signo) {
  ::signal(signo, SIG_DFL);
  ::raise(signo);
}

void on_interrupt(int signo) {
  if (writes_in_progress.load() > 0) {
    if (pending_signal.exchange(signo) == 0)
      write_stderr("\ngradcam: interrupted; finishing the file being written first\n");
    return;
  }
  die_of(signo);
}

// The same file? For paths that do not exist yet, compares their absolute,
// normalized spelling (symbolic links of the existing part resolved).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  const fs::path ca = fs::weakly_canonical(a, ec);
  if (ec) return false;
  const fs::path cb = fs::weakly_canonical(b, ec);
  return !ec && ca == cb;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a deferred signal must not make the write fail with EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

OutputWrite::OutputWrite() { writes_in_progress.fetch_add(1); }

OutputWrite::~OutputWrite() {
  if (writes_in_progress.fetch_sub(1) == 1) {
    const int signo = pending_signal.exchange(0);
    if (signo != 0) {
      write_stderr("gradcam: the file is complete; stopping as asked\n");
      die_of(signo);
    }
  }
}

void check_output_folder(const std::string& option, const std::string& folder) {
  std::error_code ec;
  const fs::file_status status = fs::status(folder, ec);
  if (!fs::exists(status)) throw UsageError("--" + option + ": the folder '" + folder + "' does not exist");
  if (!fs::is_directory(status)) throw UsageError("--" + option + ": '" + folder + "' is not a folder");
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw UsageError("--" + option + ": the folder '" + folder + "' is not writable");
}

void check_output_file(const std::string& option, const std::string& path, const std::vector<std::string>& inputs) {
  if (path.empty()) throw UsageError("--" + option + " needs a file name");
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw UsageError("--" + option + ": '" + path + "' is a folder; give a file name (e.g. " +
                     (fs::path(path) / "out").string() + ")");
  const fs::path folder = fs::path(path).parent_path();
  check_output_folder(option, folder.empty() ? "." : folder.string());
  for (const std::string& input : inputs)
    if (!input.empty() && same_file(path, input))
      throw UsageError("--" + option + " '" + path + "' is also an input of this command ('" + input +
                       "'); writing it would replace that input");
}

void check_different_outputs(const std::string& first_option, const std::string& first,
                             const std::string& second_option, const std::string& second) {
  if (same_file(first, second))
    throw UsageError("--" + first_option + " and --" + second_option + " name the same file '" + first + "'");
}

}  // namespace gcam::cli

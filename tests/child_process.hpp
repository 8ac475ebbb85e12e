// Running the command-line tool from a test: as a child process (fork and
// exec, no shell), with its output captured, and with a way to kill it.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace gcam_test {

// The gradcam tool next to the running test program (build/float/tests and
// build/float/gradcam, or the same pair under build/sanitize/).
inline std::string cli_path() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the test program's own path in /proc/self/exe");
  return (self.parent_path() / "gradcam").string();
}

// A running child: its pid and the read end of a pipe carrying its stdout and stderr.
struct Child {
  pid_t pid = -1;
  int output = -1;
  std::string text;  // what has been read from `output` so far

  // Reads what is available within `timeout_ms`; false at end of output.
  bool read_some(int timeout_ms) {
    pollfd p{output, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buffer[4096];
    const ssize_t n = ::read(output, buffer, sizeof buffer);
    if (n <= 0) return false;
    text.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  // Reads until `needle` appears in the output (true) or the output ends or
  // `timeout_ms` passes (false).
  bool wait_for(const std::string& needle, int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (text.find(needle) == std::string::npos) {
      if (std::chrono::steady_clock::now() > end) return false;
      if (!read_some(20)) return text.find(needle) != std::string::npos;
    }
    return true;
  }
  // Reads the rest of the output and waits for the child: the raw wait status.
  int finish() {
    while (read_some(1000)) {}
    ::close(output);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
  }
};

// Starts `program` with `args` (argv[1..]), stdout and stderr into one pipe,
// stdin from /dev/null, in the current folder.
inline Child start_child(const std::string& program, const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> all{program};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  Child child;
  child.pid = pid;
  child.output = fds[0];
  return child;
}

struct RunResult {
  int exit_code = -1;  // -1 if it died of a signal
  int signal = 0;      // the signal that ended it, or 0
  std::string output;  // stdout and stderr interleaved
};

// Runs `program` to the end.
inline RunResult run_child(const std::string& program, const std::vector<std::string>& args) {
  Child child = start_child(program, args);
  const int status = child.finish();
  RunResult r;
  r.output = child.text;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

}  // namespace gcam_test

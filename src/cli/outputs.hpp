// outputs.hpp — the command line's output files: checked before any work
// starts, and written so that an interruption never leaves a partial file.
//
// Every file is written with write_file_atomically (a temporary file in the
// same folder, flushed, then renamed over the target), so the target is
// always either the previous file or the complete new one. On top of that:
//  - check_output_file refuses an output path that cannot work (a folder, a
//    missing folder, a read-only folder, an input of the same command) before
//    minutes of training are spent;
//  - Ctrl-C (SIGINT) or SIGTERM end the program at once as usual, except
//    while an OutputWrite is alive: then the file being written is finished
//    first and the signal takes effect right after, so not even the
//    temporary file is left behind. (SIGKILL cannot be caught: it may leave a
//    stale "<file>.tmp.<pid>.<n>", never a damaged <file>.)
#pragma once

#include <string>
#include <vector>

namespace gcam::cli {

// Installs the SIGINT / SIGTERM handlers described above (once, from main).
void install_interrupt_handlers();

// While alive, SIGINT and SIGTERM wait; when the last one ends, a signal that
// arrived meanwhile takes effect (the process ends with it). Put one around
// each save_*.
class OutputWrite {
 public:
  OutputWrite();
  ~OutputWrite();
  OutputWrite(const OutputWrite&) = delete;
  OutputWrite& operator=(const OutputWrite&) = delete;
};

// Throws UsageError naming `option` unless `path` can be written: not empty,
// not an existing folder, inside an existing, writable folder, and not the
// same file as any of `inputs` (files this command reads).
void check_output_file(const std::string& option, const std::string& path, const std::vector<std::string>& inputs = {});

// Throws UsageError if `first` and `second` name the same file.
void check_different_outputs(const std::string& first_option, const std::string& first,
                             const std::string& second_option, const std::string& second);

// Throws UsageError unless `folder` is an existing, writable folder.
void check_output_folder(const std::string& option, const std::string& folder);

}  // namespace gcam::cli

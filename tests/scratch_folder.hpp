// A fresh empty folder under the system temp folder, removed with its
// contents at scope exit — for tests that write files.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace gcam_test {

struct ScratchFolder {
  std::filesystem::path path;
  explicit ScratchFolder(const std::string& tag) {
    static int made = 0;  // two folders alive at once must differ
    path = std::filesystem::temp_directory_path() /
           ("gcam_test_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(++made));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  std::string file(const std::string& name) const { return (path / name).string(); }
  // Names of all entries, sorted (to see leftover temporary files).
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

}  // namespace gcam_test

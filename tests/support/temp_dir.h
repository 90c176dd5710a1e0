// A fresh directory under the system temp dir, removed with everything in it at scope exit.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

namespace md::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<unsigned> counter{0};
    // Test processes run side by side and can read the same clock tick: a name is only taken once
    // this process has created the folder itself (create_directory is false when it existed).
    while (true) {
      auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
      path = std::filesystem::temp_directory_path() /
             ("maildoctor-test-" + std::to_string(stamp) + "-" + std::to_string(counter++));
      if (std::filesystem::create_directory(path)) break;
    }
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace md::test

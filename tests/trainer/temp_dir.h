#pragma once
/// A fresh directory under $TMPDIR (or /tmp), removed with its content on destruction.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace rungs::testing {

class TrainerTempDir {
 public:
  TrainerTempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/rungs-trainer-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TrainerTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TrainerTempDir(const TrainerTempDir&) = delete;
  TrainerTempDir& operator=(const TrainerTempDir&) = delete;

  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace rungs::testing

#include "io/study_file_atomic.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "study/errors.h"
#include "study/fault.h"

namespace rungs {
namespace {

[[noreturn]] void fail_errno(const std::string& file, const char* what, int error) {
  throw IoError(file + ": " + what + " failed: " + std::strerror(error));
}

/// Sole owner of a POSIX file descriptor; the destructor closes it and never throws.
class Fd {
 public:
  Fd(const std::string& path, int flags) : path_(path), fd_(::open(path.c_str(), flags)) {
    if (fd_ < 0) fail_errno(path_, "open", errno);
  }
  ~Fd() {
    if (fd_ >= 0) (void)::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  void fsync() const {
    if (::fsync(fd_) != 0) fail_errno(path_, "fsync", errno);
  }
  /// Closes now, reporting a failure (a deferred write error) instead of ignoring it.
  void close() {
    const int result = ::close(std::exchange(fd_, -1));
    if (result != 0) fail_errno(path_, "close", errno);
  }

 private:
  std::string path_;
  int fd_;
};

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void remove_if_present(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail_errno(path, "unlink", errno);
}

}  // namespace

void replace_file_atomically(const std::string& path,
                             const std::function<void(const std::string& temporary)>& write,
                             const char* fault_point) {
  const std::string temporary = path + ".tmp";
  remove_if_present(temporary);
  try {
    write(temporary);
    fault::point(fault_point);
    Fd file(temporary, O_RDONLY | O_CLOEXEC);
    file.fsync();
    file.close();
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      fail_errno(temporary, ("rename to " + path).c_str(), errno);
    }
  } catch (...) {
    (void)::unlink(temporary.c_str());
    throw;
  }
  // After the rename the new file is in place; this makes the rename itself durable.
  Fd directory(directory_of(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  directory.fsync();
}

}  // namespace rungs

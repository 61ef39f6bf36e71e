#pragma once
/// Sole owner of a POSIX file descriptor, for every descriptor io/ opens: move-only, the
/// destructor closes it and never throws. Failures of the POSIX calls made through it are
/// IoErrors naming the file: "runs/x/study.h5.journal: fsync failed: No space left on device".
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <utility>

namespace rungs {

class Fd {
 public:
  /// Opens `path` (open(2) `flags` and `mode`), or throws IoError naming the file.
  static Fd open(const std::string& path, int flags, mode_t mode = 0);
  /// Opens `path`, or returns an invalid Fd with errno saying why (for callers that handle
  /// some failures themselves, as EEXIST for O_EXCL).
  static Fd try_open(const std::string& path, int flags, mode_t mode = 0);

  Fd() = default;
  ~Fd();
  Fd(Fd&& other) noexcept;
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  bool valid() const noexcept { return fd_ >= 0; }
  int get() const noexcept { return fd_; }
  const std::string& path() const noexcept { return path_; }

  void fsync() const;
  void fdatasync() const;
  /// Closes now, reporting a failure (a deferred write error) instead of ignoring it.
  void close();

  /// [[noreturn]] helper: throws IoError "PATH: WHAT failed: strerror(error)", a
  /// StorageError where `error` is the storage's (a full disk, a quota).
  [[noreturn]] static void fail(const std::string& path, const std::string& what, int error);

 private:
  Fd(int fd, std::string path) noexcept : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
};

/// The whole content of the file `fd` reads, from offset 0 (pread, so the offset is kept).
std::string read_all(const Fd& fd);
/// Writes all of `data` at the current offset, retrying short writes and EINTR.
void write_all(const Fd& fd, const void* data, std::size_t size);

}  // namespace rungs

#include "io/fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "study/errors.h"

namespace rungs {

Fd Fd::open(const std::string& path, int flags, mode_t mode) {
  Fd fd = try_open(path, flags, mode);
  if (!fd.valid()) fail(path, "open", errno);
  return fd;
}

Fd Fd::try_open(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags, mode);
  } while (fd < 0 && errno == EINTR);
  const int error = errno;
  Fd owner(fd, path);
  errno = error;  // the string's copy may have touched it
  return owner;
}

Fd::~Fd() {
  if (fd_ >= 0) (void)::close(fd_);
}

Fd::Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) (void)::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

void Fd::fsync() const {
  if (::fsync(fd_) != 0) fail(path_, "fsync", errno);
}

void Fd::fdatasync() const {
  if (::fdatasync(fd_) != 0) fail(path_, "fdatasync", errno);
}

void Fd::close() {
  if (fd_ < 0) return;
  if (::close(std::exchange(fd_, -1)) != 0) fail(path_, "close", errno);
}

void Fd::fail(const std::string& path, const std::string& what, int error) {
  std::string message = path + ": " + what + " failed: " + std::strerror(error);
  if (is_storage_errno(error)) throw StorageError(message);
  throw IoError(message);
}

std::string read_all(const Fd& fd) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) Fd::fail(fd.path(), "fstat", errno);
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  for (;;) {
    if (got == bytes.size()) bytes.resize(bytes.size() + 4096);  // it may have grown
    const ssize_t n =
        ::pread(fd.get(), bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fd::fail(fd.path(), "read", errno);
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

void write_all(const Fd& fd, const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd.get(), p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fd::fail(fd.path(), "write", errno);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace rungs

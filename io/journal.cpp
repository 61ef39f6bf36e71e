#include "io/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "study/errors.h"

namespace rungs {

namespace {

constexpr char kHeader[8] = {'R', 'U', 'N', 'G', 'S', 'J', '1', '\n'};
constexpr std::uint32_t kMaxRecord = 64u << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError(path + ": " + what + " (" + std::strerror(errno) + ")");
}

std::uint32_t crc(const std::uint8_t* data, std::size_t size) {
  return static_cast<std::uint32_t>(::crc32(0L, data, static_cast<uInt>(size)));
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void write_all(int fd, const std::uint8_t* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot append to the journal");
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

Journal::Journal(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd_ < 0) fail(path_, "cannot open the journal");

  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(path_, "cannot stat the journal");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::pread(fd_, bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(path_, "cannot read the journal");
    got += static_cast<std::size_t>(n);
  }

  std::size_t good = 0;
  if (bytes.size() >= sizeof kHeader) {
    if (std::memcmp(bytes.data(), kHeader, sizeof kHeader) != 0) {
      ::close(fd_);
      fd_ = -1;
      throw IoError(path_ + ": not a rungs journal");
    }
    good = sizeof kHeader;
    while (bytes.size() - good >= 8) {
      const std::uint32_t length = get_u32(&bytes[good]);
      const std::uint32_t sum = get_u32(&bytes[good + 4]);
      if (length > kMaxRecord || bytes.size() - good - 8 < length) break;
      const std::uint8_t* payload = &bytes[good + 8];
      if (crc(payload, length) != sum) break;
      recovered_.emplace_back(payload, payload + length);
      good += 8 + length;
    }
  }
  if (good < sizeof kHeader) {
    // New, or torn before its header was complete: start it afresh.
    if (::ftruncate(fd_, 0) != 0) fail(path_, "cannot truncate the journal");
    write_all(fd_, reinterpret_cast<const std::uint8_t*>(kHeader), sizeof kHeader, path_);
    truncated_ = bytes.size();
    good = sizeof kHeader;
    dirty_ = true;
    sync();
  } else if (good < bytes.size()) {
    truncated_ = bytes.size() - good;
    if (::ftruncate(fd_, static_cast<off_t>(good)) != 0) fail(path_, "cannot truncate the journal");
    dirty_ = true;
    sync();
  }
  if (::lseek(fd_, static_cast<off_t>(good), SEEK_SET) < 0) fail(path_, "cannot seek the journal");
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const wire::Bytes& payload) {
  std::vector<std::uint8_t> frame(8 + payload.size());
  put_u32(&frame[0], static_cast<std::uint32_t>(payload.size()));
  put_u32(&frame[4], crc(payload.data(), payload.size()));
  std::memcpy(frame.data() + 8, payload.data(), payload.size());
  write_all(fd_, frame.data(), frame.size(), path_);
  dirty_ = true;
}

void Journal::sync() {
  if (!dirty_) return;
  if (::fdatasync(fd_) != 0) fail(path_, "cannot sync the journal");
  dirty_ = false;
}

void Journal::reset() {
  if (::ftruncate(fd_, sizeof kHeader) != 0) fail(path_, "cannot truncate the journal");
  if (::lseek(fd_, sizeof kHeader, SEEK_SET) < 0) fail(path_, "cannot seek the journal");
  dirty_ = true;
  sync();
}

}  // namespace rungs

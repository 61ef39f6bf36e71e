#include "io/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/study_file_atomic.h"
#include "study/errors.h"

namespace rungs {

namespace {

constexpr char kHeader[8] = {'R', 'U', 'N', 'G', 'S', 'J', '2', '\n'};
/// The first format: frames of [u32 length][u32 CRC-32 of the payload], no magic.
constexpr char kHeaderV1[8] = {'R', 'U', 'N', 'G', 'S', 'J', '1', '\n'};
constexpr std::size_t kHeaderSize = sizeof kHeader;
/// Starts every frame; not zero, so that zeros are never a frame.
constexpr std::uint32_t kMagic = 0x4a52a5d3;
constexpr std::size_t kFrameHeader = 12;
constexpr std::uint32_t kMaxRecord = 64u << 20;

std::uint32_t get_u32(const std::string& bytes, std::size_t at) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data() + at);
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t crc(std::uint32_t sum, const void* data, std::size_t size) {
  if (size == 0) return sum;  // zlib answers 0, not `sum`, for a null buffer
  return static_cast<std::uint32_t>(
      ::crc32(sum, static_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

std::vector<std::uint8_t> frame(const wire::Bytes& payload) {
  std::vector<std::uint8_t> f(kFrameHeader + payload.size());
  put_u32(&f[0], kMagic);
  put_u32(&f[4], static_cast<std::uint32_t>(payload.size()));
  put_u32(&f[8], crc(crc(0, f.data(), 8), payload.data(), payload.size()));
  if (!payload.empty()) std::memcpy(f.data() + kFrameHeader, payload.data(), payload.size());
  return f;
}

/// The size of the valid frame at `at` (its payload in `payload`), or 0 when there is none.
std::size_t frame_at(const std::string& bytes, std::size_t at, wire::Bytes* payload) {
  if (bytes.size() - at < kFrameHeader || get_u32(bytes, at) != kMagic) return 0;
  const std::uint32_t length = get_u32(bytes, at + 4);
  if (length > kMaxRecord || bytes.size() - at - kFrameHeader < length) return 0;
  const char* data = bytes.data() + at + kFrameHeader;
  if (crc(crc(0, bytes.data() + at, 8), data, length) != get_u32(bytes, at + 8)) return 0;
  if (payload) payload->assign(data, data + length);
  return kFrameHeader + length;
}

/// The records of a current-format journal, and where the good prefix ends.
std::size_t read_frames(const std::string& bytes, const std::string& path,
                        std::vector<wire::Bytes>& records) {
  std::size_t good = kHeaderSize;
  wire::Bytes payload;
  while (const std::size_t size = frame_at(bytes, good, &payload)) {
    records.push_back(std::move(payload));
    good += size;
  }
  // A crash only ever spoils the end. Anything valid after a bad frame means the bad one is
  // damage; dropping the records after it would silently lose committed results.
  for (std::size_t at = good + 1; at + kFrameHeader <= bytes.size(); ++at) {
    if (frame_at(bytes, at, nullptr) > 0) {
      throw IoError(path + ": damaged record at byte " + std::to_string(good) +
                    " followed by valid records; refusing to guess");
    }
  }
  return good;
}

/// The records of a first-format journal, and where its good prefix ends. Its frames have
/// no magic, so damage cannot be told from a torn tail: it ends the good prefix, as it did.
std::size_t read_frames_v1(const std::string& bytes, std::vector<wire::Bytes>& records) {
  std::size_t good = kHeaderSize;
  while (bytes.size() - good >= 8) {
    const std::uint32_t length = get_u32(bytes, good);
    const std::uint32_t sum = get_u32(bytes, good + 4);
    // Eight zeros were a valid empty record; a tail of zeros is what a power loss leaves.
    if (length == 0 && sum == 0 &&
        std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(good), bytes.end(),
                    [](char c) { return c == '\0'; })) {
      break;
    }
    if (length > kMaxRecord || bytes.size() - good - 8 < length) break;
    const char* payload = bytes.data() + good + 8;
    if (crc(0, payload, length) != sum) break;
    records.emplace_back(payload, payload + length);
    good += 8 + length;
  }
  return good;
}

}  // namespace

Journal::Journal(std::string path) : path_(std::move(path)) {
  fd_ = Fd::open(path_, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) Fd::fail(path_, "fstat", errno);
  if (!S_ISREG(st.st_mode)) throw IoError(path_ + ": not a rungs journal (not a regular file)");
  const std::string bytes = read_all(fd_);

  const bool all_zero = std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
  if (bytes.size() < kHeaderSize || all_zero) {
    // New, or killed before its header was on disk: start it afresh.
    truncate(0);
    write_all(fd_, kHeader, kHeaderSize);
    truncated_ = bytes.size();
    dirty_ = true;
    sync();
  } else if (std::memcmp(bytes.data(), kHeader, kHeaderSize) == 0) {
    const std::size_t good = read_frames(bytes, path_, recovered_);
    if (good < bytes.size()) {
      truncated_ = bytes.size() - good;
      truncate(good);
    }
  } else if (std::memcmp(bytes.data(), kHeaderV1, kHeaderSize) == 0) {
    truncated_ = bytes.size() - read_frames_v1(bytes, recovered_);
    // Rewritten whole in the current format, atomically: a crash leaves the old one.
    replace_file_atomically(
        path_,
        [this](const std::string& temporary) {
          Fd out = Fd::open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
          write_all(out, kHeader, kHeaderSize);
          for (const auto& record : recovered_) {
            const auto f = frame(record);
            write_all(out, f.data(), f.size());
          }
          out.close();
        },
        "journal.before_rename");
    fd_ = Fd::open(path_, O_RDWR | O_CLOEXEC);
  } else {
    throw IoError(path_ + ": not a rungs journal");
  }
  if (::lseek(fd_.get(), 0, SEEK_END) < 0) Fd::fail(path_, "lseek", errno);
}

void Journal::truncate(std::size_t size) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) Fd::fail(path_, "ftruncate", errno);
  if (::lseek(fd_.get(), static_cast<off_t>(size), SEEK_SET) < 0) Fd::fail(path_, "lseek", errno);
  dirty_ = true;
  sync();
}

void Journal::append(const wire::Bytes& payload) {
  const auto f = frame(payload);
  write_all(fd_, f.data(), f.size());
  dirty_ = true;
}

void Journal::sync() {
  if (!dirty_) return;
  fd_.fdatasync();
  dirty_ = false;
}

void Journal::reset() { truncate(kHeaderSize); }

}  // namespace rungs

#pragma once
/// An append-only log of records, each framed as [u32 length][u32 CRC-32][payload], after an
/// 8-byte header. Between two snapshots of study.h5 the coordinator appends what changed and
/// syncs in batches; a SIGKILL at any instant leaves at worst a torn last record, which
/// opening the journal cuts off (truncating the file back to its last good record).
/// Used by rank 0 only, one thread.
#include <string>
#include <vector>

#include "study/wire.h"

namespace rungs {

class Journal {
 public:
  /// Opens `path`, creating it when missing; keeps the good records for recovered() and
  /// truncates a torn or damaged tail. Throws IoError naming the file when it cannot be
  /// opened or is not a journal.
  explicit Journal(std::string path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const std::string& path() const { return path_; }
  /// The records found when the journal was opened, in order.
  const std::vector<wire::Bytes>& recovered() const { return recovered_; }
  /// How many bytes of a torn tail opening cut off (0 for a clean journal).
  std::size_t truncated_bytes() const { return truncated_; }

  /// Appends one record (written to the OS at once; durable after sync()).
  void append(const wire::Bytes& payload);
  /// Makes every appended record durable (fdatasync), if any was appended since last time.
  void sync();
  /// Drops every record (after a snapshot that holds them) and syncs.
  void reset();

 private:
  std::string path_;
  int fd_ = -1;
  bool dirty_ = false;
  std::size_t truncated_ = 0;
  std::vector<wire::Bytes> recovered_;
};

}  // namespace rungs

#pragma once
/// An append-only log of records after an 8-byte header ("RUNGSJ2\n"), each framed as
/// [u32 magic][u32 length][u32 CRC-32 of magic, length and payload][payload]. Between two
/// snapshots of study.h5 the coordinator appends what changed and syncs in batches.
///
/// Opening tells a crash from damage. A SIGKILL leaves at worst a torn last record, and a
/// power loss on ext4 or XFS can leave a tail of zeros (the size was extended, the data
/// never written): when nothing valid follows the first bad frame, the tail is cut off
/// (truncated_bytes() says how much). A bad frame with a valid one after it is damage, not
/// a crash: IoError "PATH: damaged record at byte N followed by valid records; refusing to
/// guess", the file left as it is. Journals of the first format ("RUNGSJ1\n", frames of
/// [length][CRC-32 of payload], as rungs wrote them before) are read and rewritten in the
/// current one. Used by rank 0 only, one thread.
#include <string>
#include <vector>

#include "io/fd.h"
#include "study/wire.h"

namespace rungs {

class Journal {
 public:
  /// Opens `path`, creating it when missing; keeps the good records for recovered() and
  /// cuts off a torn or zeroed tail. Throws IoError naming the file when it cannot be
  /// opened, is not a journal, or is damaged before its last valid record.
  explicit Journal(std::string path);

  const std::string& path() const { return path_; }
  /// The records found when the journal was opened, in order.
  const std::vector<wire::Bytes>& recovered() const { return recovered_; }
  /// How many bytes of a torn or zeroed tail opening cut off (0 for a clean journal). The
  /// caller logs it: it means the last run ended in a crash.
  std::size_t truncated_bytes() const { return truncated_; }

  /// Appends one record (written to the OS at once; durable after sync()).
  void append(const wire::Bytes& payload);
  /// Makes every appended record durable (fdatasync), if any was appended since last time.
  void sync();
  /// Drops every record (after a snapshot that holds them) and syncs.
  void reset();

 private:
  void truncate(std::size_t size);

  std::string path_;
  Fd fd_;
  bool dirty_ = false;
  std::size_t truncated_ = 0;
  std::vector<wire::Bytes> recovered_;
};

}  // namespace rungs

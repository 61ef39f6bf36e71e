#pragma once
/// One job per study: a lock file next to study.h5 (`study.h5.lock`) that names its owner
/// (host, pid, Slurm job, a random token). It is written whole to a file of its own and put
/// in place with link(), which fails when a lock exists and is atomic on NFS and Lustre, where
/// HDF5's own file locking does not work (rungs turns that off, io/h5.cpp). A lock whose
/// owner is gone — its process on this host has died, or its Slurm job is no longer running,
/// or it is our own job's earlier run before a requeue — is stale, as is one that names no
/// owner (a job killed while writing it) once it is a few seconds old; it is taken over, by
/// one job only when several judge it stale at once. A live lock is an error naming the
/// owner. Held by rank 0 for the whole run; the destructor removes it.
#include <string>

namespace rungs {

class StudyLock {
 public:
  /// Takes the lock for `study_file` or throws ConfigError "FILE: in use by ...".
  explicit StudyLock(const std::string& study_file);
  ~StudyLock();
  StudyLock(const StudyLock&) = delete;
  StudyLock& operator=(const StudyLock&) = delete;

  const std::string& path() const { return path_; }
  /// Whether a stale lock was taken over (for a log line).
  bool recovered() const { return recovered_; }

 private:
  std::string path_;
  std::string content_;
  bool recovered_ = false;
};

/// Who holds a lock file, parsed from its text; empty fields when unknown.
struct LockOwner {
  std::string host;
  long pid = 0;
  std::string job;  ///< SLURM_JOB_ID
  std::string started;
};
LockOwner parse_lock(const std::string& text);

}  // namespace rungs

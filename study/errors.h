#pragma once
/// Exceptions of rungs. Everything thrown inside a process derives from rungs::Error;
/// ConfigError is the user's input being wrong (exit status 2), the others are faults of
/// the run. Across ranks errors travel as status values in messages, never as exceptions.
#include <cerrno>
#include <stdexcept>
#include <string>

namespace rungs {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A study file, a flag or a study.h5 given by the user is wrong. The message is one line:
/// "FILE: FIELD.PATH: VALUE what is wrong".
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// Reading or writing a file failed (HDF5, dataset, checkpoint).
class IoError : public Error {
 public:
  using Error::Error;
};

/// The storage itself failed: the file system is full or over quota, read-only, stale (NFS)
/// or reports an I/O error. Neither a trial's fault nor the user's input: rungs stops, keeps
/// what is recorded and exits 75, so that the job runs again later (a requeue).
class StorageError : public IoError {
 public:
  using IoError::IoError;
};

/// Whether an errno value is one of StorageError's: ENOSPC, EDQUOT, EROFS, EIO, ESTALE.
inline bool is_storage_errno(int error) {
  return error == ENOSPC || error == EDQUOT || error == EROFS || error == EIO || error == ESTALE;
}

/// The MPI layer or the wire protocol failed.
class MpiError : public Error {
 public:
  using Error::Error;
};

/// A trial failed (exception in training, NaN loss); recorded as a failed trial.
class TrialError : public Error {
 public:
  using Error::Error;
};

}  // namespace rungs

#pragma once
/// Exceptions of rungs. Everything thrown inside a process derives from rungs::Error;
/// ConfigError is the user's input being wrong (exit status 2), the others are faults of
/// the run. Across ranks errors travel as status values in messages, never as exceptions.
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

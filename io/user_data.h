#pragma once
/// The user's own data set (objective.data, docs/data.md) read whole and checked: every
/// problem is a ConfigError "FILE: DATASET: what is wrong", raised before anything is
/// written. Holds plain arrays; the trainer turns them into tensors.
#include <cstdint>
#include <vector>

#include "io/array_file.h"
#include "study/config.h"

namespace rungs {

struct UserSplit {
  NumericArray x;  ///< [N, ...] inputs
  NumericArray y;  ///< [N] class labels, or [N] / [N, K] regression targets
  std::int64_t size() const { return x.shape.empty() ? 0 : x.shape[0]; }
};

struct UserData {
  UserSplit train, val, test;              ///< test: size() 0 when data.test is not given
  std::vector<std::int64_t> sample_shape;  ///< x's shape without N
  std::int64_t outputs = 0;  ///< classes (from the training labels), or K for regression
  /// Per feature ([N, D]) or per channel (images) over the training split: the trainer
  /// feeds (x - mean) / std. A constant feature has std 1.
  std::vector<double> mean, std;
};

/// Reads and checks data.train/val/test; with val_fraction, a fixed seeded share of the
/// training rows (the same on every run and rank) becomes the validation split.
UserData load_user_data(const DataConfig& data, Task task);

/// Reads and checks `objective.data` as load_user_data does, and that objective.model fits
/// it (cnn needs images of at least 4x4 pixels). Returns the sample shape (without N).
/// ConfigError on the first problem.
std::vector<std::int64_t> check_user_data(const ObjectiveConfig& objective);

/// Writes `d`'s normalization to the HDF5 file `path` (datasets /mean and /std, float32,
/// one value per feature or channel), replacing it. IoError naming the file on failure.
void write_normalization(const std::string& path, const UserData& d);

/// The rows of the training set held out for validation by val_fraction `fraction` of `n`
/// rows, ascending; the same for every call with the same arguments.
std::vector<std::int64_t> validation_rows(std::int64_t n, double fraction);

}  // namespace rungs

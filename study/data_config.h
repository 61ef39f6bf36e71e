#pragma once
/// objective.data and objective.task: the user's own arrays for the built-in trainer
/// (docs/data.md). Parsed with the rest of the study file (study/config.cpp); the arrays
/// themselves are read and checked by io/user_data.h.
#include <string>

namespace rungs {

/// One split's arrays: HDF5 dataset paths, .npz member names, or .npy file names.
struct DataArrays {
  std::string x;
  std::string y;
  bool present() const { return !x.empty(); }
};

enum class Task { Classification, Regression };

struct DataConfig {
  /// data.file, resolved against the study file's folder; empty for .npy arrays, whose
  /// names in train/val/test are then files resolved the same way.
  std::string file;
  std::string folder;  ///< the study file's folder, against which relative names resolve
  DataArrays train, val, test;
  double val_fraction = 0.0;  ///< 0: data.val is given
  /// The study file and field prefix for messages ("study.yaml: objective.data").
  std::string where;
};

/// "classification" / "regression".
std::string to_string(Task task);

}  // namespace rungs

#pragma once
/// A trial's checkpoint as an HDF5 file that h5py reads (study/checkpoint_path.h names it):
///   /model/<name>                 float32, a parameter or buffer ("layers.0.weight")
///   /optimizer/<state>/<name>     float32: exp_avg, exp_avg_sq (Adam, AdamW) or
///                                 momentum_buffer (SGD), per parameter
///   /optimizer@kind, @step        the optimizer ("adam", "adamw", "sgd") and steps taken
///   /@format = "rungs-checkpoint", @format_version = 1, @epoch, @trial_id, @seed (uint64),
///   /@checksum                    CRC-32 (checkpoint_checksum) verified by read_checkpoint
/// Torch-free: the trainer converts its tensors to and from CheckpointData.
#include <cstdint>
#include <map>
#include <string>

#include "io/h5_array.h"

namespace rungs {

inline constexpr const char* kCheckpointFormat = "rungs-checkpoint";
inline constexpr int kCheckpointFormatVersion = 1;

struct CheckpointData {
  int epoch = 0;               ///< epochs trained
  std::int64_t trial_id = 0;
  std::uint64_t seed = 0;
  std::string optimizer;       ///< its kind, as in the hyperparameters
  std::int64_t optimizer_step = 0;
  /// Arrays by path relative to the root: "model/layers.0.weight",
  /// "optimizer/exp_avg/layers.0.weight". Components must not be empty.
  std::map<std::string, h5::FloatArray> arrays;
};

/// CRC-32 over, for each array in path order, its path, a NUL, its rank and dimensions
/// (int64 little-endian) and its float32 values (little-endian), then optimizer_step.
std::uint32_t checkpoint_checksum(const CheckpointData& data);

/// Writes `data` to `path` atomically (temporary in the same folder, fsync, rename, fsync
/// the folder; fault point "checkpoint.before_rename" between writing and renaming), creating the
/// folder. IoError naming the file on any failure; `path` is then as it was.
void write_checkpoint(const std::string& path, const CheckpointData& data);

/// Reads a file written by write_checkpoint. IoError naming `path` when it is missing,
/// truncated, not a rungs checkpoint of a known version, or its checksum does not match.
CheckpointData read_checkpoint(const std::string& path);

}  // namespace rungs

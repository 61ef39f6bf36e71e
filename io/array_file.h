#pragma once
/// Numeric arrays read whole from the user's files (docs/data.md): HDF5 datasets, .npy
/// files and .npz members. Every problem is a ConfigError "FILE: NAME: what is wrong".
#include <cstdint>
#include <string>
#include <vector>

namespace rungs {

/// A row-major array converted to double (exact for every integer up to 2^53).
struct NumericArray {
  std::vector<std::int64_t> shape;
  std::vector<double> values;
  bool integral = false;  ///< stored as an integer or boolean type
};

/// Dataset `path` of HDF5 file `file` (any integer or float type).
NumericArray read_hdf5_array(const std::string& file, const std::string& path);
/// The .npy file `file` (little-endian or byte-sized ints/floats/bools, C order). `name`
/// appears in messages in place of the file's name (an .npz member); empty: the file.
NumericArray parse_npy(const std::string& bytes, const std::string& file,
                       const std::string& name = "");
NumericArray read_npy_file(const std::string& file);
/// Member `member` (with or without ".npy") of the .npz file `file` (stored or deflated).
NumericArray read_npz_member(const std::string& file, const std::string& member);
/// By the file's name: .h5/.hdf5 -> HDF5 dataset `name`, .npz -> member `name`;
/// `file` empty -> `name` is an .npy file.
NumericArray read_array(const std::string& file, const std::string& name);

}  // namespace rungs

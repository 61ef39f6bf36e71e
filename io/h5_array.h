#pragma once
/// N-dimensional float32 datasets (model weights, optimizer moments): contiguous, written
/// and read whole, so h5py reads one as a numpy float32 array of the same shape.
#include <cstdint>
#include <string>
#include <vector>

#include "io/h5.h"

namespace rungs::h5 {

/// A row-major float32 array: values.size() is the product of shape (1 for shape {}).
struct FloatArray {
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

/// Creates dataset `name` in `group` holding `array` (a scalar dataset for an empty shape).
/// IoError when the number of values does not match the shape, or HDF5 fails.
Object write_float_array(const Group& group, const std::string& name, const FloatArray& array);

/// Reads a whole float dataset of any rank (converting other float widths as HDF5 does);
/// IoError naming the dataset when it is not a float dataset or cannot be read.
FloatArray read_float_array(const Group& group, const std::string& name);

/// True when the child `name` of `group` is a group (false for a dataset).
bool is_group(const Group& group, const std::string& name);

}  // namespace rungs::h5

#pragma once
/// Whole 1-D datasets ("columns") written and read in one call each: contiguous layout,
/// no chunking, no compression, so a column is one write and h5py/pandas read it as is.
/// Zero-length columns are fine. Reading checks the dataset's shape and type class and
/// throws IoError naming the dataset when they do not fit.
#include <cstdint>
#include <string>
#include <vector>

#include "io/h5.h"

namespace rungs::h5 {

/// Creates dataset `name` in `group` holding `values`: float64, int64, uint64, int32,
/// uint8, bool (the h5py bool enum) or variable-length UTF-8 strings. Returns the dataset
/// so that the caller can attach attributes.
Object write_column(const Group& group, const std::string& name, const std::vector<double>& values);
Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::int64_t>& values);
Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::uint64_t>& values);
Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::int32_t>& values);
Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::uint8_t>& values);
Object write_column(const Group& group, const std::string& name, const std::vector<bool>& values);
Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::string>& values);

/// Creates a scalar variable-length UTF-8 string dataset.
Object write_scalar_string(const Group& group, const std::string& name, const std::string& value);

/// Reads a whole 1-D column. Numbers convert between HDF5 integer and float types as the
/// C library does; bool needs an enum column, std::string a variable-length string column.
template <class T>
std::vector<T> read_column(const Group& group, const std::string& name);
template <>
std::vector<double> read_column<double>(const Group& group, const std::string& name);
template <>
std::vector<std::int64_t> read_column<std::int64_t>(const Group& group, const std::string& name);
template <>
std::vector<std::uint64_t> read_column<std::uint64_t>(const Group& group, const std::string& name);
template <>
std::vector<std::int32_t> read_column<std::int32_t>(const Group& group, const std::string& name);
template <>
std::vector<std::uint8_t> read_column<std::uint8_t>(const Group& group, const std::string& name);
template <>
std::vector<bool> read_column<bool>(const Group& group, const std::string& name);
template <>
std::vector<std::string> read_column<std::string>(const Group& group, const std::string& name);

/// Reads a scalar variable-length string dataset.
std::string read_scalar_string(const Group& group, const std::string& name);

/// Opens dataset `name` in `group` (for its attributes).
Object open_dataset(const Group& group, const std::string& name);

}  // namespace rungs::h5

#pragma once
/// Scalar attributes on a group or dataset: variable-length UTF-8 strings (str in h5py),
/// float64 and int64. Writing replaces nothing: the attribute must not exist yet.
#include <cstdint>
#include <string>

#include "io/h5.h"

namespace rungs::h5 {

void write_string_attribute(const Object& object, const std::string& name,
                            const std::string& value);
void write_double_attribute(const Object& object, const std::string& name, double value);
void write_int_attribute(const Object& object, const std::string& name, std::int64_t value);
/// uint64 (h5py: numpy.uint64), for values that use all 64 bits (seeds, checksums).
void write_uint_attribute(const Object& object, const std::string& name, std::uint64_t value);

bool has_attribute(const Object& object, const std::string& name);
/// Read an attribute; IoError naming the object when it is missing or of another kind.
std::string read_string_attribute(const Object& object, const std::string& name);
double read_double_attribute(const Object& object, const std::string& name);
std::int64_t read_int_attribute(const Object& object, const std::string& name);
std::uint64_t read_uint_attribute(const Object& object, const std::string& name);

}  // namespace rungs::h5

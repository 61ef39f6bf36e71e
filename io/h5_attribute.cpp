#include "io/h5_attribute.h"

#include "io/h5_types.h"
#include "study/errors.h"

namespace rungs::h5 {
namespace {

/// "/trials/params/lr@kind", the name used in messages about an attribute.
std::string attribute_path(const Object& object, const std::string& name) {
  return object.path() + "@" + name;
}

void write_scalar(const Object& object, const std::string& name, hid_t file_type, hid_t memory_type,
                  const void* value) {
  const std::string where = attribute_path(object, name);
  const DataspaceId space = scalar_space();
  const AttributeId attribute(check_id(
      H5Acreate2(object.id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
      "H5Acreate2", where, object.file()));
  check(H5Awrite(attribute.get(), memory_type, value), "H5Awrite", where, object.file());
}

/// Opens attribute `name`, checking that it exists, holds one value and that its type is
/// `expected` (reading a non-scalar attribute into one value would overrun it).
AttributeId open_attribute(const Object& object, const std::string& name,
                           bool (*expected)(hid_t type), const char* kind) {
  const std::string where = attribute_path(object, name);
  if (!has_attribute(object, name)) {
    throw IoError(object.file() + ": " + object.path() + " has no attribute '" + name + "'");
  }
  AttributeId attribute(
      check_id(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT), "H5Aopen", where, object.file()));
  const DatatypeId type(
      check_id(H5Aget_type(attribute.get()), "H5Aget_type", where, object.file()));
  const DataspaceId space(
      check_id(H5Aget_space(attribute.get()), "H5Aget_space", where, object.file()));
  if (!expected(type.get()) || H5Sget_simple_extent_npoints(space.get()) != 1) {
    throw IoError(object.file() + ": attribute " + where + " is not " + kind);
  }
  return attribute;
}

bool is_number(hid_t type) {
  const H5T_class_t type_class = H5Tget_class(type);
  return type_class == H5T_INTEGER || type_class == H5T_FLOAT;
}

template <class T>
T read_number(const Object& object, const std::string& name, hid_t memory_type) {
  const AttributeId attribute = open_attribute(object, name, is_number, "a single number");
  T value{};
  check(H5Aread(attribute.get(), memory_type, &value), "H5Aread", attribute_path(object, name),
        object.file());
  return value;
}

}  // namespace

void write_string_attribute(const Object& object, const std::string& name,
                            const std::string& value) {
  const DatatypeId type = string_type();
  const char* pointer = value.c_str();
  write_scalar(object, name, type.get(), type.get(), &pointer);
}

void write_double_attribute(const Object& object, const std::string& name, double value) {
  write_scalar(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_int_attribute(const Object& object, const std::string& name, std::int64_t value) {
  write_scalar(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void write_uint_attribute(const Object& object, const std::string& name, std::uint64_t value) {
  write_scalar(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

bool has_attribute(const Object& object, const std::string& name) {
  return check(H5Aexists(object.id(), name.c_str()), "H5Aexists", attribute_path(object, name),
               object.file()) > 0;
}

std::string read_string_attribute(const Object& object, const std::string& name) {
  const AttributeId attribute =
      open_attribute(object, name, is_variable_string, "a single variable-length string");
  const std::string where = attribute_path(object, name);
  const DataspaceId space(
      check_id(H5Aget_space(attribute.get()), "H5Aget_space", where, object.file()));
  const DatatypeId type = string_type();
  char* pointer = nullptr;
  const VlenReclaimer reclaim(type.get(), space.get(), &pointer);
  check(H5Aread(attribute.get(), type.get(), &pointer), "H5Aread", where, object.file());
  return pointer != nullptr ? pointer : "";
}

double read_double_attribute(const Object& object, const std::string& name) {
  return read_number<double>(object, name, H5T_NATIVE_DOUBLE);
}

std::int64_t read_int_attribute(const Object& object, const std::string& name) {
  return read_number<std::int64_t>(object, name, H5T_NATIVE_INT64);
}

std::uint64_t read_uint_attribute(const Object& object, const std::string& name) {
  return read_number<std::uint64_t>(object, name, H5T_NATIVE_UINT64);
}

}  // namespace rungs::h5

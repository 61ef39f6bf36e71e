#include "io/h5_column.h"

#include "io/h5_types.h"
#include "study/errors.h"

namespace rungs::h5 {
namespace {

Object create_dataset(const Group& group, const std::string& name, hid_t file_type, hid_t space) {
  const std::string path = group.child_path(name);
  const hid_t id = check_id(
      H5Dcreate2(group.id(), name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      "H5Dcreate2", path, group.file());
  return Object(ObjectId(id), group.file(), path);
}

/// Writes `count` elements at `data` (memory type `memory_type`) as a new 1-D dataset.
Object write_vector(const Group& group, const std::string& name, hid_t file_type, hid_t memory_type,
                    std::size_t count, const void* data) {
  const DataspaceId space = vector_space(count);
  Object dataset = create_dataset(group, name, file_type, space.get());
  // A zero-length contiguous dataset has no storage to write to.
  if (count > 0) {
    check(H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite",
          dataset.path(), dataset.file());
  }
  return dataset;
}

[[noreturn]] void wrong_form(const Object& dataset, const std::string& expected) {
  throw IoError(dataset.file() + ": " + dataset.path() + " is not " + expected);
}

/// An open 1-D dataset with its dataspace, file type and length.
struct Column {
  Object dataset;
  DataspaceId space;
  DatatypeId type;
  std::size_t size = 0;
};

Column open_column(const Group& group, const std::string& name) {
  Object dataset = open_dataset(group, name);
  DataspaceId space(
      check_id(H5Dget_space(dataset.id()), "H5Dget_space", dataset.path(), dataset.file()));
  const auto rank = check(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims",
                          dataset.path(), dataset.file());
  if (rank != 1) wrong_form(dataset, "a 1-D dataset");
  hsize_t size = 0;
  check(H5Sget_simple_extent_dims(space.get(), &size, nullptr), "H5Sget_simple_extent_dims",
        dataset.path(), dataset.file());
  DatatypeId type(
      check_id(H5Dget_type(dataset.id()), "H5Dget_type", dataset.path(), dataset.file()));
  return Column{std::move(dataset), std::move(space), std::move(type),
                static_cast<std::size_t>(size)};
}

void read_all(const Column& column, hid_t memory_type, void* buffer) {
  if (column.size == 0) return;
  check(H5Dread(column.dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer), "H5Dread",
        column.dataset.path(), column.dataset.file());
}

template <class T>
std::vector<T> read_numbers(const Group& group, const std::string& name, hid_t memory_type) {
  const Column column = open_column(group, name);
  const H5T_class_t type_class = H5Tget_class(column.type.get());
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
    wrong_form(column.dataset, "a numeric dataset");
  }
  std::vector<T> values(column.size);
  read_all(column, memory_type, values.data());
  return values;
}

}  // namespace

Object open_dataset(const Group& group, const std::string& name) {
  const std::string path = group.child_path(name);
  const hid_t id =
      check_id(H5Dopen2(group.id(), name.c_str(), H5P_DEFAULT), "H5Dopen2", path, group.file());
  return Object(ObjectId(id), group.file(), path);
}

Object write_column(const Group& group, const std::string& name,
                    const std::vector<double>& values) {
  return write_vector(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.size(), values.data());
}

Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::int64_t>& values) {
  return write_vector(group, name, H5T_STD_I64LE, H5T_NATIVE_INT64, values.size(), values.data());
}

Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::uint64_t>& values) {
  return write_vector(group, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, values.size(), values.data());
}

Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::int32_t>& values) {
  return write_vector(group, name, H5T_STD_I32LE, H5T_NATIVE_INT32, values.size(), values.data());
}

Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::uint8_t>& values) {
  return write_vector(group, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, values.size(), values.data());
}

Object write_column(const Group& group, const std::string& name, const std::vector<bool>& values) {
  const std::vector<std::int8_t> bytes(values.begin(), values.end());
  const DatatypeId type = bool_type();
  return write_vector(group, name, type.get(), type.get(), bytes.size(), bytes.data());
}

Object write_column(const Group& group, const std::string& name,
                    const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& value : values) pointers.push_back(value.c_str());
  const DatatypeId type = string_type();
  return write_vector(group, name, type.get(), type.get(), pointers.size(), pointers.data());
}

Object write_scalar_string(const Group& group, const std::string& name, const std::string& value) {
  const DataspaceId space = scalar_space();
  const DatatypeId type = string_type();
  Object dataset = create_dataset(group, name, type.get(), space.get());
  const char* pointer = value.c_str();
  check(H5Dwrite(dataset.id(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointer), "H5Dwrite",
        dataset.path(), dataset.file());
  return dataset;
}

template <>
std::vector<double> read_column<double>(const Group& group, const std::string& name) {
  return read_numbers<double>(group, name, H5T_NATIVE_DOUBLE);
}

template <>
std::vector<std::int64_t> read_column<std::int64_t>(const Group& group, const std::string& name) {
  return read_numbers<std::int64_t>(group, name, H5T_NATIVE_INT64);
}

template <>
std::vector<std::uint64_t> read_column<std::uint64_t>(const Group& group, const std::string& name) {
  return read_numbers<std::uint64_t>(group, name, H5T_NATIVE_UINT64);
}

template <>
std::vector<std::int32_t> read_column<std::int32_t>(const Group& group, const std::string& name) {
  return read_numbers<std::int32_t>(group, name, H5T_NATIVE_INT32);
}

template <>
std::vector<std::uint8_t> read_column<std::uint8_t>(const Group& group, const std::string& name) {
  return read_numbers<std::uint8_t>(group, name, H5T_NATIVE_UINT8);
}

template <>
std::vector<bool> read_column<bool>(const Group& group, const std::string& name) {
  const Column column = open_column(group, name);
  if (H5Tget_class(column.type.get()) != H5T_ENUM) {
    wrong_form(column.dataset, "a boolean (enum) dataset");
  }
  // Enums convert by member name, so a column without FALSE/TRUE members fails here.
  const DatatypeId type = bool_type();
  std::vector<std::int8_t> bytes(column.size);
  read_all(column, type.get(), bytes.data());
  return std::vector<bool>(bytes.begin(), bytes.end());
}

template <>
std::vector<std::string> read_column<std::string>(const Group& group, const std::string& name) {
  const Column column = open_column(group, name);
  if (!is_variable_string(column.type.get())) {
    wrong_form(column.dataset, "a variable-length string dataset");
  }
  const DatatypeId type = string_type();
  std::vector<char*> pointers(column.size, nullptr);
  const VlenReclaimer reclaim(type.get(), column.space.get(), pointers.data());
  read_all(column, type.get(), pointers.data());
  std::vector<std::string> values;
  values.reserve(pointers.size());
  for (const char* pointer : pointers) values.emplace_back(pointer != nullptr ? pointer : "");
  return values;
}

std::string read_scalar_string(const Group& group, const std::string& name) {
  const Object dataset = open_dataset(group, name);
  const DataspaceId space(
      check_id(H5Dget_space(dataset.id()), "H5Dget_space", dataset.path(), dataset.file()));
  if (H5Sget_simple_extent_type(space.get()) != H5S_SCALAR) {
    wrong_form(dataset, "a scalar dataset");
  }
  const DatatypeId file_type(
      check_id(H5Dget_type(dataset.id()), "H5Dget_type", dataset.path(), dataset.file()));
  if (!is_variable_string(file_type.get())) wrong_form(dataset, "a variable-length string");
  const DatatypeId type = string_type();
  char* pointer = nullptr;
  const VlenReclaimer reclaim(type.get(), space.get(), &pointer);
  check(H5Dread(dataset.id(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointer), "H5Dread",
        dataset.path(), dataset.file());
  return pointer != nullptr ? pointer : "";
}

}  // namespace rungs::h5

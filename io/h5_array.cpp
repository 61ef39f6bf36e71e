#include "io/h5_array.h"

#include "io/h5_column.h"
#include "io/h5_types.h"
#include "study/errors.h"

namespace rungs::h5 {

Object write_float_array(const Group& group, const std::string& name, const FloatArray& array) {
  const std::string path = group.child_path(name);
  std::vector<hsize_t> dims;
  std::size_t count = 1;
  for (const std::int64_t d : array.shape) {
    if (d < 0) throw IoError(group.file() + ": " + path + " has a negative dimension");
    dims.push_back(static_cast<hsize_t>(d));
    count *= static_cast<std::size_t>(d);
  }
  if (count != array.values.size()) {
    throw IoError(group.file() + ": " + path + " has " + std::to_string(array.values.size()) +
                  " values for a shape of " + std::to_string(count));
  }
  const DataspaceId space =
      dims.empty() ? scalar_space()
                   : DataspaceId(check_id(H5Screate_simple(static_cast<int>(dims.size()),
                                                           dims.data(), nullptr),
                                          "H5Screate_simple", path, group.file()));
  Object dataset(ObjectId(check_id(H5Dcreate2(group.id(), name.c_str(), H5T_IEEE_F32LE,
                                              space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                   "H5Dcreate2", path, group.file())),
                 group.file(), path);
  // A zero-size contiguous dataset has no storage to write to.
  if (count > 0) {
    check(H5Dwrite(dataset.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                   array.values.data()),
          "H5Dwrite", path, group.file());
  }
  return dataset;
}

FloatArray read_float_array(const Group& group, const std::string& name) {
  const Object dataset = open_dataset(group, name);
  const DatatypeId type(
      check_id(H5Dget_type(dataset.id()), "H5Dget_type", dataset.path(), dataset.file()));
  if (H5Tget_class(type.get()) != H5T_FLOAT) {
    throw IoError(dataset.file() + ": " + dataset.path() + " is not a float dataset");
  }
  const DataspaceId space(
      check_id(H5Dget_space(dataset.id()), "H5Dget_space", dataset.path(), dataset.file()));
  const auto rank = check(H5Sget_simple_extent_ndims(space.get()), "H5Sget_simple_extent_ndims",
                          dataset.path(), dataset.file());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) {
    check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr),
          "H5Sget_simple_extent_dims", dataset.path(), dataset.file());
  }
  FloatArray array;
  std::size_t count = 1;
  for (const hsize_t d : dims) {
    array.shape.push_back(static_cast<std::int64_t>(d));
    count *= static_cast<std::size_t>(d);
  }
  array.values.resize(count);
  if (count > 0) {
    check(H5Dread(dataset.id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                  array.values.data()),
          "H5Dread", dataset.path(), dataset.file());
  }
  return array;
}

bool is_group(const Group& group, const std::string& name) {
  const std::string path = group.child_path(name);
  const ObjectId object(
      check_id(H5Oopen(group.id(), name.c_str(), H5P_DEFAULT), "H5Oopen", path, group.file()));
  return H5Iget_type(object.get()) == H5I_GROUP;
}

}  // namespace rungs::h5

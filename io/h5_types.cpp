#include "io/h5_types.h"

#include <cstdint>

namespace rungs::h5 {
namespace {
// Types are built before any file exists, so failures carry no file name.
constexpr const char* kNoFile = "(no file)";
}  // namespace

DatatypeId bool_type() {
  DatatypeId type(check_id(H5Tenum_create(H5T_STD_I8LE), "H5Tenum_create", "", kNoFile));
  const std::int8_t false_value = 0;
  const std::int8_t true_value = 1;
  check(H5Tenum_insert(type.get(), "FALSE", &false_value), "H5Tenum_insert", "", kNoFile);
  check(H5Tenum_insert(type.get(), "TRUE", &true_value), "H5Tenum_insert", "", kNoFile);
  return type;
}

DatatypeId string_type() {
  DatatypeId type(check_id(H5Tcopy(H5T_C_S1), "H5Tcopy", "", kNoFile));
  check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size", "", kNoFile);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", "", kNoFile);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "H5Tset_strpad", "", kNoFile);
  return type;
}

bool is_variable_string(hid_t type) {
  return H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0;
}

DataspaceId scalar_space() {
  return DataspaceId(check_id(H5Screate(H5S_SCALAR), "H5Screate", "", kNoFile));
}

DataspaceId vector_space(hsize_t size) {
  return DataspaceId(
      check_id(H5Screate_simple(1, &size, nullptr), "H5Screate_simple", "", kNoFile));
}

VlenReclaimer::~VlenReclaimer() {
#if H5_VERSION_GE(1, 12, 0)
  (void)H5Treclaim(memory_type_, space_, H5P_DEFAULT, buffer_);
#else
  (void)H5Dvlen_reclaim(memory_type_, space_, H5P_DEFAULT, buffer_);
#endif
}

}  // namespace rungs::h5

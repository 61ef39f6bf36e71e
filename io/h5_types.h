#pragma once
/// The HDF5 datatypes rungs writes, chosen so that h5py reads them back as the natural
/// numpy/Python types: little-endian numbers, booleans as the enum h5py uses for numpy bool,
/// text as variable-length UTF-8 strings (str in h5py attributes, `.asstr()` for datasets).
#include "io/h5.h"

namespace rungs::h5 {

/// Enum {FALSE = 0, TRUE = 1} over little-endian int8: exactly what h5py writes for a numpy
/// bool array, so h5py reads it back as dtype bool. Used as both file and memory type.
DatatypeId bool_type();

/// Variable-length, NUL-terminated, UTF-8 string. Used as both file and memory type.
DatatypeId string_type();

/// True when `type` is a variable-length string type.
bool is_variable_string(hid_t type);

/// A scalar or 1-D dataspace of `size` elements.
DataspaceId scalar_space();
DataspaceId vector_space(hsize_t size);

/// Frees the strings HDF5 allocated while reading variable-length data into `buffer`
/// (H5Dvlen_reclaim / H5Treclaim) when it goes out of scope.
class VlenReclaimer {
 public:
  VlenReclaimer(hid_t memory_type, hid_t space, void* buffer) noexcept
      : memory_type_(memory_type), space_(space), buffer_(buffer) {}
  ~VlenReclaimer();
  VlenReclaimer(const VlenReclaimer&) = delete;
  VlenReclaimer& operator=(const VlenReclaimer&) = delete;

 private:
  hid_t memory_type_;
  hid_t space_;
  void* buffer_;
};

}  // namespace rungs::h5

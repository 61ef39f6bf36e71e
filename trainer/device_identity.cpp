#include "trainer/device_identity.h"

#include <cstdio>

#ifdef RUNGS_HAVE_CUDA_RUNTIME
#include <cuda_runtime_api.h>
#endif

namespace rungs {

std::string format_gpu_uuid(const unsigned char (&bytes)[16], const char* prefix) {
  std::string text = prefix;
  char hex[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    std::snprintf(hex, sizeof hex, "%02x", bytes[i]);
    text += hex;
  }
  return text;
}

std::string cuda_device_uuid(int device) {
  if (device < 0) return "";
#ifdef RUNGS_HAVE_CUDA_RUNTIME
  cudaDeviceProp properties{};
  if (cudaGetDeviceProperties(&properties, device) != cudaSuccess) return "";
  unsigned char bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(properties.uuid.bytes[i]);
  return format_gpu_uuid(bytes);
#else
  return "";
#endif
}

}  // namespace rungs

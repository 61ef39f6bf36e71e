#pragma once
/// Which physical GPU a CUDA device index of this process is, for rank 0's placement checks
/// (mpi_driver/group_placement.h). No LibTorch.
#include <string>

namespace rungs {

/// The UUID of CUDA device `device` of this process, as nvidia-smi -L prints it
/// ("GPU-8d3e1f52-6c47-ae2b-5b8a-0e2f8a9c1d33"); "" when `device` < 0, when this rungs has no
/// CUDA runtime, or when the runtime cannot tell.
std::string cuda_device_uuid(int device);

/// The text form of a 16-byte UUID with `prefix`: "GPU-" + 8-4-4-4-12 lowercase hex digits.
std::string format_gpu_uuid(const unsigned char (&bytes)[16], const char* prefix = "GPU-");

}  // namespace rungs

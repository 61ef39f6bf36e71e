#pragma once
/// Picks the Communicator (trainer/communicator.h) for a rank from its device: MPI for a
/// CPU rank, NCCL for a rank on a CUDA device. The one place that knows whether NCCL was
/// built in.
#include <mpi.h>

#include <memory>

#include "trainer/communicator.h"

namespace rungs {

/// Whether this build links the NCCL communicator.
bool nccl_available();

/// Collective over `group`. `cuda_device` < 0: host memory, MPI_Allreduce; otherwise NCCL
/// on that device (ConfigError when the build has no NCCL).
std::unique_ptr<Communicator> make_communicator(MPI_Comm group, int cuda_device);

}  // namespace rungs

#include "trainer/communicator_factory.h"

#include "study/errors.h"
#include "trainer/communicator_mpi.h"
#ifdef RUNGS_HAVE_NCCL
#include "trainer/nccl_communicator.h"
#endif

namespace rungs {

bool nccl_available() {
#ifdef RUNGS_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Communicator> make_communicator(MPI_Comm group, int cuda_device) {
  if (cuda_device < 0) return std::make_unique<MpiCommunicator>(group);
#ifdef RUNGS_HAVE_NCCL
  return make_nccl_communicator(group, cuda_device);
#else
  throw ConfigError("this rank trains on cuda:" + std::to_string(cuda_device) +
                    " but rungs was built without NCCL (CUDA LibTorch and nccl.h are needed "
                    "at configure time; see docs/gpus.md, Building with CUDA and NCCL)");
#endif
}

}  // namespace rungs

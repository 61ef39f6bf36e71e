// The NCCL communicator on the GPUs of one node, one rank per GPU (mpiexec -n <= GPUs):
// sums on device memory equal the expected sums. Exits 77 (skipped) without a GPU.
#include <cuda_runtime.h>
#include <mpi.h>

#include <cstdio>
#include <vector>

#include "trainer/nccl_communicator.h"

int main(int argc, char** argv) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("skipped: no CUDA device visible\n");
    return 77;
  }
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1, failed = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  {
    auto comm = rungs::make_nccl_communicator(MPI_COMM_WORLD, rank % devices);
    const int n = 1 << 20;
    std::vector<float> host(n);
    for (int i = 0; i < n; ++i) host[i] = static_cast<float>((rank + 1) * (i % 100));
    float* device = nullptr;
    cudaMalloc(&device, n * sizeof(float));
    cudaMemcpy(device, host.data(), n * sizeof(float), cudaMemcpyHostToDevice);
    comm->allreduce_sum(device, n);
    cudaMemcpy(host.data(), device, n * sizeof(float), cudaMemcpyDeviceToHost);
    cudaFree(device);
    const float ranks_sum = size * (size + 1) / 2.0f;
    for (int i = 0; i < n; ++i) failed |= host[i] != ranks_sum * (i % 100);
    if (rank == 0) std::printf("nccl allreduce over %d GPU rank(s): %s\n", size, failed ? "FAILED" : "ok");
  }
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return failed;
}

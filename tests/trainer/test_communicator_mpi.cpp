// The MPI communicator under real mpiexec (any number of ranks): sums, means and a buffer
// bigger than any bucket come out the same on every rank. No LibTorch.
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "trainer/communicator_mpi.h"

namespace {
int failures = 0;
void expect(bool ok, const char* what, int rank) {
  if (!ok) {
    std::printf("rank %d FAILED: %s\n", rank, what);
    ++failures;
  }
}
}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  {
    rungs::MpiCommunicator comm(MPI_COMM_WORLD);
    const int k = comm.size(), r = comm.rank();
    expect(comm.memory() == rungs::Communicator::Memory::Host, "host memory", r);

    // Averaging: each rank holds (rank + 1) * i; the mean over ranks is (k + 1) / 2 * i.
    std::vector<float> grads(1000);
    for (int i = 0; i < 1000; ++i) grads[i] = static_cast<float>((r + 1) * i);
    comm.allreduce_sum(grads.data(), static_cast<std::int64_t>(grads.size()));
    bool mean_ok = true;
    for (int i = 0; i < 1000; ++i)
      mean_ok &= std::fabs(grads[i] / k - (k + 1) / 2.0 * i) <= 1e-3 * (1 + i);
    expect(mean_ok, "allreduce sum / size is the mean", r);

    double metrics[2] = {0.5 * (r + 1), static_cast<double>(r)};
    comm.allreduce_sum(metrics, 2);
    expect(metrics[0] == 0.25 * k * (k + 1) && metrics[1] == k * (k - 1) / 2.0,
           "double sums (loss * count, correct counts)", r);

    // Several parameters packed into one flat buffer reduce as if reduced one by one.
    std::vector<float> flat = {1.0f * r, 2.0f, 3.0f * r, -1.0f};
    comm.allreduce_sum(flat.data(), 4);
    const float tri = k * (k - 1) / 2.0f;
    expect(flat[0] == tri && flat[1] == 2.0f * k && flat[2] == 3 * tri && flat[3] == -k,
           "a flat bucket of small tensors", r);
    comm.allreduce_sum(flat.data(), 0);  // an empty bucket is fine

    // The shards of a batch cover it once, sizes differing by at most one.
    for (std::int64_t n : {0, 1, 7, 128, 1000}) {
      std::int64_t covered = 0;
      for (int q = 0; q < 3; ++q) {
        const rungs::Shard s = rungs::shard_of(n, q, 3);
        expect(s.begin == covered && s.size() >= n / 3 && s.size() <= n / 3 + 1, "shards", r);
        covered = s.end;
      }
      expect(covered == n, "shards cover the batch", r);
    }
    if (r == 0) std::printf("%d ranks: %s\n", k, failures ? "FAILED" : "ok");
  }
  int any = failures;
  MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any ? 1 : 0;
}

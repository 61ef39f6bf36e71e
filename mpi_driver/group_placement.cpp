#include "mpi_driver/group_placement.h"

#include <algorithm>
#include <string>

namespace rungs {

int visible_device_count(const char* cuda_visible_devices, int runtime_count) {
  if (!cuda_visible_devices) return std::max(runtime_count, 0);
  const std::string list = cuda_visible_devices;
  if (list.empty() || list.rfind("-1", 0) == 0) return 0;
  const int listed = 1 + static_cast<int>(std::count(list.begin(), list.end(), ','));
  return std::max(0, std::min(listed, runtime_count));
}

int pick_device(int local_worker, int devices, int trials_per_gpu) {
  if (devices <= 0 || local_worker < 0) return -1;
  return (local_worker / std::max(trials_per_gpu, 1)) % devices;
}

}  // namespace rungs

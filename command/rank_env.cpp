#include "command/rank_env.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace rungs {

EnvList rank_environment(const RankPlace& place) {
  return {{"RANK", std::to_string(place.rank)},
          {"LOCAL_RANK", std::to_string(place.local_rank)},
          {"WORLD_SIZE", std::to_string(place.size)},
          {"LOCAL_WORLD_SIZE", std::to_string(place.local_size)},
          {"MASTER_ADDR", place.master_addr},
          {"MASTER_PORT", std::to_string(place.master_port)},
          {"RUNGS_GROUP_RANK", std::to_string(place.rank)},
          {"RUNGS_GROUP_SIZE", std::to_string(place.size)}};
}

std::optional<std::string> program_cuda_devices(int device, bool cpu_study,
                                                const char* worker_visible_devices) {
  if (device < 0) return cpu_study ? std::optional<std::string>("") : std::nullopt;
  if (!worker_visible_devices) return std::to_string(device);
  // The worker's list names the devices it sees, in the order of their indices.
  const std::string list = worker_visible_devices;
  std::size_t begin = 0;
  for (int i = 0; i < device; ++i) {
    begin = list.find(',', begin);
    if (begin == std::string::npos) return std::to_string(device);
    ++begin;
  }
  const std::size_t end = list.find(',', begin);
  return list.substr(begin, end == std::string::npos ? end : end - begin);
}

std::optional<int> choose_master_port(int node_group, int node_groups, const std::set<int>& tried,
                                      const std::function<bool(int)>& is_free) {
  const int stride = node_groups < 1 ? 1 : node_groups;
  for (int j = 0; j < kMasterPortTries; ++j) {
    const int port = kMasterPortBase + node_group + stride * j;
    if (port > 65535) break;
    if (!tried.count(port) && is_free(port)) return port;
  }
  return std::nullopt;
}

bool port_is_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return free;
}

}  // namespace rungs

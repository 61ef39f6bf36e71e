#include "mpi_driver/group_comms.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace rungs {

TrialGroups form_trial_groups(int ranks_per_trial) {
  int rank = 0, size = 1;
  check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");

  // A node's id: the lowest world rank on it.
  MPI_Comm node_raw = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL,
                                &node_raw),
            "MPI_Comm_split_type");
  const MpiComm node(node_raw);
  int node_id = rank;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &node_id, 1, MPI_INT, MPI_MIN, node.get()),
            "MPI_Allreduce(node id)");
  std::vector<int> node_of_rank(static_cast<std::size_t>(size));
  check_mpi(MPI_Allgather(&node_id, 1, MPI_INT, node_of_rank.data(), 1, MPI_INT, MPI_COMM_WORLD),
            "MPI_Allgather(node ids)");

  TrialGroups groups;
  groups.plan = plan_trial_groups(node_of_rank, ranks_per_trial);  // same on every rank
  groups.node_of_rank = std::move(node_of_rank);
  std::tie(groups.group, groups.position) = groups.plan.locate(rank);
  groups.group_comm = MpiComm::split(MPI_COMM_WORLD, rank == 0 ? MPI_UNDEFINED : groups.group,
                                     groups.position);
  const bool talks_to_coordinator = rank == 0 || groups.position == 0;
  groups.coordinator_comm = MpiComm::split(MPI_COMM_WORLD, talks_to_coordinator ? 0 : MPI_UNDEFINED,
                                           rank == 0 ? 0 : groups.group + 1);
  return groups;
}

MpiGroupChannel::MpiGroupChannel(MPI_Comm group) : comm_(MpiComm::duplicate(group)) {
  check_mpi(MPI_Comm_rank(comm_.get(), &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_.get(), &size_), "MPI_Comm_size");
}

namespace {

constexpr std::chrono::microseconds kMaxSleep{250};

void wait_polling(MPI_Request& request, const char* what) {
  std::chrono::microseconds sleep{0};
  for (;;) {
    int done = 0;
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), what);
    if (done) return;
    sleep = std::min(kMaxSleep, sleep.count() == 0 ? std::chrono::microseconds{2} : sleep * 2);
    std::this_thread::sleep_for(sleep);
  }
}

}  // namespace

void MpiGroupChannel::broadcast(wire::Bytes& bytes) {
  if (size_ == 1) return;
  std::uint64_t length = bytes.size();
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(MPI_Ibcast(&length, 1, MPI_UINT64_T, 0, comm_.get(), &request), "MPI_Ibcast");
  wait_polling(request, "MPI_Ibcast(length)");
  if (rank_ != 0) bytes.resize(static_cast<std::size_t>(length));
  if (length == 0) return;
  check_mpi(MPI_Ibcast(bytes.data(), static_cast<int>(length), MPI_BYTE, 0, comm_.get(), &request),
            "MPI_Ibcast");
  wait_polling(request, "MPI_Ibcast(bytes)");
}

MpiGroupLink::MpiGroupLink(MPI_Comm group) : comm_(MpiComm::duplicate(group)) {
  check_mpi(MPI_Comm_rank(comm_.get(), &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_.get(), &size_), "MPI_Comm_size");
}

MpiGroupLink::~MpiGroupLink() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  for (Sending& s : sending_) (void)MPI_Wait(&s.request, MPI_STATUS_IGNORE);
}

namespace {
constexpr int kLinkTag = 7;
}

void MpiGroupLink::reap() {
  for (auto it = sending_.begin(); it != sending_.end();) {
    int done = 0;
    check_mpi(MPI_Test(&it->request, &done, MPI_STATUS_IGNORE), "MPI_Test(group message)");
    it = done ? sending_.erase(it) : std::next(it);
  }
}

void MpiGroupLink::send(int to, wire::Bytes bytes) {
  sending_.push_back(Sending{std::move(bytes)});
  Sending& s = sending_.back();
  check_mpi(MPI_Isend(s.bytes.data(), static_cast<int>(s.bytes.size()), MPI_BYTE, to, kLinkTag,
                      comm_.get(), &s.request),
            "MPI_Isend(group message)");
  reap();
}

std::optional<std::pair<int, wire::Bytes>> MpiGroupLink::receive() {
  reap();
  int arrived = 0;
  MPI_Status status;
  check_mpi(MPI_Iprobe(MPI_ANY_SOURCE, kLinkTag, comm_.get(), &arrived, &status),
            "MPI_Iprobe(group message)");
  if (!arrived) return std::nullopt;
  int count = 0;
  check_mpi(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count(group message)");
  wire::Bytes bytes(static_cast<std::size_t>(count));
  check_mpi(MPI_Recv(bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, kLinkTag, comm_.get(),
                     MPI_STATUS_IGNORE),
            "MPI_Recv(group message)");
  return std::make_pair(status.MPI_SOURCE, std::move(bytes));
}

}  // namespace rungs

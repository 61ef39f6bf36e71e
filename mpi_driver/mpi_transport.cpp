#include "mpi_driver/mpi_transport.h"

#include <algorithm>
#include <thread>

namespace rungs {

namespace {
constexpr int kTag = 17;
}  // namespace

MpiTransport::MpiTransport(MPI_Comm comm) : comm_(MpiComm::duplicate(comm)) {
  check_mpi(MPI_Comm_rank(comm_.get(), &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_.get(), &size_), "MPI_Comm_size");
}

void MpiTransport::send(int destination, const wire::Bytes& bytes) {
  check_mpi(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, destination, kTag,
                     comm_.get()),
            "MPI_Send");
}

std::optional<Envelope> MpiTransport::receive(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::chrono::microseconds sleep{0};
  for (;;) {
    int flag = 0;
    MPI_Status status;
    check_mpi(MPI_Iprobe(MPI_ANY_SOURCE, kTag, comm_.get(), &flag, &status), "MPI_Iprobe");
    if (flag) {
      int count = 0;
      check_mpi(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
      Envelope e{status.MPI_SOURCE, wire::Bytes(static_cast<std::size_t>(count))};
      check_mpi(MPI_Recv(e.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, kTag, comm_.get(),
                         MPI_STATUS_IGNORE),
                "MPI_Recv");
      return e;
    }
    const auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    // Back off: the first polls are immediate (a reply is often already on its way), then
    // sleeps grow to kMaxSleep.
    sleep = std::min(kMaxSleep, sleep == std::chrono::microseconds{0}
                                    ? std::chrono::microseconds{5}
                                    : sleep * 2);
    std::this_thread::sleep_for(
        std::min<Clock::duration>(sleep, deadline - now));
  }
}

}  // namespace rungs

#include "mpi_driver/mpi_transport.h"

#include <algorithm>
#include <thread>

#include "study/errors.h"

namespace rungs {

namespace {
constexpr int kTag = 17;

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw MpiError(std::string("MPI error in ") + what + ": " + std::string(text, len));
}
}  // namespace

MpiTransport::MpiTransport(MPI_Comm comm) {
  check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

MpiTransport::~MpiTransport() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void MpiTransport::send(int destination, const wire::Bytes& bytes) {
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, destination, kTag, comm_),
        "MPI_Send");
}

std::optional<Envelope> MpiTransport::receive(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::chrono::microseconds sleep{0};
  for (;;) {
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kTag, comm_, &flag, &status), "MPI_Iprobe");
    if (flag) {
      int count = 0;
      check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
      Envelope e{status.MPI_SOURCE, wire::Bytes(static_cast<std::size_t>(count))};
      check(MPI_Recv(e.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, kTag, comm_,
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

#pragma once
/// Transport over MPI point-to-point messages on a duplicate of a communicator. Open MPI's
/// blocking receive spins a core at 100%; receive() instead polls MPI_Iprobe with an
/// exponential back-off (a few microseconds up to kMaxSleep), so an idle rank uses
/// almost no CPU while answering within about a millisecond.
#include <mpi.h>

#include "mpi_driver/transport.h"
#include "trainer/communicator_mpi.h"

namespace rungs {

class MpiTransport final : public Transport {
 public:
  explicit MpiTransport(MPI_Comm comm);

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void send(int destination, const wire::Bytes& bytes) override;
  std::optional<Envelope> receive(std::chrono::milliseconds timeout) override;

  static constexpr std::chrono::microseconds kMaxSleep{1000};

 private:
  MpiComm comm_;  ///< a duplicate of the caller's, errors returned
  int rank_ = 0;
  int size_ = 0;
};

}  // namespace rungs

#pragma once
/// Transport over MPI point-to-point messages on a duplicate of a communicator. Open MPI's
/// blocking receive spins a core at 100%; receive() instead polls MPI_Iprobe with an
/// exponential back-off (a few microseconds up to kMaxSleep), so an idle rank uses
/// almost no CPU while answering within about a millisecond.
#include <mpi.h>

#include "mpi_driver/transport.h"

namespace rungs {

class MpiTransport final : public Transport {
 public:
  explicit MpiTransport(MPI_Comm comm);
  ~MpiTransport() override;
  MpiTransport(const MpiTransport&) = delete;
  MpiTransport& operator=(const MpiTransport&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void send(int destination, const wire::Bytes& bytes) override;
  std::optional<Envelope> receive(std::chrono::milliseconds timeout) override;

  static constexpr std::chrono::microseconds kMaxSleep{1000};

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 0;
};

}  // namespace rungs

#pragma once
/// How bytes move between ranks; the coordinator and worker loops see only this. MPI is one
/// implementation (mpi_transport.h); tests use in-process queues (local_transport.h).
/// One transport per rank, used from one thread.
#include <chrono>
#include <optional>

#include "study/wire.h"

namespace rungs {

struct Envelope {
  int source = -1;
  wire::Bytes bytes;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void send(int destination, const wire::Bytes& bytes) = 0;
  /// The next message from any rank, or nullopt when none came within `timeout`.
  /// Waiting must not burn a core: rank 0 shares its node with workers.
  virtual std::optional<Envelope> receive(std::chrono::milliseconds timeout) = 0;
};

}  // namespace rungs

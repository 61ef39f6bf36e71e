#pragma once
/// In-process transport: N endpoints that exchange messages through queues, one thread per
/// rank. Lets tests run the coordinator and workers together without mpirun.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "mpi_driver/transport.h"

namespace rungs {

class LocalNetwork {
 public:
  explicit LocalNetwork(int size);
  ~LocalNetwork();
  /// The endpoint of `rank`; owned by the network, which must outlive it.
  Transport& endpoint(int rank);

 private:
  struct Mailbox {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<Envelope> messages;
  };
  class Endpoint;
  std::vector<std::unique_ptr<Mailbox>> mailboxes_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

}  // namespace rungs

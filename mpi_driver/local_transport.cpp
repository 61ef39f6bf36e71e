#include "mpi_driver/local_transport.h"

namespace rungs {

class LocalNetwork::Endpoint final : public Transport {
 public:
  Endpoint(LocalNetwork& net, int rank) : net_(net), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(net_.mailboxes_.size()); }

  void send(int destination, const wire::Bytes& bytes) override {
    Mailbox& box = *net_.mailboxes_.at(static_cast<std::size_t>(destination));
    {
      std::lock_guard<std::mutex> lock(box.mutex);
      box.messages.push_back(Envelope{rank_, bytes});
    }
    box.ready.notify_one();
  }

  std::optional<Envelope> receive(std::chrono::milliseconds timeout) override {
    Mailbox& box = *net_.mailboxes_[static_cast<std::size_t>(rank_)];
    std::unique_lock<std::mutex> lock(box.mutex);
    if (!box.ready.wait_for(lock, timeout, [&] { return !box.messages.empty(); })) {
      return std::nullopt;
    }
    Envelope e = std::move(box.messages.front());
    box.messages.pop_front();
    return e;
  }

 private:
  LocalNetwork& net_;
  int rank_;
};

LocalNetwork::LocalNetwork(int size) {
  for (int r = 0; r < size; ++r) {
    mailboxes_.push_back(std::make_unique<Mailbox>());
    endpoints_.push_back(std::make_unique<Endpoint>(*this, r));
  }
}

LocalNetwork::~LocalNetwork() = default;

Transport& LocalNetwork::endpoint(int rank) { return *endpoints_.at(static_cast<std::size_t>(rank)); }

}  // namespace rungs

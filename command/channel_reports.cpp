// Reports from the client (command/client/rungs_trial.py, rungs_trial.h): JSON lines over
// the socket pair, answered with rungs' decisions. The protocol is in docs/programs.md.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "command/report_source.h"
#include "io/checkpoint_retention.h"
#include "study/checkpoint_path.h"

namespace rungs {
namespace {

using json = nlohmann::json;
constexpr int kProtocol = 1;

/// A metric's number: a JSON number, or the strings "nan", "inf", "-inf" (JSON has none).
std::optional<double> number_of(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan" || s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf" || s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-inf" || s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

class ChannelReports final : public ReportSource {
 public:
  ChannelReports(int fd, std::string stem, int start_epoch, std::ostream& log, int attempt)
      : fd_(fd), stem_(std::move(stem)), start_epoch_(start_epoch), log_(log), attempt_(attempt) {}
  ~ChannelReports() override { ::close(fd_); }
  ChannelReports(const ChannelReports&) = delete;
  ChannelReports& operator=(const ChannelReports&) = delete;

  std::vector<Report> read(int timeout_ms) override {
    std::vector<std::string> lines;
    if (eof_) {
      if (timeout_ms > 0) ::usleep(20000);
    } else {
      receive(timeout_ms, lines);
    }
    std::vector<Report> reports;
    for (const std::string& line : lines) {
      if (auto r = parse(line)) reports.push_back(std::move(*r));
    }
    return reports;
  }
  bool listens() const override { return true; }
  bool skips_repeats() const override { return false; }
  void answer(int epoch, const std::string& decision) override {
    send({{"v", kProtocol}, {"type", "decision"}, {"epoch", epoch}, {"decision", decision}});
  }
  void interrupt() override { send({{"v", kProtocol}, {"type", "interrupt"}}); }
  void recorded(const Report& report) override {
    if (report.checkpointed) remove_old_checkpoints(stem_, report.epoch, start_epoch_);
  }

 private:
  void receive(int timeout_ms, std::vector<std::string>& lines) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
      eof_ = true;
      return;
    }
    if (n > 0) {
      const int before = lines_.oversized();
      lines_.feed(buf, static_cast<std::size_t>(n), lines);
      ignored_ += lines_.oversized() - before;
    }
  }

  std::optional<Report> parse(const std::string& line) {
    json message;
    try {
      message = json::parse(line);
    } catch (const json::exception&) {
      ++ignored_;
      log_ << "attempt " << attempt_ << ": not JSON, ignored: " << line.substr(0, 200) << std::endl;
      return std::nullopt;
    }
    if (!message.is_object() || message.value("type", "") != "report") {
      if (!message.is_object() || message.value("type", "") != "hello") {
        ++ignored_;
        log_ << "attempt " << attempt_ << ": not a report, ignored: " << line.substr(0, 200)
             << std::endl;
      }
      return std::nullopt;
    }
    Report r;
    r.epoch = message.value("epoch", -1);
    const json metrics = message.value("metrics", json::object());
    if (metrics.is_object()) {
      for (const auto& [name, value] : metrics.items()) r.metrics[name] = number_of(value);
    }
    r.checkpointed = message.value("checkpoint", false) &&
                     std::filesystem::is_directory(checkpoint_folder(stem_, r.epoch));
    return r;
  }

  /// Best effort: a program that is gone does not read it anyway.
  void send(const json& message) {
    const std::string line = message.dump() + "\n";
    (void)::send(fd_, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  int fd_;
  std::string stem_;
  int start_epoch_;
  std::ostream& log_;
  int attempt_;
  LineBuffer lines_;
  bool eof_ = false;
};

}  // namespace

void LineBuffer::feed(const char* data, std::size_t size, std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      if (skipping_) ++oversized_;
      else lines.push_back(std::move(pending_));
      pending_.clear();
      skipping_ = false;
    } else if (!skipping_) {
      pending_ += data[i];
      if (pending_.size() > max_) {
        pending_.clear();
        skipping_ = true;
      }
    }
  }
}

std::unique_ptr<ReportSource> channel_reports(int fd, std::string stem, int start_epoch,
                                              std::ostream& log, int attempt) {
  return std::make_unique<ChannelReports>(fd, std::move(stem), start_epoch, log, attempt);
}

}  // namespace rungs

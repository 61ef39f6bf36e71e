// rungs_trial.h: the client a C++ training program includes to be tuned by rungs; the same
// protocol as rungs_trial.py (docs/programs.md). One header, C++17, POSIX, no dependencies.
//
//   #include "rungs_trial.h"
//   rungs_trial::Trial trial({{"lr", "0.001"}}, /*epochs without rungs*/ 10);
//   const double lr = trial.number("lr");
//   for (int epoch = trial.start_epoch() + 1; epoch <= trial.end_epoch(); ++epoch) {
//     ... train, polling trial.should_stop() between batches (exit 75 when true) ...
//     const std::string folder = trial.begin_checkpoint(epoch);  // write the state in it
//     trial.commit_checkpoint(epoch);
//     if (trial.report(epoch, {{"val_accuracy", acc}, {"val_loss", loss}}) != "continue") break;
//   }
//
// Without rungs (no RUNGS_TRIAL_FD) the defaults are the parameters, report() answers
// "continue" and checkpoints go to ./checkpoints.
//
// On a trial of several ranks (resources.ranks_per_trial), rank() and world_size() say
// which process this is; rank 0's checkpoints are the trial's, and on other ranks
// begin_checkpoint() gives a scratch folder that commit_checkpoint() throws away.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace rungs_trial {

class Trial {
 public:
  /// `defaults`: parameters (as text) when run without rungs or not set by the study.
  explicit Trial(std::map<std::string, std::string> defaults = {}, int epochs = 1)
      : params_(std::move(defaults)) {
    rank_ = std::atoi(first_env("RUNGS_GROUP_RANK", "RANK", "0").c_str());
    world_size_ = std::atoi(first_env("RUNGS_GROUP_SIZE", "WORLD_SIZE", "1").c_str());
    const char* fd = std::getenv("RUNGS_TRIAL_FD");
    if (fd == nullptr) {
      end_epoch_ = max_epochs_ = epochs;
      stem_ = "checkpoints/trial_0";
      std::filesystem::create_directories("checkpoints");
      return;
    }
    fd_ = std::atoi(fd);
    for (const auto& [k, v] : parse_flat_json(read_file(env("RUNGS_PARAMS_JSON")))) params_[k] = v;
    trial_id_ = std::atoi(env("RUNGS_TRIAL_ID").c_str());
    start_epoch_ = std::atoi(env("RUNGS_START_EPOCH").c_str());
    end_epoch_ = std::atoi(env("RUNGS_END_EPOCH").c_str());
    max_epochs_ = std::atoi(env("RUNGS_MAX_EPOCHS").c_str());
    stem_ = env("RUNGS_CHECKPOINT_STEM");
    resume_from_ = env("RUNGS_RESUME_FROM");
    trial_dir_ = env("RUNGS_TRIAL_DIR");
    send("{\"v\": 1, \"type\": \"hello\"}");
  }
  ~Trial() {
    if (fd_ >= 0) ::close(fd_);
  }
  Trial(const Trial&) = delete;
  Trial& operator=(const Trial&) = delete;

  bool under_rungs() const { return fd_ >= 0; }
  const std::map<std::string, std::string>& params() const { return params_; }
  /// A parameter as a number; throws std::out_of_range when the trial has none of that name.
  double number(const std::string& name) const { return std::stod(params_.at(name)); }
  const std::string& text(const std::string& name) const { return params_.at(name); }
  int trial_id() const { return trial_id_; }
  int start_epoch() const { return start_epoch_; }
  int end_epoch() const { return end_epoch_; }
  int max_epochs() const { return max_epochs_; }
  /// This process's rank in its trial (RANK, 0..world_size()-1) and the trial's ranks.
  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  /// The checkpoint folder to resume from; empty for a new trial.
  const std::string& resume_from() const { return resume_from_; }

  /// A fresh folder to write the state after `epoch` epochs into.
  std::string begin_checkpoint(int epoch) const {
    const std::string tmp = folder(epoch) + ".tmp";
    std::filesystem::remove_all(tmp);
    std::filesystem::create_directories(tmp);
    return tmp;
  }
  /// Commits the folder begin_checkpoint(epoch) gave: its files fsynced, renamed into place,
  /// the rename made durable. The next report says so.
  void commit_checkpoint(int epoch) const {
    namespace fs = std::filesystem;
    const std::string tmp = folder(epoch) + ".tmp", done = folder(epoch);
    if (rank_ != 0) {  // rank 0 writes the trial's checkpoints
      fs::remove_all(tmp);
      return;
    }
    for (const auto& entry : fs::recursive_directory_iterator(tmp)) sync_path(entry.path().string());
    sync_path(tmp);
    fs::remove_all(done);  // left by an earlier run of this trial
    fs::rename(tmp, done);
    sync_path(fs::path(done).parent_path().empty() ? "." : fs::path(done).parent_path().string());
  }

  /// Reports epoch `epoch` (from 1) and returns rungs' decision: "continue", "stop" or
  /// "pause". Blocks until rank 0 has recorded it.
  std::string report(int epoch, const std::vector<std::pair<std::string, double>>& metrics) {
    if (fd_ < 0) return "continue";
    struct stat st {};
    const bool checkpointed = ::stat(folder(epoch).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    std::ostringstream out;
    out << "{\"v\": 1, \"type\": \"report\", \"epoch\": " << epoch
        << ", \"checkpoint\": " << (checkpointed ? "true" : "false") << ", \"metrics\": {";
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      out << (i ? ", " : "") << quote(metrics[i].first) << ": " << number_text(metrics[i].second);
    }
    out << "}}";
    send(out.str());
    for (;;) {
      const std::string line = receive(true);
      if (line.empty()) return "stop";  // rungs is gone
      if (field(line, "type") == "interrupt") interrupted_ = true;
      if (field(line, "type") == "decision") return field(line, "decision");
    }
  }

  /// True once rungs asked this run to end early (a preemption): exit with status 75.
  bool should_stop() {
    while (fd_ >= 0 && !interrupted_) {
      const std::string line = receive(false);
      if (line.empty()) break;
      if (field(line, "type") == "interrupt") interrupted_ = true;
    }
    return interrupted_;
  }

 private:
  std::string folder(int epoch) const {
    if (rank_ != 0) {
      return (trial_dir_.empty() ? std::string(".") : trial_dir_) + "/scratch.rank" +
             std::to_string(rank_) + ".e" + std::to_string(epoch);
    }
    return stem_ + ".e" + std::to_string(epoch);
  }
  static std::string first_env(const char* name, const char* other, const char* otherwise) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') v = std::getenv(other);
    return v != nullptr && *v != '\0' ? v : otherwise;
  }

  static std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
  }
  static std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void sync_path(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  static std::string number_text(double v) {
    if (std::isnan(v)) return "\"nan\"";
    if (std::isinf(v)) return v > 0 ? "\"inf\"" : "\"-inf\"";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  /// A flat JSON object's members as text: {"lr": 0.001, "opt": "adam"} -> lr=0.001, opt=adam.
  static std::map<std::string, std::string> parse_flat_json(const std::string& s) {
    std::map<std::string, std::string> out;
    std::size_t i = s.find('{');
    while (i != std::string::npos) {
      const std::size_t k0 = s.find('"', i + 1);
      if (k0 == std::string::npos) break;
      const std::size_t k1 = s.find('"', k0 + 1);
      const std::size_t colon = s.find(':', k1);
      std::size_t v0 = s.find_first_not_of(" \t\n", colon + 1), v1;
      std::string value;
      if (s[v0] == '"') {
        v1 = s.find('"', v0 + 1);
        value = s.substr(v0 + 1, v1 - v0 - 1);
        ++v1;
      } else {
        v1 = s.find_first_of(",}", v0);
        value = s.substr(v0, v1 - v0);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\n')) value.pop_back();
      }
      out[s.substr(k0 + 1, k1 - k0 - 1)] = value;
      i = s.find(',', v1);
    }
    return out;
  }
  /// The string value of `"name": "..."` in a line rungs sent (its messages are flat).
  static std::string field(const std::string& line, const std::string& name) {
    const std::size_t at = line.find("\"" + name + "\"");
    if (at == std::string::npos) return "";
    const std::size_t v0 = line.find('"', line.find(':', at) + 1);
    const std::size_t v1 = line.find('"', v0 + 1);
    return v0 == std::string::npos || v1 == std::string::npos ? "" : line.substr(v0 + 1, v1 - v0 - 1);
  }
  void send(const std::string& message) {
    const std::string line = message + "\n";
    for (std::size_t done = 0; done < line.size();) {
      const ssize_t n = ::send(fd_, line.data() + done, line.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
  /// The next line from rungs; empty when there is none yet (non-blocking) or rungs is gone.
  std::string receive(bool block) {
    for (;;) {
      const std::size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, block ? 0 : MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  std::map<std::string, std::string> params_;
  int fd_ = -1, trial_id_ = 0, start_epoch_ = 0, end_epoch_ = 1, max_epochs_ = 1;
  int rank_ = 0, world_size_ = 1;
  std::string stem_, resume_from_, trial_dir_, buffer_;
  bool interrupted_ = false;
};

}  // namespace rungs_trial

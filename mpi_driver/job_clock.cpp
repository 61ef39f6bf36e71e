#include "mpi_driver/job_clock.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <regex>

namespace rungs {

std::optional<double> parse_slurm_duration(const std::string& text) {
  // [days-]hours[:minutes[:seconds]] with days; [[hours:]minutes:]seconds without.
  static const std::regex with_days(R"(\s*(\d+)-(\d+)(?::(\d+))?(?::(\d+))?\s*)");
  static const std::regex without(R"(\s*(?:(?:(\d+):)?(\d+):)?(\d+)\s*)");
  std::smatch m;
  const auto number = [&](int i) { return m[i].matched ? std::stod(m[i].str()) : 0.0; };
  if (std::regex_match(text, m, with_days)) {
    return number(1) * 86400 + number(2) * 3600 + number(3) * 60 + number(4);
  }
  if (std::regex_match(text, m, without)) return number(1) * 3600 + number(2) * 60 + number(3);
  return std::nullopt;
}

std::optional<double> slurm_seconds_left() {
  const char* job = std::getenv("SLURM_JOB_ID");
  if (job == nullptr || *job == '\0') return std::nullopt;
  if (const char* end = std::getenv("SLURM_JOB_END_TIME")) {
    char* rest = nullptr;
    const double at = std::strtod(end, &rest);
    if (rest != end && *rest == '\0' && at > 0) return at - static_cast<double>(std::time(nullptr));
  }
  return slurm_job_seconds_left(job);
}

std::optional<double> slurm_job_seconds_left(const std::string& id) {
  if (id.empty() || id.find_first_not_of("0123456789_") != std::string::npos) return std::nullopt;
  const std::string command = "squeue --noheader --jobs " + id + " --format %L 2>/dev/null";
  const std::unique_ptr<FILE, int (*)(FILE*)> out(::popen(command.c_str(), "r"), ::pclose);
  if (!out) return std::nullopt;
  char line[128] = {0};
  if (std::fgets(line, sizeof line, out.get()) == nullptr) return std::nullopt;
  return parse_slurm_duration(line);
}

std::optional<double> expected_epoch_seconds(const TrialRecord& trial) {
  const std::size_t n = std::min<std::size_t>(trial.curve.size(), 3);
  if (n == 0) return std::nullopt;
  std::vector<double> last;
  for (std::size_t i = trial.curve.size() - n; i < trial.curve.size(); ++i) last.push_back(trial.curve[i].seconds);
  std::sort(last.begin(), last.end());
  return n == 2 ? (last[0] + last[1]) / 2 : last[n / 2];
}

std::optional<double> shortest_expected_epoch(const std::vector<TrialRecord>& trials) {
  std::optional<double> shortest;
  for (const auto& t : trials) {
    if (t.id < 0) continue;  // a warm start's trial ran elsewhere
    const auto seconds = expected_epoch_seconds(t);
    if (seconds && (!shortest || *seconds < *shortest)) shortest = seconds;
  }
  return shortest;
}

}  // namespace rungs

// Reports from a program that has no client (objective.report.regex): its stdout file, read
// as it grows (the program writes the file itself, so it stays complete and nothing is
// ever left undrained), each line that matches being one epoch's report.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "command/report_source.h"
#include "io/fd.h"
#include "study/line_pattern.h"

namespace rungs {
namespace {

/// A named group's text as a number: "0.93", "1e-3", "nan", "inf", "-inf" (as Python
/// prints them); surrounding spaces allowed. nullopt for anything else.
std::optional<double> number_in(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  if (end == begin || errno == ERANGE) return std::nullopt;
  while (*end == ' ' || *end == '\t') ++end;
  if (*end != '\0') return std::nullopt;
  return v;
}

class OutputReports final : public ReportSource {
 public:
  OutputReports(const std::string& file, const std::string& regex, int start_epoch,
                bool resumable, std::ostream& log, int attempt)
      : fd_(Fd::open(file, O_RDONLY | O_CREAT | O_CLOEXEC, 0644)),
        pattern_(regex),
        numbered_(std::count(pattern_.names().begin(), pattern_.names().end(), "epoch") > 0),
        last_epoch_(start_epoch),
        resumable_(resumable),
        log_(log),
        attempt_(attempt) {}

  std::vector<Report> read(int timeout_ms) override {
    std::vector<std::string> lines;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // at the end of what it wrote so far
      lines_.feed(buf, static_cast<std::size_t>(n), lines);
      if (static_cast<std::size_t>(n) < sizeof buf) break;
    }
    std::vector<Report> reports;
    for (std::string& line : lines) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (auto r = parse(line)) reports.push_back(std::move(*r));
    }
    if (reports.empty() && timeout_ms > 0) ::usleep(static_cast<useconds_t>(std::min(timeout_ms, 20)) * 1000);
    return reports;
  }
  bool listens() const override { return false; }
  bool skips_repeats() const override { return numbered_; }

 private:
  std::optional<Report> parse(const std::string& line) {
    auto groups = pattern_.match(line);
    if (!groups) return std::nullopt;  // the program's other output
    Report r;
    r.checkpointed = resumable_;
    r.epoch = last_epoch_ + 1;
    for (const auto& [name, text] : *groups) {
      if (name != "epoch") {
        r.metrics[name] = number_in(text);
        continue;
      }
      char* end = nullptr;
      const long epoch = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || epoch < 0 || epoch > 1'000'000'000) {
        ++ignored_;
        log_ << "attempt " << attempt_ << ": its epoch is not a number, ignored: "
             << line.substr(0, 200) << std::endl;
        return std::nullopt;
      }
      r.epoch = static_cast<int>(epoch);
    }
    last_epoch_ = r.epoch;
    return r;
  }

  Fd fd_;
  LinePattern pattern_;
  bool numbered_;   ///< the pattern has a group `epoch`
  int last_epoch_;  ///< the epoch of the last matching line (or where the run started)
  bool resumable_;
  std::ostream& log_;
  int attempt_;
  LineBuffer lines_;
};

}  // namespace

std::unique_ptr<ReportSource> output_reports(const std::string& stdout_file,
                                             const std::string& regex, int start_epoch,
                                             bool resumable, std::ostream& log, int attempt) {
  return std::make_unique<OutputReports>(stdout_file, regex, start_epoch, resumable, log, attempt);
}

}  // namespace rungs

#pragma once
/// Where a program's epoch reports come from (internal to command/). Two sources: the
/// client's JSON lines over a socket pair, which also carries rungs' decisions to the
/// program (channel_reports), and the lines the program prints, matched by
/// objective.report.regex, for a program that hears nothing and is ended with signals
/// (output_reports). ProgramRun (program_run.h) drives either one through the same lifecycle.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace rungs {

/// A report's metrics by name; nullopt: the program gave something that is not a number.
using Metrics = std::map<std::string, std::optional<double>>;

struct Report {
  int epoch = 0;
  Metrics metrics;
  bool checkpointed = false;  ///< a later run can resume from the state after this epoch
};

class ReportSource {
 public:
  virtual ~ReportSource() = default;
  /// Waits up to `timeout_ms` for output; the reports that came, in order. Lines that should
  /// have been reports and are not are counted (ignored()) and logged.
  virtual std::vector<Report> read(int timeout_ms) = 0;
  /// Whether the program hears rungs (answer(), interrupt()); false: rungs can only signal it.
  virtual bool listens() const = 0;
  /// Whether a report of an epoch that is already recorded is skipped (a resumed program
  /// going over epochs it had done) rather than failing the trial.
  virtual bool skips_repeats() const = 0;
  /// rungs' decision on the report of `epoch`: "continue", "stop" or "pause".
  virtual void answer(int /*epoch*/, const std::string& /*decision*/) {}
  /// Asks the program to end early (a preemption).
  virtual void interrupt() {}
  /// `report` was recorded by rank 0.
  virtual void recorded(const Report& /*report*/) {}
  int ignored() const { return ignored_; }

 protected:
  int ignored_ = 0;
};

/// Splits bytes into lines ('\n'); a line longer than `max` bytes is dropped (counted).
class LineBuffer {
 public:
  explicit LineBuffer(std::size_t max = std::size_t{1} << 20) : max_(max) {}
  void feed(const char* data, std::size_t size, std::vector<std::string>& lines);
  int oversized() const { return oversized_; }

 private:
  std::size_t max_;
  std::string pending_;
  bool skipping_ = false;
  int oversized_ = 0;
};

/// The client's channel: `fd` is rungs' end of the socket pair (owned from here on);
/// `stem` names the trial's checkpoint folders, whose old ones go once a newer is recorded.
std::unique_ptr<ReportSource> channel_reports(int fd, std::string stem, int start_epoch,
                                              std::ostream& log, int attempt);

/// The program's stdout, `stdout_file` (created here if need be; the program appends to
/// it), read as it grows. `regex` (objective.report.regex, valid) names the metrics; without
/// a group `epoch` the matching lines count up from `start_epoch`. `resumable`: a later run
/// resumes the program where it reported (objective.resume_args). Throws IoError.
std::unique_ptr<ReportSource> output_reports(const std::string& stdout_file,
                                             const std::string& regex, int start_epoch,
                                             bool resumable, std::ostream& log, int attempt);

}  // namespace rungs

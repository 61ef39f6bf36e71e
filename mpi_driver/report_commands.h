#pragma once
/// The read-only subcommands on a study.h5: `status`, `export` and `report` (their logic is
/// in report/). They open the file read-only and never disturb a study that is writing it.
/// Bad input (a missing or foreign file, an unwritable output) throws ConfigError: one
/// line naming the file, exit status 2.
#include <CLI/CLI.hpp>

#include <string>

namespace rungs {

/// Registers the three subcommands on `app` and runs the one that was given.
class ReportCommands {
 public:
  explicit ReportCommands(CLI::App& app);

  /// True when the command line named one of these subcommands.
  bool parsed() const;
  /// Runs it; returns the exit status.
  int run() const;

 private:
  CLI::App* status_;
  CLI::App* export_;
  CLI::App* report_;
  std::string status_file_, export_file_, csv_, curves_, report_file_, html_;
};

int command_status(const std::string& study_h5);
int command_export(const std::string& study_h5, const std::string& csv, const std::string& curves);
int command_report(const std::string& study_h5, const std::string& html);

}  // namespace rungs

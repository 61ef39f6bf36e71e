#pragma once
/// The read-only subcommands on a study.h5: `status`, `export` and `report` (their logic is
/// in report/). They open the file read-only and never disturb a study that is writing it.
/// Bad input (a missing or foreign file, an unwritable output) throws ConfigError: one
/// line naming the file, exit status 2.
#include <CLI/CLI.hpp>

#include <string>

namespace rungs {

/// How best and status print: text for people, or one JSON object or CSV row for programs.
enum class OutputFormat { Table, Json, Csv };

/// Registers best, status, export and report on `app` and runs the one that was given.
class ReportCommands {
 public:
  explicit ReportCommands(CLI::App& app);

  /// True when the command line named one of these subcommands.
  bool parsed() const;
  /// Runs it; returns the exit status.
  int run() const;

 private:
  CLI::App* best_;
  CLI::App* status_;
  CLI::App* export_;
  CLI::App* report_;
  std::string best_file_, status_file_, export_file_, csv_, curves_, report_file_, html_;
  OutputFormat best_format_ = OutputFormat::Table, status_format_ = OutputFormat::Table;
  double watch_ = 0;
  bool best_yaml_ = false;
};

/// The study.h5 a command line names: the file itself, the run folder that holds it, or the
/// study file (YAML) whose output it is. Throws ConfigError for a folder without one.
std::string resolve_study_h5(const std::string& given);

int command_best(const std::string& study_h5, OutputFormat format);
/// `rungs best --yaml`: prints a study file that trains the best trial's configuration again
/// (report/retrain_study.h); ConfigError when no trial has a result yet.
int command_best_yaml(const std::string& study_h5);
/// `watch_seconds` > 0: print again every so many seconds until the study is no longer
/// running (text: the screen is cleared first when stdout is a terminal).
int command_status(const std::string& study_h5, OutputFormat format, double watch_seconds = 0);
int command_export(const std::string& study_h5, const std::string& csv, const std::string& curves);
int command_report(const std::string& study_h5, const std::string& html);

}  // namespace rungs

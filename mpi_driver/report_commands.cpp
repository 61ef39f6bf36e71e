#include "mpi_driver/report_commands.h"

#include <chrono>
#include <iostream>

#include "report/export.h"
#include "report/html_report.h"
#include "report/status.h"
#include "report/study_view.h"
#include "study/errors.h"

namespace rungs {
namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

ReportCommands::ReportCommands(CLI::App& app) {
  status_ = app.add_subcommand("status", "Show a study's progress (while it runs, too): rungs status runs/NAME/study.h5");
  status_->add_option("study_h5", status_file_, "The study's HDF5 file")->required();

  export_ = app.add_subcommand("export", "Write a study's trials and learning curves as CSV: "
                                         "rungs export STUDY.h5 --csv trials.csv --curves curves.csv");
  export_->add_option("study_h5", export_file_, "The study's HDF5 file")->required();
  export_->add_option("--csv", csv_, "One row per trial: number, value, params_NAME, state, ...");
  export_->add_option("--curves", curves_, "One row per reported epoch: number, epoch, value, ...");

  report_ = app.add_subcommand("report", "Write a self-contained HTML report (opens offline): "
                                         "rungs report STUDY.h5 -o report.html");
  report_->add_option("study_h5", report_file_, "The study's HDF5 file")->required();
  report_->add_option("-o,--output", html_, "The HTML file to write")->required();
}

bool ReportCommands::parsed() const { return *status_ || *export_ || *report_; }

int ReportCommands::run() const {
  if (*status_) return command_status(status_file_);
  if (*export_) return command_export(export_file_, csv_, curves_);
  return command_report(report_file_, html_);
}

int command_status(const std::string& study_h5) {
  std::cout << report::format_status(report::load_study_view(study_h5), unix_now());
  return 0;
}

int command_export(const std::string& study_h5, const std::string& csv, const std::string& curves) {
  if (csv.empty() && curves.empty()) {
    throw ConfigError("rungs export " + study_h5 + ": nothing to write; give --csv FILE, --curves FILE or both");
  }
  const report::StudyView view = report::load_study_view(study_h5);
  if (!csv.empty()) {
    const report::Table table = report::trials_table(view);
    report::write_csv_file(table, csv);
    std::cout << csv << ": " << table.rows.size() << " trials, " << table.columns.size() << " columns\n";
  }
  if (!curves.empty()) {
    const report::Table table = report::curves_table(view);
    report::write_csv_file(table, curves);
    std::cout << curves << ": " << table.rows.size() << " epochs of " << view.stored.trials.size() << " trials\n";
  }
  return 0;
}

int command_report(const std::string& study_h5, const std::string& html) {
  const report::StudyView view = report::load_study_view(study_h5);
  report::write_report_file(view, html, unix_now());
  std::cout << html << ": report of study " << view.stored.name << " (" << view.stored.trials.size()
            << " trials); open it in a browser, no network needed\n";
  return 0;
}

}  // namespace rungs

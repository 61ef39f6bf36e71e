#include "mpi_driver/report_commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "mpi_driver/job_clock.h"
#include "report/export.h"
#include "report/html_report.h"
#include "report/pareto_front.h"
#include "report/records.h"
#include "report/retrain_study.h"
#include "report/status.h"
#include "report/study_view.h"
#include "study/config.h"
#include "study/errors.h"
#include "study/lineage.h"

namespace rungs {
namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string resolve_study_h5(const std::string& given) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(given, ec)) {
    const std::string file = (fs::path(given) / "study.h5").string();
    if (!fs::exists(file, ec)) throw ConfigError(given + ": a folder without a study.h5");
    return file;
  }
  const std::string extension = fs::path(given).extension().string();
  if (extension == ".yaml" || extension == ".yml") return load_study_config(given).study_file();
  return given;
}

constexpr const char* kStudyArgument =
    "The study: its study.h5, the run folder that holds it, or the study file (YAML)";

ReportCommands::ReportCommands(CLI::App& app) {
  const std::map<std::string, OutputFormat> formats{
      {"table", OutputFormat::Table}, {"json", OutputFormat::Json}, {"csv", OutputFormat::Csv}};
  const char* format_help = "table (for people), json (one object) or csv (a header and a row)";
  best_ = app.add_subcommand("best", "Show the best trial of a study: rungs best runs/NAME");
  best_->add_option("study", best_file_, kStudyArgument)->required();
  CLI::Option* best_format = best_->add_option("--format", best_format_, format_help)
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));
  best_->add_flag("--yaml", best_yaml_,
                  "Print a study file that trains the best configuration again, from scratch "
                  "(rungs best STUDY --yaml > best.yaml; rungs run best.yaml)")
      ->excludes(best_format);

  status_ = app.add_subcommand("status", "Show a study's progress (while it runs, too): rungs status runs/NAME/study.h5");
  status_->add_option("study", status_file_, kStudyArgument)->required();
  status_->add_option("--format", status_format_, format_help)
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));
  status_->add_option("--watch", watch_,
                      "Print again every SECONDS until the study is no longer running")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);

  export_ = app.add_subcommand("export", "Write a study's trials and learning curves as CSV: "
                                         "rungs export STUDY.h5 --csv trials.csv --curves curves.csv");
  export_->add_option("study", export_file_, kStudyArgument)->required();
  export_->add_option("--csv", csv_, "One row per trial: number, value, params_NAME, state, ...");
  export_->add_option("--curves", curves_, "One row per reported epoch: number, epoch, value, ...");

  report_ = app.add_subcommand("report", "Write a self-contained HTML report (opens offline): "
                                         "rungs report STUDY.h5 -o report.html");
  report_->add_option("study", report_file_, kStudyArgument)->required();
  report_->add_option("-o,--output", html_, "The HTML file to write")->required();
}

bool ReportCommands::parsed() const { return *best_ || *status_ || *export_ || *report_; }

int ReportCommands::run() const {
  if (*best_ && best_yaml_) return command_best_yaml(resolve_study_h5(best_file_));
  if (*best_) return command_best(resolve_study_h5(best_file_), best_format_);
  if (*status_) return command_status(resolve_study_h5(status_file_), status_format_, watch_);
  if (*export_) return command_export(resolve_study_h5(export_file_), csv_, curves_);
  return command_report(resolve_study_h5(report_file_), html_);
}

int command_best(const std::string& study_h5, OutputFormat format) {
  const report::StudyView view = report::load_study_view(study_h5);
  if (format == OutputFormat::Json) return std::cout << report::best_record(view).json(), 0;
  if (format == OutputFormat::Csv) return std::cout << report::best_record(view).csv(), 0;
  const StoredStudy& s = view.stored;
  const TrialRecord* best = best_trial(s.trials, s.direction);
  int done = 0;
  for (const auto& t : s.trials) done += is_finished(t.status) ? 1 : 0;
  std::cout << "study " << s.name << " (" << s.state << "): " << s.trials.size() << " trials, "
            << done << " finished\n";
  if (!best) {
    std::cout << "no trial has a result yet\n";
    return 0;
  }
  std::printf("best trial %d: %s %.4f (%s) after %d epochs, rung %d, %s\n", best->id,
              s.metric.c_str(), *best->best_value(s.direction), to_string(s.direction),
              best->epochs_run(), best->rung, to_string(best->status));
  for (const auto& [name, value] : best->params) {
    std::cout << "  " << name << ": " << to_string(value) << "\n";
  }
  for (std::size_t i = 0; i < best->segments.size(); ++i) {
    const Segment& segment = best->segments[i];
    const int end = i + 1 < best->segments.size() ? best->segments[i + 1].start_epoch : best->epochs_run();
    std::cout << (i == 0 ? "schedule:\n" : "") << "  epochs " << segment.start_epoch + 1 << "-" << end << ": "
              << to_string(segment.params);
    if (segment.clone_trial >= 0) {
      std::cout << " (from trial " << segment.clone_trial << " at epoch " << segment.clone_epoch << ")";
    }
    std::cout << "\n";
  }
  if (!best->segments.empty()) {
    std::cout << "lineage: " << describe_lineage(best->id, lineage(s.trials, best->id)) << "\n";
  }
  const std::string checkpoint = report::best_checkpoint(study_h5, *best);
  if (!checkpoint.empty()) std::cout << "checkpoint: " << checkpoint << "\n";
  if (s.test && s.test->trial_id == best->id) {
    std::printf("test accuracy (held out, not used for tuning): %.4f\n", s.test->accuracy);
  }
  std::fflush(stdout);
  std::cout << report::format_front(view) << std::flush;
  return 0;
}

int command_best_yaml(const std::string& study_h5) {
  const report::StudyView view = report::load_study_view(study_h5);
  const StoredStudy& study = view.stored;
  const TrialRecord* best = best_trial(study.trials, study.direction);
  if (!best) throw ConfigError(study_h5 + ": no trial has a result yet, so there is no best configuration");
  std::cout << report::retrain_study_yaml(study, *best) << std::flush;
  return 0;
}

int command_status(const std::string& study_h5, OutputFormat format, double watch_seconds) {
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  for (;;) {
    report::StudyView view = report::load_study_view(study_h5);
    if (view.lock && !view.slurm_job_id.empty()) {
      view.job_seconds_left = slurm_job_seconds_left(view.slurm_job_id);
    }
    if (format == OutputFormat::Json) {
      std::cout << report::status_record(view).json();
    } else if (format == OutputFormat::Csv) {
      std::cout << report::status_record(view).csv();
    } else {
      if (watch_seconds > 0 && terminal) std::cout << "\033[H\033[2J";  // clear the screen
      std::cout << report::format_status(view, unix_now());
    }
    std::cout << std::flush;
    if (watch_seconds <= 0 || view.stored.state != "running") return 0;
    std::this_thread::sleep_for(std::chrono::duration<double>(watch_seconds));
    if (!terminal && format == OutputFormat::Table) std::cout << "\n";
  }
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

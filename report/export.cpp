#include "report/export.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

#include "report/csv.h"
#include "study/errors.h"

namespace rungs::report {
namespace {

/// The epoch whose value is the trial's value (the first one, on ties); nullptr when none.
const EpochResult* best_epoch(const TrialRecord& trial, Direction direction) {
  const std::optional<double> value = trial_value(trial, direction);
  if (!value) return nullptr;
  for (const EpochResult& epoch : trial.curve) {
    if (epoch.value == *value) return &epoch;
  }
  return nullptr;
}

std::string integer(long long value) { return std::to_string(value); }

}  // namespace

std::string iso_utc(double unix_seconds) {
  if (unix_seconds <= 0 || !std::isfinite(unix_seconds)) return "";
  long long millis = std::llround(unix_seconds * 1000.0);
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  millis %= 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return text;
}

Table trials_table(const StudyView& view) {
  const Direction direction = view.stored.direction;
  Table table;
  table.columns = {"number", "value", "datetime_start", "datetime_complete", "duration"};
  for (const std::string& name : view.param_names) table.columns.push_back("params_" + name);
  for (const char* column : {"state", "best_epoch", "val_accuracy", "val_loss", "train_loss",
                             "last_value", "epochs", "max_epochs", "rung", "worker", "seed",
                             "reason"}) {
    table.columns.push_back(column);
  }
  for (const TrialRecord& t : view.stored.trials) {
    std::vector<std::string> row;
    const std::optional<double> value = trial_value(t, direction);
    const bool ended = is_finished(t.status) && t.end_time > 0;
    row.push_back(integer(t.id));
    row.push_back(value ? csv_number(*value) : "");
    row.push_back(iso_utc(t.start_time));
    row.push_back(ended ? iso_utc(t.end_time) : "");
    row.push_back(ended ? csv_number(t.end_time - t.start_time) : "");
    for (const std::string& name : view.param_names) {
      const auto found = t.params.find(name);
      row.push_back(found == t.params.end() ? "" : to_string(found->second));
    }
    row.push_back(to_string(t.status));
    const EpochResult* best = best_epoch(t, direction);
    row.push_back(best ? integer(best->epoch) : "");
    row.push_back(best ? csv_number(best->val_accuracy) : "");
    row.push_back(best ? csv_number(best->val_loss) : "");
    row.push_back(best ? csv_number(best->train_loss) : "");
    const std::optional<double> last = t.last_value();
    row.push_back(last ? csv_number(*last) : "");
    row.push_back(integer(t.epochs_run()));
    row.push_back(integer(t.max_epochs));
    row.push_back(integer(t.rung));
    row.push_back(integer(t.worker));
    row.push_back(std::to_string(t.seed));
    row.push_back(t.reason);
    table.rows.push_back(std::move(row));
  }
  return table;
}

Table curves_table(const StudyView& view) {
  Table table;
  table.columns = {"number", "epoch", "value", "val_accuracy", "val_loss", "train_loss",
                   "seconds", "time"};
  for (const TrialRecord& t : view.stored.trials) {
    for (const EpochResult& e : t.curve) {
      table.rows.push_back({integer(t.id), integer(e.epoch), csv_number(e.value),
                            csv_number(e.val_accuracy), csv_number(e.val_loss),
                            csv_number(e.train_loss), csv_number(e.seconds), csv_number(e.time)});
    }
  }
  return table;
}

void write_csv_file(const Table& table, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw ConfigError(path + ": cannot write (" + std::strerror(errno) + ")");
  write_csv_row(out, table.columns);
  for (const auto& row : table.rows) write_csv_row(out, row);
  out.close();
  if (!out) throw ConfigError(path + ": writing failed (" + std::strerror(errno) + ")");
}

}  // namespace rungs::report

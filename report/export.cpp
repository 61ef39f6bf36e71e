#include "report/export.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <type_traits>

#include "report/csv.h"
#include "study/errors.h"

namespace rungs::report {
namespace {

std::string integer(long long value) { return std::to_string(value); }

/// A column per metric: its name, or metric_NAME when one of the table's other columns
/// (`taken`) has that name.
std::vector<std::string> metric_columns(const std::vector<std::string>& metrics,
                                        const std::vector<std::string>& taken) {
  std::vector<std::string> columns;
  for (const std::string& name : metrics) {
    const bool clash = std::find(taken.begin(), taken.end(), name) != taken.end();
    columns.push_back(clash ? "metric_" + name : name);
  }
  return columns;
}

/// A cell per metric of `epoch`, in `metrics` order: empty where it has none.
void add_metric_cells(std::vector<std::string>& row, const EpochResult* epoch,
                      const std::vector<std::string>& metrics) {
  for (const std::string& name : metrics) {
    const std::optional<double> v = epoch ? epoch->metric(name) : std::nullopt;
    row.push_back(v ? csv_number(*v) : "");
  }
}

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
  table.columns.push_back("state");
  table.columns.push_back("best_epoch");
  const std::vector<std::string> tail = {"last_value", "epochs", "max_epochs", "rung",
                                         "worker",     "seed",   "reason"};
  std::vector<std::string> taken = table.columns;
  taken.insert(taken.end(), tail.begin(), tail.end());
  for (std::string& column : metric_columns(view.metric_names, taken)) {
    table.columns.push_back(std::move(column));
  }
  table.columns.insert(table.columns.end(), tail.begin(), tail.end());
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
    add_metric_cells(row, best, view.metric_names);
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
  table.columns = {"number"};
  for_each_stored_field(EpochResult{}, [&](std::size_t, const char* name, const auto& member) {
    if constexpr (!std::is_same_v<std::decay_t<decltype(member)>, std::vector<Metric>>) {
      table.columns.push_back(name);
    }
  });
  for (std::string& column : metric_columns(view.metric_names, table.columns)) {
    table.columns.push_back(std::move(column));
  }
  for (const TrialRecord& t : view.stored.trials) {
    for (const EpochResult& e : t.curve) {
      std::vector<std::string> row = {integer(t.id)};
      for_each_stored_field(e, [&](std::size_t, const char*, const auto& member) {
        using T = std::decay_t<decltype(member)>;
        if constexpr (std::is_same_v<T, int>) row.push_back(integer(member));
        else if constexpr (std::is_same_v<T, double>) row.push_back(csv_number(member));
      });
      add_metric_cells(row, &e, view.metric_names);
      table.rows.push_back(std::move(row));
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

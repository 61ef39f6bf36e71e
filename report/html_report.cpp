#include "report/html_report.h"

#include <limits>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "report/assets.h"
#include "report/export.h"
#include "report/json.h"
#include "report/summary.h"
#include "study/version.h"
#include "study/errors.h"

namespace rungs::report {
namespace {

void write_value(JsonWriter& json, const ParamValue& value) {
  struct Visitor {
    JsonWriter& json;
    void operator()(bool b) const { json.value(b); }
    void operator()(std::int64_t i) const { json.value(i); }
    void operator()(double d) const { json.value(d); }
    void operator()(const std::string& s) const { json.value(s); }
  };
  std::visit(Visitor{json}, value);
}

void write_study(JsonWriter& json, const StudyView& view, double now) {
  const StoredStudy& s = view.stored;
  json.key("study").begin_object();
  json.key("name").value(s.name);
  json.key("path").value(view.path);
  json.key("metric").value(s.metric);
  json.key("metrics").begin_array();
  for (const std::string& name : view.metric_names) json.value(name);
  json.end_array();
  json.key("direction").value(to_string(s.direction));
  json.key("state").value(s.state);
  json.key("start_time").value(iso_utc(s.start_time));
  json.key("elapsed").value(s.elapsed);
  json.key("slurm_job_id").value(view.slurm_job_id);
  json.key("scheduler").value(view.scheduler);
  json.key("max_trials").value(view.max_trials);
  json.key("max_epochs").value(view.max_epochs);
  json.key("generated").value(iso_utc(now));
  json.key("rungs_version").value(kVersion);
  json.key("plotly_version").value(RUNGS_PLOTLY_VERSION);
  if (s.test) {
    json.key("test").begin_object();
    json.key("trial").value(s.test->trial_id);
    json.key("accuracy").value(s.test->accuracy);
    json.key("loss").value(s.test->loss);
    json.end_object();
  }
  json.end_object();
}

void write_space(JsonWriter& json, const StudyView& view) {
  json.key("params").begin_array();
  for (const std::string& name : view.param_names) {
    const ParamSpec* spec = view.space ? view.space->find(name) : nullptr;
    json.begin_object();
    json.key("name").value(name);
    if (spec == nullptr) {
      json.key("kind").value("unknown");
    } else {
      json.key("kind").value(to_string(spec->kind));
      if (spec->kind == ParamKind::Categorical) {
        json.key("choices").begin_array();
        for (const ParamValue& choice : spec->choices) write_value(json, choice);
        json.end_array();
      } else {
        json.key("low").value(spec->low);
        json.key("high").value(spec->high);
        json.key("log").value(spec->log);
      }
      json.key("conditional").value(spec->when.has_value());
    }
    json.end_object();
  }
  json.end_array();
}

void write_trials(JsonWriter& json, const StudyView& view) {
  json.key("trials").begin_array();
  for (const TrialRecord& t : view.stored.trials) {
    json.begin_object();
    json.key("id").value(t.id);
    json.key("status").value(to_string(t.status));
    const std::optional<double> value = trial_value(t, view.stored.direction);
    json.key("value");
    if (value) {
      json.value(*value);
    } else {
      json.null();
    }
    json.key("rung").value(t.rung);
    json.key("worker").value(t.worker);
    json.key("epochs").value(t.epochs_run());
    json.key("max_epochs").value(t.max_epochs);
    json.key("duration");  // seconds; null until it ends
    if (is_finished(t.status) && t.end_time > 0) {
      json.value(t.end_time - t.start_time);
    } else {
      json.null();
    }
    json.key("reason").value(t.reason);
    json.key("params").begin_object();
    for (const std::string& name : view.param_names) {
      const auto found = t.params.find(name);
      if (found == t.params.end()) continue;
      json.key(name);
      write_value(json, found->second);
    }
    json.end_object();
    std::vector<double> epochs, values, times;
    for (const EpochResult& e : t.curve) {
      epochs.push_back(e.epoch);
      values.push_back(e.value);
      times.push_back(e.time);
    }
    json.key("curve").begin_object();
    json.key("epoch").array(epochs).key("value").array(values).key("time").array(times);
    json.key("metrics").begin_object();  // NAME: one value per epoch, null where none
    for (const std::string& name : view.metric_names) {
      std::vector<double> metric;
      for (const EpochResult& e : t.curve) {
        metric.push_back(e.metric(name).value_or(std::numeric_limits<double>::quiet_NaN()));
      }
      json.key(name).array(metric);
    }
    json.end_object();
    json.end_object();
    json.end_object();
  }
  json.end_array();
}

void write_history(JsonWriter& json, const char* key, const std::vector<HistoryPoint>& points) {
  json.key(key).begin_object();
  std::vector<int> ids;
  std::vector<double> times, values, best;
  for (const HistoryPoint& p : points) {
    ids.push_back(p.trial_id);
    times.push_back(p.time);
    values.push_back(p.value);
    best.push_back(p.best_so_far);
  }
  json.key("trial").array(ids).key("time").array(times).key("value").array(values);
  json.key("best").array(best);
  json.end_object();
}

void write_importance(JsonWriter& json, const ImportanceResult& importance) {
  json.key("importance").begin_object();
  json.key("params").begin_array();
  for (const ParamImportance& p : importance.params) {
    json.begin_object().key("name").value(p.name).key("importance").value(p.importance).end_object();
  }
  json.end_array();
  json.key("left_out").array(importance.left_out);
  json.key("trials_used").value(importance.trials_used);
  json.key("budget").value(importance.budget);
  json.key("note").value(importance.note);
  json.end_object();
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// Appends `template_text` up to the marker "<!--RUNGS:name-->", then `content`; returns
/// the position after the marker.
std::size_t fill(std::string& out, std::string_view template_text, std::size_t from,
                 const std::string& name, std::string_view content) {
  const std::string marker = "<!--RUNGS:" + name + "-->";
  const std::size_t at = template_text.find(marker, from);
  if (at == std::string_view::npos) throw Error("report template has no marker " + marker);
  out.append(template_text.substr(from, at - from));
  out.append(content);
  return at + marker.size();
}

}  // namespace

std::string report_data_json(const StudyView& view, const ImportanceResult& importance, double now) {
  JsonWriter json;
  json.begin_object();
  write_study(json, view, now);
  write_space(json, view);
  write_trials(json, view);
  write_history(json, "history_by_trial", history_by_trial(view.stored.trials, view.stored.direction));
  write_history(json, "history_over_time", history_over_time(view.stored.trials, view.stored.direction));
  write_importance(json, importance);
  json.end_object();
  return json.str();
}

std::string render_report(const StudyView& view, double now) {
  const std::string data = report_data_json(view, parameter_importance(view), now);
  const std::string_view page = assets::report_template();
  std::string out;
  out.reserve(page.size() + assets::plotly_js().size() + data.size() + 100000);
  // The markers appear in this order in report.html.
  std::size_t at = fill(out, page, 0, "TITLE", html_escape("rungs report: " + view.stored.name));
  at = fill(out, page, at, "CSS", assets::report_css());
  at = fill(out, page, at, "PLOTLY", assets::plotly_js());
  at = fill(out, page, at, "DATA", data);
  at = fill(out, page, at, "SCRIPT", assets::report_js());
  out.append(page.substr(at));
  return out;
}

void write_report_file(const StudyView& view, const std::string& path, double now) {
  const std::string html = render_report(view, now);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw ConfigError(path + ": cannot write (" + std::strerror(errno) + ")");
  out << html;
  out.close();
  if (!out) throw ConfigError(path + ": writing failed (" + std::strerror(errno) + ")");
}

}  // namespace rungs::report

#pragma once
/// `rungs report STUDY.h5 -o report.html`: one self-contained HTML file (plotly.js, the
/// drawing script and the study's data inlined; nothing fetched, so it opens offline) with
/// the optimization history, the learning curves by final status, parallel coordinates and
/// parameter importance (importance.h).
#include <string>

#include "report/importance.h"
#include "report/study_view.h"

namespace rungs::report {

/// The data the page draws, as JSON: the study's attributes, its search space, every
/// trial (parameters, status, value, learning curve), the two optimization histories and
/// the importances. `now` (unix seconds) is recorded as the report's time.
std::string report_data_json(const StudyView& view, const ImportanceResult& importance, double now);

/// The whole HTML page.
std::string render_report(const StudyView& view, double now);

/// Writes render_report() to `path`. Throws ConfigError naming the file when it cannot be
/// written (-o is the user's input).
void write_report_file(const StudyView& view, const std::string& path, double now);

}  // namespace rungs::report

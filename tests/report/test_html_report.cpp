// The HTML page as a file: self-contained, with the data inlined safely. (What a browser
// draws from it is checked in test_report_cli.py with headless Chromium.)
#include <gtest/gtest.h>

#include "report/assets.h"
#include "report/html_report.h"
#include "synthetic_study.h"

namespace rungs::report {
namespace {

StudyView synthetic_view() {
  testing::SyntheticOptions options;
  options.trials = 16;
  options.awkward_text = true;
  return make_study_view(testing::synthetic_study(options).stored());
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(HtmlReport, InlinesPlotlyTheScriptAndTheData) {
  const std::string html = render_report(synthetic_view(), 1.8e9);
  EXPECT_NE(html.find(std::string(assets::plotly_js().substr(0, 200))), std::string::npos);
  EXPECT_NE(html.find("<script type=\"application/json\" id=\"study-data\">{\"study\":{\"name\":\"synthetic\""),
            std::string::npos);
  EXPECT_NE(html.find("\"plotly_version\":\"" RUNGS_TEST_PLOTLY_VERSION "\""), std::string::npos);
  EXPECT_EQ(html.find("<!--RUNGS:"), std::string::npos);
  EXPECT_EQ(count(html, "<script"), 3u);  // plotly, data, drawing code
  EXPECT_EQ(count(html, "</script>"), 3u);
}

TEST(HtmlReport, ReferencesNothingOnTheNetwork) {
  // plotly.js holds link texts of its own (checked in a browser without network instead).
  std::string html = render_report(synthetic_view(), 1.8e9);
  const std::string_view plotly = assets::plotly_js();
  html.erase(html.find(std::string(plotly)), plotly.size());
  for (const char* reference : {"src=\"http", "src='http", "href=\"http", "href='http", "@import",
                                "<link", "<iframe"}) {
    EXPECT_EQ(html.find(reference), std::string::npos) << reference;
  }
}

TEST(HtmlReport, StudyTextCannotBreakOutOfThePage) {
  StudyView view = synthetic_view();
  view.stored.name = "x</script><script>alert(1)</script>";
  view.stored.trials[0].reason = "<!-- <script>";
  const std::string html = render_report(view, 1.8e9);
  EXPECT_EQ(count(html, "<script"), 3u);
  EXPECT_EQ(count(html, "</script>"), 3u);
  EXPECT_NE(html.find("<title>rungs report: x&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>"),
            std::string::npos);
}

TEST(HtmlReport, DataHoldsEveryTrialAndTheImportances) {
  const StudyView view = synthetic_view();
  const std::string json = report_data_json(view, parameter_importance(view), 1.8e9);
  EXPECT_EQ(count(json, "{\"id\":"), view.stored.trials.size());
  EXPECT_NE(json.find("\"importance\":{\"params\":[{\"name\":\"lr\""), std::string::npos) << json.substr(json.find("\"importance\""));
  EXPECT_NE(json.find("\"with, comma\""), std::string::npos);
  EXPECT_NE(json.find("\"generated\":\"2027-01-15T08:00:00.000Z\""), std::string::npos);
}

}  // namespace
}  // namespace rungs::report

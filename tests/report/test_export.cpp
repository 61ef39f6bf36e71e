// The trials and curves tables of `rungs export` (the pandas round trip is in
// test_report_cli.py).
#include <gtest/gtest.h>

#include <algorithm>

#include "report/export.h"
#include "study/errors.h"
#include "synthetic_study.h"

namespace rungs::report {
namespace {

StudyView study_view(bool running = false) {
  testing::SyntheticOptions options;
  options.trials = 12;
  options.running = running;
  options.awkward_text = true;
  return make_study_view(testing::synthetic_study(options).stored());
}

std::size_t column(const Table& table, const std::string& name) {
  const auto found = std::find(table.columns.begin(), table.columns.end(), name);
  EXPECT_NE(found, table.columns.end()) << name;
  return static_cast<std::size_t>(found - table.columns.begin());
}

TEST(Export, TimesAreIsoUtcWithMilliseconds) {
  EXPECT_EQ(iso_utc(1.5e9), "2017-07-14T02:40:00.000Z");
  EXPECT_EQ(iso_utc(1.5e9 + 0.25), "2017-07-14T02:40:00.250Z");
  EXPECT_EQ(iso_utc(0), "");
}

TEST(Export, TrialsTableHasOptunasColumnsThenRungsOwn) {
  const Table table = trials_table(study_view());
  const std::vector<std::string> head(table.columns.begin(), table.columns.begin() + 13);
  EXPECT_EQ(head, (std::vector<std::string>{"number", "value", "datetime_start", "datetime_complete",
                                            "duration", "params_lr", "params_dropout", "params_layers",
                                            "params_optimizer", "params_momentum", "params_batch_size",
                                            "params_note", "state"}));
  EXPECT_EQ(table.columns.back(), "reason");
  EXPECT_EQ(table.rows.size(), 12u);
}

TEST(Export, RowsHoldEachTrialsValueParametersAndState) {
  const StudyView view = study_view();
  const Table table = trials_table(view);
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const TrialRecord& t = view.stored.trials[i];
    const auto& row = table.rows[i];
    EXPECT_EQ(row[column(table, "number")], std::to_string(t.id));
    EXPECT_EQ(row[column(table, "state")], to_string(t.status));
    const auto value = t.best_value(Direction::Maximize);
    EXPECT_EQ(row[column(table, "value")], value ? to_string(ParamValue{*value}) : "");
    EXPECT_EQ(row[column(table, "params_lr")], to_string(t.params.at("lr")));
    const bool sgd = std::get<std::string>(t.params.at("optimizer")) == "sgd";
    EXPECT_EQ(row[column(table, "params_momentum")].empty(), !sgd) << "trial " << t.id;
    EXPECT_EQ(row[column(table, "epochs")], std::to_string(t.epochs_run()));
    EXPECT_EQ(row[column(table, "reason")], t.reason);
  }
}

TEST(Export, RunningTrialsHaveNoCompletionTime) {
  const Table table = trials_table(study_view(true));
  const auto& last = table.rows.back();
  EXPECT_EQ(last[column(table, "state")], "running");
  EXPECT_EQ(last[column(table, "datetime_complete")], "");
  EXPECT_EQ(last[column(table, "duration")], "");
  EXPECT_NE(last[column(table, "datetime_start")], "");
}

TEST(Export, CurvesTableHasOneRowPerEpoch) {
  const StudyView view = study_view();
  const Table table = curves_table(view);
  std::size_t epochs = 0;
  for (const auto& t : view.stored.trials) epochs += t.curve.size();
  EXPECT_EQ(table.rows.size(), epochs);
  EXPECT_EQ(table.columns, (std::vector<std::string>{"number", "epoch", "value", "seconds",
                                                     "time", "train_loss", "val_accuracy",
                                                     "val_loss"}));
}

TEST(Export, EveryMetricIsAColumnAndOneNamedLikeAColumnIsPrefixed) {
  StoredStudy stored = testing::synthetic_study({}).stored();
  // A program's metrics: "state" and "epoch" are also columns of the tables.
  for (TrialRecord& t : stored.trials) {
    for (EpochResult& e : t.curve) {
      e.set_metric("state", 1.0);
      e.set_metric("epoch", 2.0 * e.epoch);
    }
  }
  stored.trials.at(0).curve.at(0).set_metric("bleu", 31.5);  // one epoch only
  const StudyView view = make_study_view(std::move(stored));
  const Table trials = trials_table(view);
  const Table curves = curves_table(view);
  EXPECT_EQ(std::count(trials.columns.begin(), trials.columns.end(), "state"), 1);
  EXPECT_EQ(trials.rows.at(0)[column(trials, "metric_state")], "1");
  // No clash in the trials table: the metric at the best epoch, under its own name.
  const int best_epoch = std::stoi(trials.rows.at(0)[column(trials, "best_epoch")]);
  EXPECT_EQ(trials.rows.at(0)[column(trials, "epoch")], std::to_string(2 * best_epoch));
  EXPECT_EQ(curves.rows.at(0)[column(curves, "metric_epoch")], "2");
  EXPECT_EQ(curves.rows.at(0)[column(curves, "epoch")], "1");
  EXPECT_EQ(curves.rows.at(0)[column(curves, "bleu")], "31.5");
  EXPECT_EQ(curves.rows.at(1)[column(curves, "bleu")], "") << "an epoch without it";
}

TEST(Export, AnUnwritableFileIsAnInputErrorNamingIt) {
  try {
    write_csv_file(trials_table(study_view()), "/nonexistent-dir/trials.csv");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent-dir/trials.csv: cannot write", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace rungs::report

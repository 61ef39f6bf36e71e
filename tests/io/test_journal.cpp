#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "io/journal.h"
#include "io/study_journal.h"
#include "study/errors.h"
#include "study_fixture.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

wire::Bytes bytes(const std::string& s) { return wire::Bytes(s.begin(), s.end()); }

TEST(Journal, KeepsRecordsAcrossReopening) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  {
    Journal j(path);
    EXPECT_TRUE(j.recovered().empty());
    j.append(bytes("one"));
    j.append(bytes(""));
    j.append(bytes("three"));
    j.sync();
  }
  Journal j(path);
  ASSERT_EQ(j.recovered().size(), 3u);
  EXPECT_EQ(j.recovered()[0], bytes("one"));
  EXPECT_EQ(j.recovered()[1], bytes(""));
  EXPECT_EQ(j.recovered()[2], bytes("three"));
  EXPECT_EQ(j.truncated_bytes(), 0u);
}

TEST(Journal, CutsATornTailAndAppendsAfterTheLastGoodRecord) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  {
    Journal j(path);
    j.append(bytes("good"));
    j.append(bytes("torn record"));
    j.sync();
  }
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 3);  // a kill in the middle of a write
  {
    Journal j(path);
    ASSERT_EQ(j.recovered().size(), 1u);
    EXPECT_EQ(j.truncated_bytes(), 8u + 11u - 3u);
    j.append(bytes("after"));
    j.sync();
  }
  Journal j(path);
  ASSERT_EQ(j.recovered().size(), 2u);
  EXPECT_EQ(j.recovered()[1], bytes("after"));
}

TEST(Journal, ACorruptRecordEndsTheGoodPrefix) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  {
    Journal j(path);
    j.append(bytes("aaaa"));
    j.append(bytes("bbbb"));
    j.sync();
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-2, std::ios::end);
    f.put('X');  // flips a payload byte of the last record: its CRC no longer matches
  }
  Journal j(path);
  ASSERT_EQ(j.recovered().size(), 1u);
  EXPECT_EQ(j.recovered()[0], bytes("aaaa"));
}

TEST(Journal, ResetDropsEverything) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  {
    Journal j(path);
    j.append(bytes("x"));
    j.reset();
  }
  EXPECT_TRUE(Journal(path).recovered().empty());
}

TEST(Journal, RefusesAFileThatIsNotAJournal) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  std::ofstream(path) << "some other file with text";
  try {
    Journal j(path);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": not a rungs journal"), std::string::npos);
  }
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "some other file with text") << "left untouched";
}

TEST(StudyJournal, ReplayRebuildsTrialsAndIsIdempotent) {
  std::vector<wire::Bytes> records;
  TrialRecord t = testing::sample_trial(0);
  t.curve.clear();
  t.status = TrialStatus::Running;
  t.attempts = 1;
  records.push_back(journal::trial_record(t));
  for (int e = 1; e <= 3; ++e) {
    EpochResult r;
    r.epoch = e;
    r.value = 0.1 * e;
    t.curve.push_back(r);
    records.push_back(journal::epoch_record(0, r));
  }
  t.checkpoint_epoch = 2;
  records.push_back(journal::trial_record(t));
  // Resumed from its checkpoint: epoch 3 is dropped and trained again.
  t.curve.resize(2);
  t.attempts = 2;
  records.push_back(journal::trial_record(t));
  EpochResult again;
  again.epoch = 3;
  again.value = 0.35;
  t.curve.push_back(again);
  records.push_back(journal::epoch_record(0, again));

  std::vector<TrialRecord> trials;
  journal::replay(records, trials);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(testing::difference(trials[0], t), "");
  // Replaying what a snapshot already holds changes nothing.
  journal::replay(records, trials);
  EXPECT_EQ(testing::difference(trials[0], t), "");
}

TEST(StudyJournal, ARecordForAMissingTrialIsAnError) {
  EpochResult r;
  r.epoch = 1;
  std::vector<TrialRecord> trials;
  EXPECT_THROW(journal::replay({journal::epoch_record(5, r)}, trials), IoError);
}

}  // namespace
}  // namespace rungs

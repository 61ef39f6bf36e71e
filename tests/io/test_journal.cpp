#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "io/journal.h"
#include "io/study_journal.h"
#include "study/errors.h"
#include "study_fixture.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

wire::Bytes bytes(const std::string& s) { return wire::Bytes(s.begin(), s.end()); }

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void append_to(const std::string& path, const std::string& tail) {
  std::ofstream(path, std::ios::binary | std::ios::app) << tail;
}

/// Writes a journal of `records` and returns the byte offset at which each one starts, and
/// the file size last.
std::vector<std::uintmax_t> write_journal(const std::string& path,
                                          const std::vector<std::string>& records) {
  std::vector<std::uintmax_t> offsets;
  Journal j(path);
  for (const auto& r : records) {
    j.sync();
    offsets.push_back(std::filesystem::file_size(path));
    j.append(bytes(r));
  }
  j.sync();
  offsets.push_back(std::filesystem::file_size(path));
  return offsets;
}

int open_fds() {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++n;
  }
  return n;
}

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
  const auto offsets = write_journal(path, {"good", "torn record"});
  std::filesystem::resize_file(path, offsets[2] - 3);  // a kill in the middle of a write
  {
    Journal j(path);
    ASSERT_EQ(j.recovered().size(), 1u);
    EXPECT_EQ(j.truncated_bytes(), offsets[2] - 3 - offsets[1]);
    EXPECT_EQ(std::filesystem::file_size(path), offsets[1]);
    j.append(bytes("after"));
    j.sync();
  }
  Journal j(path);
  ASSERT_EQ(j.recovered().size(), 2u);
  EXPECT_EQ(j.recovered()[1], bytes("after"));
}

TEST(Journal, ATornFrameHeaderIsCutOff) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  const auto offsets = write_journal(path, {"aaaa", "bbbb"});
  std::filesystem::resize_file(path, offsets[1] + 5);  // killed inside the second frame's header
  Journal j(path);
  ASSERT_EQ(j.recovered().size(), 1u);
  EXPECT_EQ(j.truncated_bytes(), 5u);
  EXPECT_EQ(std::filesystem::file_size(path), offsets[1]);
}

TEST(Journal, ACorruptLastRecordIsCutOff) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  const auto offsets = write_journal(path, {"aaaa", "bbbb"});
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-2, std::ios::end);
    f.put('X');  // flips a payload byte of the last record: its CRC no longer matches
  }
  Journal j(path);
  ASSERT_EQ(j.recovered().size(), 1u);
  EXPECT_EQ(j.recovered()[0], bytes("aaaa"));
  EXPECT_EQ(j.truncated_bytes(), offsets[2] - offsets[1]);
}

// After a power loss ext4 and XFS can leave the file longer than what reached the disk,
// the rest reading as zeros: cut off, every record before it kept.
TEST(Journal, AZeroFilledTailIsCutOff) {
  for (const std::size_t zeros : {1u, 4u, 8u, 12u, 4096u}) {
    SCOPED_TRACE("zeros: " + std::to_string(zeros));
    testing::TempDir dir;
    const std::string path = dir.file("j");
    const auto offsets = write_journal(path, {"one", "two"});
    append_to(path, std::string(zeros, '\0'));
    {
      Journal j(path);
      ASSERT_EQ(j.recovered().size(), 2u);
      EXPECT_EQ(j.recovered()[1], bytes("two"));
      EXPECT_EQ(j.truncated_bytes(), zeros);
      EXPECT_EQ(std::filesystem::file_size(path), offsets[2]);
      j.append(bytes("three"));
      j.sync();
    }
    Journal j(path);
    ASSERT_EQ(j.recovered().size(), 3u);
    EXPECT_EQ(j.recovered()[2], bytes("three"));
  }
}

TEST(Journal, ARandomGarbageTailIsCutOff) {
  testing::TempDir dir;
  const std::string path = dir.file("j");
  const auto offsets = write_journal(path, {"one", "two"});
  std::mt19937 random(7);
  std::string garbage(1000, '\0');
  for (char& c : garbage) c = static_cast<char>(random());
  append_to(path, garbage);
  Journal j(path);
  ASSERT_EQ(j.recovered().size(), 2u);
  EXPECT_EQ(j.truncated_bytes(), 1000u);
  EXPECT_EQ(std::filesystem::file_size(path), offsets[2]);
}

// A bad record with good ones after it is not a torn write: refuse, and touch nothing.
TEST(Journal, ADamagedRecordFollowedByGoodOnesIsRefused) {
  for (const int damage : {0, 1, 2}) {  // payload byte, length field, zeroed frame
    SCOPED_TRACE("damage " + std::to_string(damage));
    testing::TempDir dir;
    const std::string path = dir.file("j");
    const auto offsets = write_journal(path, {"aaaa", "bbbb", "cccc"});
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      if (damage == 0) {
        f.seekp(static_cast<std::streamoff>(offsets[2] - 1));
        f.put('X');
      } else if (damage == 1) {
        // A shorter length: the frame would end inside the old payload.
        const std::string frame = contents(path).substr(offsets[1], offsets[2] - offsets[1]);
        const std::size_t at = frame.find(std::string("\x04\0\0\0", 4));
        ASSERT_NE(at, std::string::npos);
        f.seekp(static_cast<std::streamoff>(offsets[1] + at));
        f.put('\x02');
      } else {
        f.seekp(static_cast<std::streamoff>(offsets[1]));
        f << std::string(offsets[2] - offsets[1], '\0');
      }
    }
    const std::string before = contents(path);
    try {
      Journal j(path);
      FAIL() << "opened with " << j.recovered().size() << " records";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(path + ": damaged record at byte " +
                                           std::to_string(offsets[1]) +
                                           " followed by valid records; refusing to guess"),
                std::string::npos)
          << e.what();
    }
    EXPECT_EQ(contents(path), before) << "left untouched";
  }
}

// Journals of rungs before the frames had a magic ("RUNGSJ1\n", [length][CRC of payload])
// still resume, and are rewritten in the current format.
TEST(Journal, ReadsAJournalOfTheFirstFormat) {
  for (const std::size_t zeros : {0u, 8u, 4096u}) {
    SCOPED_TRACE("zeros: " + std::to_string(zeros));
    testing::TempDir dir;
    const std::string path = dir.file("j");
    std::string old = "RUNGSJ1\n";
    for (const std::string payload : {"one", "", "three"}) {
      const auto sum = static_cast<std::uint32_t>(::crc32(
          0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
      const auto size = static_cast<std::uint32_t>(payload.size());
      for (const std::uint32_t v : {size, sum}) {
        for (int i = 0; i < 4; ++i) old += static_cast<char>(v >> (8 * i));
      }
      old += payload;
    }
    std::ofstream(path, std::ios::binary) << old << std::string(zeros, '\0');
    {
      Journal j(path);
      ASSERT_EQ(j.recovered().size(), 3u);
      EXPECT_EQ(j.recovered()[0], bytes("one"));
      EXPECT_EQ(j.recovered()[1], bytes(""));
      EXPECT_EQ(j.recovered()[2], bytes("three"));
      EXPECT_EQ(j.truncated_bytes(), zeros);
      j.append(bytes("four"));
      j.sync();
    }
    EXPECT_NE(contents(path).substr(0, 8), "RUNGSJ1\n") << "rewritten in the current format";
    Journal j(path);
    ASSERT_EQ(j.recovered().size(), 4u);
    EXPECT_EQ(j.recovered()[3], bytes("four"));
    EXPECT_EQ(j.truncated_bytes(), 0u);
  }
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

// Every way the constructor can throw after opening the file closes it again.
TEST(Journal, ClosesItsFileWhenItThrows) {
  testing::TempDir dir;
  const std::string not_journal = dir.file("text");
  std::ofstream(not_journal) << "some other file with text";
  const std::string fifo = dir.file("fifo");  // opens read-write, cannot be truncated
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const std::string damaged = dir.file("damaged");
  const auto offsets = write_journal(damaged, {"aaaa", "bbbb", "cccc"});
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offsets[2] - 1));
    f.put('X');
  }
  const int before = open_fds();
  for (int i = 0; i < 2000; ++i) {
    for (const std::string& path : {not_journal, fifo, damaged}) {
      EXPECT_THROW(Journal j(path), IoError) << path;
    }
  }
  EXPECT_EQ(open_fds(), before);
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

TEST(StudyJournal, ReplayKeepsEveryMetricOfAnEpoch) {
  TrialRecord t = testing::sample_trial(0);
  t.curve.clear();
  EpochResult r;
  r.epoch = 1;
  r.value = 31.5;
  r.metrics = {{"bleu", 31.5}, {"epoch_seconds", 2.25}, {"val_loss", -0.0}};
  t.curve.push_back(r);
  std::vector<TrialRecord> trials;
  journal::replay({journal::trial_record(t), journal::epoch_record(0, r)}, trials);
  ASSERT_EQ(trials.size(), 1u);
  ASSERT_EQ(trials[0].curve.size(), 1u);
  EXPECT_EQ(trials[0].curve[0].metrics.size(), 3u);
  EXPECT_EQ(trials[0].curve[0].metric("bleu"), 31.5);
  EXPECT_EQ(trials[0].curve[0].metric("epoch_seconds"), 2.25);
  EXPECT_TRUE(std::signbit(*trials[0].curve[0].metric("val_loss")));
}

TEST(StudyJournal, ReadsEpochRecordsOfTheFixedMetricLayout) {
  // How rungs wrote an epoch before any-metric epochs: 'E', trial, epoch, value,
  // val_accuracy, val_loss, train_loss, seconds, time. A journal left by a study killed
  // under that rungs is replayed by this one.
  TrialRecord t = testing::sample_trial(0);
  t.curve.clear();
  wire::Writer w;
  w.u8('E');
  w.i32(0);
  w.i32(1);
  for (const double v : {0.8, 0.8, 0.45, 0.5, 1.25, 7.0}) w.f64(v);
  std::vector<TrialRecord> trials;
  journal::replay({journal::trial_record(t), w.take()}, trials);
  ASSERT_EQ(trials[0].curve.size(), 1u);
  const EpochResult& e = trials[0].curve[0];
  EXPECT_EQ(e.value, 0.8);
  EXPECT_EQ(e.metric("val_accuracy"), 0.8);
  EXPECT_EQ(e.metric("val_loss"), 0.45);
  EXPECT_EQ(e.metric("train_loss"), 0.5);
  EXPECT_EQ(e.seconds, 1.25);
  EXPECT_EQ(e.time, 7.0);
}

TEST(StudyJournal, ARecordForAMissingTrialIsAnError) {
  EpochResult r;
  r.epoch = 1;
  std::vector<TrialRecord> trials;
  EXPECT_THROW(journal::replay({journal::epoch_record(5, r)}, trials), IoError);
}

}  // namespace
}  // namespace rungs

#include "mpi_driver/simulate_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "study/errors.h"

namespace rungs {
namespace {

std::string write_study(const std::string& name, const std::string& scheduler) {
  const std::string path = ::testing::TempDir() + name + ".yaml";
  std::ofstream(path) << "name: " << name << "\nobjective: {model: mlp}\nsearch_space:\n"
                      << "  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}\n"
                      << "  width: {type: int, low: 32, high: 512}\n"
                      << "scheduler: " << scheduler << "\nbudget: {max_trials: 200, epochs: 9}\n";
  return path;
}

TEST(SimulateCommand, AFifoStudyComparesEveryScheduler) {
  std::ostringstream out;
  EXPECT_EQ(command_simulate(write_study("cmp", "fifo"), 16, out), 0);
  const std::string text = out.str();
  for (const char* row : {"\nfifo ", "\nasha ", "\nasha promotion ", "\nsuccessive_halving ",
                          "\nhyperband ", "\nmedian "}) {
    EXPECT_NE(text.find(row), std::string::npos) << row << " in\n" << text;
  }
  EXPECT_NE(text.find("200 trials of at most 9 epochs"), std::string::npos) << text;
  EXPECT_NE(text.find("regret"), std::string::npos);
}

TEST(SimulateCommand, AnotherSchedulerIsComparedWithFifo) {
  std::ostringstream out;
  command_simulate(write_study("own", "{name: asha, reduction_factor: 2}"), 4, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("\nasha "), std::string::npos) << text;
  EXPECT_NE(text.find("\nfifo "), std::string::npos) << text;
  EXPECT_EQ(text.find("hyperband"), std::string::npos) << text;
}

TEST(SimulateCommand, BadInputIsAConfigError) {
  std::ostringstream out;
  EXPECT_THROW(command_simulate(write_study("w", "fifo"), 0, out), ConfigError);
  try {
    command_simulate(write_study("bad", "{name: asha, reduction_factor: 1}"), 4, out);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("scheduler.reduction_factor: 1 must be >= 2"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(command_simulate("/nonexistent/study.yaml", 4, out), ConfigError);
}

}  // namespace
}  // namespace rungs

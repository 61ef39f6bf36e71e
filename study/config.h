#pragma once
/// The study file (YAML) as a validated value. load_study_config() checks every field before
/// anything else happens and throws ConfigError with a one-line message naming the file,
/// the field path and the value. The reference is docs/study-file.md.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "study/data_config.h"
#include "study/options.h"
#include "study/param.h"
#include "study/pareto.h"
#include "study/search_space.h"
#include "study/synthetic_config.h"
#include "study/trial.h"

namespace rungs {

/// A trial that runs the user's own program (objective.command): how long rungs waits for it.
struct CommandTimeouts {
  double start = 600;  ///< seconds from launch to the first report (loading, compiling)
  double epoch = 0;    ///< seconds between reports; 0: only preemption.report_timeout_seconds
  double stop = 30;    ///< seconds a program has to exit after being told to, before TERM, KILL
};

struct ObjectiveConfig {
  /// The user's own training program, one element per argument with {placeholders}
  /// (command/command_line.h); empty for rungs' built-in models.
  std::vector<std::string> command;
  /// objective.report.regex: the program prints its reports (a line that matches, named
  /// groups the metrics) and needs no client; empty: it reports through the client.
  std::string report_regex;
  /// objective.resume_args: appended to the command of a run that resumes a trial (only
  /// with report_regex); empty: such a program is never paused and restarts when interrupted.
  std::vector<std::string> resume_args;
  CommandTimeouts timeouts;
  std::string model = "mlp";              ///< mlp | cnn | resnet | synthetic
  SyntheticConfig synthetic;              ///< model synthetic: its settings
  bool is_synthetic() const { return model == "synthetic"; }
  /// Whether a built-in LibTorch model trains the trials (not a program, not synthetic).
  bool is_builtin_model() const { return command.empty() && !is_synthetic(); }
  std::string dataset = "fashion_mnist";
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  std::string metric = "val_accuracy";    ///< val_accuracy | val_loss | train_loss
  Direction direction = Direction::Maximize;
  int train_samples = 50000;  ///< first N of the 50,000 training images (a subset for tests)
  int val_samples = 10000;    ///< first N of the 10,000 validation images
  /// objective.data: the user's own arrays instead of `dataset` (docs/data.md); absent
  /// for Fashion-MNIST.
  std::optional<DataConfig> data;
  Task task = Task::Classification;  ///< objective.task (with data)
};

struct BudgetConfig {
  int max_trials = 0;  ///< trials to start in all
  int epochs = 0;      ///< epochs per trial (the resource schedulers may cut short)
  /// Once spent (0: no such limit), no trial starts or resumes, the running ones go on to
  /// their next rung at most, and the study finishes (schedulers/lifecycle.h).
  double seconds = 0;     ///< wall time of the study, across requeues
  long epochs_total = 0;  ///< epochs recorded, over all trials
  /// budget.when_spent: once seconds or epochs_total is spent, running trials go on to
  /// their next rung at most (false, `finish_rung`) or stop after the epoch they are in
  /// (true, `stop`).
  bool stop_when_spent = false;
};

/// Where worker ranks train: `auto` on a CUDA device when LibTorch sees one (else the CPU),
/// `cpu` always on the CPU, `cuda` on a CUDA device or not at all (an error before any work).
enum class DeviceChoice { Auto, Cpu, Cuda };

struct ResourcesConfig {
  DeviceChoice device = DeviceChoice::Auto;
  int ranks_per_trial = 1;
  int threads_per_worker = 0;  ///< 0: the node's cores shared among its worker ranks
  int trials_per_gpu = 1;      ///< single-rank trials packed on one GPU (ranks_per_trial 1)
};

/// Checkpoints and what happens when the job is stopped or killed.
struct DurabilityConfig {
  int checkpoint_every = 1;          ///< epochs between checkpoints (0: only when a trial ends)
  int keep_checkpoints = 5;          ///< stopped trials' checkpoints kept: the best K
  double snapshot_seconds = 5.0;     ///< study.h5 rewritten at most this often (journal between)
  std::string stop_signal = "USR1";  ///< besides TERM, INT: USR1 | USR2 (both watched) | none
  int grace_seconds = 60;            ///< longest wait for workers to stop after a signal
  /// Longest wait for a running trial's next report (or a test result) before its worker is
  /// taken for hung: rank 0 saves the study and ends the job with 75. 0: no limit.
  int report_timeout_seconds = 4 * 3600;
  int max_attempts = 3;              ///< runs of a trial killed with its worker before it fails
  /// In a Slurm job with a time limit: save the study and exit 75 (requeue) this many seconds
  /// before the limit, without waiting for a signal. 0: off.
  int before_limit_seconds = 0;
  /// checkpoints.fit_limit (with before_limit_seconds): no epoch is started that the
  /// trials' measured epoch times say cannot end before that stop.
  bool fit_limit = false;
};

struct StudyConfig {
  std::string path;        ///< the study file as given
  std::string text;        ///< its full text, stored in study.h5
  std::string name;
  std::string output_dir;  ///< default runs/NAME
  std::uint64_t seed = 0;
  ObjectiveConfig objective;
  /// objectives: and constraints: (study/pareto.h); no objectives for a single-objective
  /// study (objective.metric alone). The first objective is objective.metric/direction.
  MultiObjective multi;
  Params fixed;            ///< hyperparameters set, not searched
  SearchSpace space;
  /// Configurations tried first, in order, as trials 0, 1, ...: each sets some or all of the
  /// searched parameters (validated against the space); the sampler fills the rest.
  std::vector<Params> enqueue;
  /// warm_start.from: the study.h5 of an earlier study whose finished trials the sampler and
  /// the scheduler learn from (io/warm_start.h); empty: none.
  std::string warm_start;
  AlgorithmOptions sampler;
  AlgorithmOptions scheduler;
  BudgetConfig budget;
  ResourcesConfig resources;
  DurabilityConfig durability;

  std::string study_file() const { return output_dir + "/study.h5"; }
  /// "FILE: " for error messages about this study file.
  std::string where(const std::string& field) const;
};

/// Reads and validates a study file. Throws ConfigError (and only that) on bad input.
/// `overrides` ("budget.max_trials=20", "scheduler={name: asha}") set fields of the file's
/// YAML before it is validated, as if the file said so; the text with them is what the study
/// records (StudyConfig::text).
/// The sampler of a study file without `sampler:` (`where` prefixes its errors): tpe with
/// multivariate: true, the best sampler of bench/samplers/run_tabular.sh (docs/samplers.md,
/// "The default sampler").
AlgorithmOptions default_sampler(const std::string& where);

StudyConfig load_study_config(const std::string& path, const std::vector<std::string>& overrides = {});
/// Same, from text already read; `path` is used in messages.
StudyConfig parse_study_config(const std::string& text, const std::string& path);
/// The YAML text `text` with each "dotted.key.path=VALUE" of `overrides` set (VALUE read
/// as YAML: a number, a word, a flow map or list). Throws ConfigError naming the override.
std::string apply_overrides(const std::string& text, const std::vector<std::string>& overrides,
                            const std::string& path);
/// `text` with every ${NAME} replaced by the environment variable NAME; ConfigError naming
/// `where` when NAME is not set. For paths: `output: ${SCRATCH}/runs/x`.
std::string expand_environment(const std::string& text, const std::string& where);

}  // namespace rungs

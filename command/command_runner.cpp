#include "command/command_runner.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "command/child_process.h"
#include "command/program_run.h"
#include "command/report_source.h"
#include "study/checkpoint_path.h"
#include "study/command_line.h"
#include "study/errors.h"

namespace rungs {
namespace {

namespace fs = std::filesystem;

constexpr int kProtocol = 1;

int next_attempt(const fs::path& trial_dir) {
  int attempt = 1;
  while (fs::exists(trial_dir / ("attempt_" + std::to_string(attempt) + ".out"))) ++attempt;
  return attempt;
}

TrialOutcome failed(std::string reason) {
  return TrialOutcome{TrialOutcome::Kind::Failed, std::move(reason)};
}

/// The variables of the MPI launcher and of Slurm's task that would make the program (or
/// torch.distributed inside it) believe it is an MPI rank of the worker's job.
const std::vector<std::string> kLauncherPrefixes = {"OMPI_", "PMIX_", "PMI_", "PRTE_", "OPAL_",
                                                    "HYDRA_", "MPI_LOCALRANKID"};
const std::vector<std::string> kLauncherVariables = {
    "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NODEID", "SLURM_NTASKS", "SLURM_NPROCS",
    "SLURM_STEP_ID", "SLURM_STEPID", "SLURM_TASK_PID", "SLURM_STEP_NUM_TASKS",
    "RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};

class CommandRunner final : public TrialRunner {
 public:
  explicit CommandRunner(CommandSettings settings) : s_(std::move(settings)) {}

  TrialOutcome run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override;

  TestResult evaluate_test(const TrialAssignment& trial) override {
    throw TrialError("trial " + std::to_string(trial.trial_id) +
                     " runs the study's own program, which has no held-out test in rungs");
  }

 private:
  CommandSettings s_;
};

TrialOutcome CommandRunner::run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                                const InterruptCheck& should_stop) {
  return run_program(s_, trial, ProgramHooks{}, on_epoch, should_stop).outcome;
}

ProgramResult not_started(std::string reason) {
  ProgramResult r;
  r.outcome = failed(std::move(reason));
  r.ended_ms = unix_ms();
  return r;
}

/// The trial's folder could not be written (the storage is full or failing): not the
/// trial's failure; it resumes in a later job and the study stops (TrialOutcome::Halted).
ProgramResult halted(std::string reason) {
  ProgramResult r;
  r.outcome = TrialOutcome{TrialOutcome::Kind::Halted, std::move(reason)};
  r.ended_ms = unix_ms();
  return r;
}

}  // namespace

ProgramResult run_program(const CommandSettings& s, const TrialAssignment& trial,
                          const ProgramHooks& hooks, const EpochCallback& on_epoch,
                          const InterruptCheck& should_stop) {
  const ObjectiveConfig& o = s.objective;
  const bool client = o.report_regex.empty();  // else its reports are lines it prints
  const bool leads = hooks.rank == 0;  // the rank whose files and checkpoints are the trial's
  const fs::path trial_dir = fs::absolute(fs::path(s.output_dir) / "trials" /
                                          std::to_string(trial.trial_id));
  std::error_code ec;
  fs::create_directories(trial_dir, ec);
  if (ec) return halted(trial_dir.string() + ": cannot create it: " + ec.message());
  const std::string stem = fs::absolute(trial.checkpoint).string();
  const std::string params_json = (trial_dir / "params.json").string();
  if (leads) {
    std::ofstream out(params_json, std::ios::trunc);
    out << params_to_json(trial.params) << "\n";
    if (!out) return halted(params_json + ": cannot write it");
  }
  std::string resume_from;
  if (trial.start_epoch > 0 && client) {
    resume_from = checkpoint_folder(stem, trial.start_epoch);
    if (!fs::is_directory(resume_from)) {
      return not_started("cannot resume at epoch " + std::to_string(trial.start_epoch) + ": " +
                         resume_from + " does not exist");
    }
  }
  if (trial.start_epoch > 0 && !client && o.resume_args.empty()) {
    return not_started("cannot resume at epoch " + std::to_string(trial.start_epoch) +
                       ": the study has no objective.resume_args");
  }

  CommandContext context;
  context.params = trial.params;
  context.trial_id = trial.trial_id;
  context.trial_dir = trial_dir.string();
  context.checkpoint_dir = fs::path(stem).parent_path().string();
  context.params_json = params_json;
  context.epochs = s.max_epochs;
  context.start_epoch = trial.start_epoch;
  context.end_epoch = trial.end_epoch;
  context.seed = trial.seed;
  context.study_dir = s.study_dir;

  const int attempt = leads ? next_attempt(trial_dir) : hooks.attempt;
  const std::string files = "attempt_" + std::to_string(attempt) +
                            (leads ? std::string() : ".rank" + std::to_string(hooks.rank));
  // Its lines in rungs.log, which every rank of the trial writes.
  const std::string log_name =
      (leads ? std::string() : "rank " + std::to_string(hooks.rank) + ": ") + "attempt " +
      std::to_string(attempt);
  LaunchSpec spec;
  spec.argv = expand_command(o.command, context);
  if (trial.start_epoch > 0 && !client) {
    for (std::string& arg : expand_command(o.resume_args, context)) spec.argv.push_back(std::move(arg));
  }
  spec.working_dir = trial_dir.string();
  spec.stdout_file = (trial_dir / (files + ".out")).string();
  spec.stderr_file = (trial_dir / (files + ".err")).string();
  spec.drop_prefixes = kLauncherPrefixes;
  spec.drop = kLauncherVariables;
  const std::string threads = std::to_string(std::max(1, s.threads));
  const char* python_path = std::getenv("PYTHONPATH");
  spec.set = {{"RUNGS_TRIAL_ID", std::to_string(trial.trial_id)},
              {"RUNGS_TRIAL_DIR", trial_dir.string()},
              {"RUNGS_PARAMS_JSON", params_json},
              {"RUNGS_CHECKPOINT_STEM", stem},
              {"RUNGS_START_EPOCH", std::to_string(trial.start_epoch)},
              {"RUNGS_END_EPOCH", std::to_string(trial.end_epoch)},
              {"RUNGS_MAX_EPOCHS", std::to_string(s.max_epochs)},
              {"RUNGS_SEED", std::to_string(trial.seed)},
              {"RUNGS_METRIC", o.metric},
              {"PYTHONUNBUFFERED", "1"},
              {"OMP_NUM_THREADS", threads},
              {"MKL_NUM_THREADS", threads},
              {"OPENBLAS_NUM_THREADS", threads},
              {"PYTHONPATH", s.client_dir + (python_path && *python_path
                                                  ? std::string(":") + python_path
                                                  : std::string())}};
  spec.set.insert(spec.set.end(), s.env.begin(), s.env.end());
  spec.set.insert(spec.set.end(), hooks.env.begin(), hooks.env.end());

  std::ofstream log(trial_dir / "rungs.log", std::ios::app);
  log << log_name << ": epochs " << trial.start_epoch << " to " << trial.end_epoch
      << ": " << spec.argv[0] << std::endl;
  std::unique_ptr<ReportSource> source;
  int child_end = -1;  // the program's end of the client's socket pair, until it is started
  if (client) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      throw Error(std::string("socketpair: ") + std::strerror(errno));
    }
    source = channel_reports(pair[0], stem, leads, trial.start_epoch, log, log_name);
    child_end = pair[1];
    spec.channel_fd = child_end;
    spec.set.insert(spec.set.end(), {{"RUNGS_TRIAL_FD", "3"},
                                     {"RUNGS_PROTOCOL", std::to_string(kProtocol)},
                                     {"RUNGS_RESUME_FROM", resume_from}});
  } else {
    // Opened before the program starts: nothing it prints can be missed.
    source = output_reports(spec.stdout_file, o.report_regex, trial.start_epoch,
                            !o.resume_args.empty(), log, log_name);
  }
  std::unique_ptr<ChildProcess> child;
  try {
    child = std::make_unique<ChildProcess>(spec);
  } catch (const Error& e) {
    if (child_end >= 0) ::close(child_end);
    return not_started(e.what());
  }
  if (child_end >= 0) ::close(child_end);
  if (hooks.launched) hooks.launched(attempt);

  RunPlan plan;
  plan.objective = &o;
  plan.trial_id = trial.trial_id;
  plan.name = log_name;
  plan.start_epoch = trial.start_epoch;
  plan.end_epoch = trial.end_epoch;
  plan.max_epochs = s.max_epochs;
  // A program that was given where its run ends exits there by itself: not TERMed mid-save.
  const auto says = [&](const char* name) {
    return uses_placeholder(o.command, name) ||
           (trial.start_epoch > 0 && uses_placeholder(o.resume_args, name));
  };
  plan.ends_itself = !client && (says("end_epoch") || (says("epochs") && trial.end_epoch == s.max_epochs));
  plan.stderr_file = spec.stderr_file;
  plan.log_file = (trial_dir / "rungs.log").string();
  return supervise(*child, *source, plan, hooks, on_epoch, should_stop, log);
}

std::unique_ptr<TrialRunner> make_command_runner(const CommandSettings& settings) {
  return std::make_unique<CommandRunner>(settings);
}

}  // namespace rungs

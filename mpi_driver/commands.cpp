#include "command/command_runner.h"
#include "command/program_group.h"
#include "command/rank_env.h"
#include "mpi_driver/commands.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "io/study_file_atomic.h"
#include "io/study_file.h"
#include "io/study_lock.h"
#include "io/study_store.h"
#include "io/user_data.h"
#include "mpi_driver/clone_checkpoint.h"
#include "mpi_driver/coordinator.h"
#include "mpi_driver/group_comms.h"
#include "mpi_driver/group_placement.h"
#include "mpi_driver/group_runner.h"
#include "mpi_driver/job_clock.h"
#include "mpi_driver/mpi_session.h"
#include "mpi_driver/mpi_transport.h"
#include "mpi_driver/progress.h"
#include "mpi_driver/signals.h"
#include "mpi_driver/worker.h"
#include "io/warm_start.h"
#include "samplers/enqueued_sampler.h"
#include "schedulers/scheduler.h"
#include "study/checkpoint_path.h"
#include "study/config_compat.h"
#include "study/errors.h"
#include "synthetic/synthetic_runner.h"
#include "trainer/communicator_factory.h"
#include "trainer/device_identity.h"
#include "trainer/hyperparams.h"
#include "trainer/torch_runner.h"
#include "trainer/trainer.h"

namespace rungs {

namespace fs = std::filesystem;

StudyConfig load_and_validate(const std::string& path, const std::vector<std::string>& overrides) {
  StudyConfig config = load_study_config(path, overrides);
  // A program checks its own inputs; a synthetic objective has none beyond its fields.
  const bool builtin = config.objective.is_builtin_model();
  if (builtin) {
    validate_hyperparameters(config);
    // Where rank 0 sees no CUDA device under device auto, the workers are taken to see none.
    const bool cuda = config.resources.device == DeviceChoice::Cuda ||
                      (config.resources.device == DeviceChoice::Auto && cuda_device_count() > 0);
    check_training_options(config, cuda);
  }
  make_study_sampler(config);
  const auto scheduler = make_scheduler(config.scheduler, config.budget.epochs, config.objective.direction,
                                        SchedulerContext{&config.space, config.seed, config.multi.objectives});
  const ObjectiveConfig& o = config.objective;
  // A cloned segment copies the built-in trainer's checkpoint file; a program's checkpoint
  // folder and the synthetic objective's curves do not follow a clone yet.
  if (config.scheduler.name() == "pbt" && !builtin) {
    throw ConfigError(config.where("scheduler.name") + ": pbt runs with the built-in models and under "
                      "`rungs simulate` only, not yet with a program or the synthetic objective");
  }
  if (o.is_synthetic() && o.synthetic.drifting) {
    throw ConfigError(config.where("objective.curve") + ": drifting runs under `rungs simulate` only");
  }
  if (!o.report_regex.empty() && o.resume_args.empty() && scheduler->pauses()) {
    // rungs can end such a program only with a signal: a paused run could never go on.
    throw ConfigError(config.where("scheduler") + ": " + config.scheduler.name() +
                      " pauses trials and resumes them later, and a program read through "
                      "objective.report.regex can only resume with objective.resume_args "
                      "(e.g. [--resume, \"{trial_dir}/last.pt\"]); give them, or use a "
                      "scheduler that only stops (asha with mode: stop, median, fifo)");
  }
  if (!builtin) return config;
  if (o.data) {
    check_options_fit_data(config, check_user_data(o));
    return config;
  }
  for (const char* file : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    if (!fs::exists(fs::path(config.objective.data_dir) / file)) {
      throw ConfigError(config.where("objective.data_dir") + ": " + config.objective.data_dir +
                        " has no " + file + " (apt-get install dataset-fashion-mnist)");
    }
  }
  return config;
}

int command_validate(const std::string& study_yaml, const std::vector<std::string>& overrides) {
  const StudyConfig c = load_and_validate(study_yaml, overrides);
  const WarmStart warm = load_warm_start(c);
  if (!warm.from.empty()) std::cout << study_yaml << ": " << warm.summary << "\n";
  std::cout << study_yaml << ": ok: study '" << c.name << "', " << c.space.size()
            << " parameters, sampler " << c.sampler.name() << ", scheduler "
            << c.scheduler.name() << ", " << c.budget.max_trials << " trials of at most "
            << c.budget.epochs << " epochs, " << to_string(c.objective.direction) << " "
            << c.objective.metric << "; results go to " << c.study_file() << "\n";
  return 0;
}

namespace {

/// Threads for each worker, unless the study says: the CPUs this rank is bound to when the
/// launcher bound it to some of the node's (mpirun binds 1 or 2 ranks to a core each,
/// srun --cpus-per-task binds to that many), otherwise the node's cores shared among its
/// worker ranks.
int worker_threads(const StudyConfig& config, const MpiSession& mpi) {
  if (config.resources.threads_per_worker > 0) return config.resources.threads_per_worker;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    const int bound = CPU_COUNT(&allowed);
    if (bound > 0 && bound < cores) return bound;
  }
  const int workers = std::max(1, mpi.node_size() - (mpi.node_has_coordinator() ? 1 : 0));
  return std::max(1, cores / workers);
}

/// The CUDA device this worker rank trains on (-1: the CPU), from resources.device, its
/// index among the node's workers and the devices LibTorch sees here.
int worker_device(const ResourcesConfig& resources, const MpiSession& mpi) {
  if (resources.device == DeviceChoice::Cpu) return -1;  // CUDA is not even initialized
  const int local_worker = mpi.node_rank() - (mpi.node_has_coordinator() ? 1 : 0);
  const int visible = visible_device_count(std::getenv("CUDA_VISIBLE_DEVICES"), cuda_device_count());
  return choose_device(resources.device, local_worker, visible, resources.trials_per_gpu);
}

/// Every rank's device and threads, gathered on rank 0 (elsewhere only the nodes are set).
Placement gather_placement(int my_device, int my_threads, const TrialGroups& groups,
                           const MpiSession& mpi) {
  Placement placement;
  placement.node = groups.node_of_rank;
  const auto n = static_cast<std::size_t>(mpi.size());
  std::vector<int> pairs(2 * n, -1);
  const int mine[2] = {my_device, my_threads};
  check_mpi(MPI_Gather(mine, 2, MPI_INT, pairs.data(), 2, MPI_INT, 0, MPI_COMM_WORLD),
            "MPI_Gather(devices)");
  for (std::size_t r = 0; r < n; ++r) {
    placement.device.push_back(pairs[2 * r]);
    placement.threads.push_back(pairs[2 * r + 1]);
  }
  // Which physical GPU each index is (indices are per process under per-task binding).
  constexpr int kUuidChars = 64;
  char my_uuid[kUuidChars] = {0};
  std::snprintf(my_uuid, sizeof my_uuid, "%s", cuda_device_uuid(my_device).c_str());
  std::vector<char> uuids(n * kUuidChars, '\0');
  check_mpi(MPI_Gather(my_uuid, kUuidChars, MPI_CHAR, uuids.data(), kUuidChars, MPI_CHAR, 0,
                       MPI_COMM_WORLD),
            "MPI_Gather(GPU UUIDs)");
  for (std::size_t r = 0; r < n; ++r) {
    const char* uuid = uuids.data() + r * kUuidChars;
    placement.gpu.emplace_back(uuid, strnlen(uuid, kUuidChars));
  }
  return placement;
}

/// An error rank 0 met before the study started, which every rank exits with.
struct StartError {
  int status = 0;  ///< exit status; 0: no error
  char text[1024] = {0};

  void set(const std::exception& e, int exit_status) {
    status = exit_status;
    std::snprintf(text, sizeof text, "%s", e.what());
  }
  /// Broadcasts rank 0's error; its exit status (0: none). Rank 0 prints it.
  int share(const MpiSession& mpi) {
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(text, sizeof text, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (status != 0 && mpi.rank() == 0) std::cerr << "rungs: " << text << std::endl;
    return status;
  }
};

/// What rank 0 opens before the study starts: the output folder, the lock, the store and,
/// for a study that exists, its records checked against the study file.
struct Opened {
  std::unique_ptr<StudyLock> lock;
  std::unique_ptr<StudyStore> store;
};

Opened open_study(const StudyConfig& config) {
  try {
    create_folders_durably(config.output_dir);
  } catch (const StorageError&) {
    throw;
  } catch (const IoError& e) {
    throw ConfigError(std::string(e.what()) + " (the study's output folder)");
  }
  if (::access(config.output_dir.c_str(), W_OK) != 0) {
    throw ConfigError(config.output_dir + ": the output folder is not writable");
  }
  Opened o;
  o.lock = std::make_unique<StudyLock>(config.study_file());
  try {
    o.store = std::make_unique<StudyStore>(config.study_file());
  } catch (const StorageError&) {
    throw;  // not the file's fault: run again once the storage has room
  } catch (const IoError& e) {
    throw ConfigError(std::string(e.what()) + "; the file was left as it is");
  }
  if (const auto& old = o.store->existing()) {
    const std::string problem = resume_incompatibility(
        config, old->config_text, config.study_file(), static_cast<int>(old->trials.size()));
    if (!problem.empty()) throw ConfigError(problem);
  }
  if (config.objective.data) {
    write_normalization(config.output_dir + "/normalization.h5",
                        load_user_data(*config.objective.data, config.objective.task));
  }
  return o;
}

/// Where rungs_trial.py is: beside the installed binary (PREFIX/share/rungs/client), else in
/// the source tree this rungs was built from.
std::string client_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "rungs" / "client";
    if (fs::exists(installed / "rungs_trial.py", ec)) return installed.string();
  }
  return RUNGS_CLIENT_DIR;
}

/// How this worker rank runs the study's program (objective.command).
CommandSettings command_settings(const StudyConfig& config, int threads, int device) {
  CommandSettings command;
  command.objective = config.objective;
  command.output_dir = config.output_dir;
  command.max_epochs = config.budget.epochs;
  command.threads = threads;
  command.client_dir = client_dir();
  command.study_dir = fs::absolute(config.path).parent_path().string();
  const auto devices = program_cuda_devices(device, config.resources.device == DeviceChoice::Cpu,
                                            std::getenv("CUDA_VISIBLE_DEVICES"));
  if (devices) command.env.emplace_back("CUDA_VISIBLE_DEVICES", *devices);
  return command;
}

std::string host_name() {
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0) return "127.0.0.1";
  return name;
}

/// A worker rank of a study whose trials run the program on groups of ranks: the leader
/// talks to the coordinator, the members to their leader (command/program_group.h).
int run_program_group(const CommandSettings& command, TrialGroups& groups) {
  MpiGroupLink link(groups.group_comm.get());
  const GroupLayout layout =
      group_layout(groups.plan, groups.node_of_rank, groups.group, groups.position);
  ProgramRank rank;
  rank.local_rank = layout.local_rank;
  rank.local_size = layout.local_size;
  rank.node_group = layout.node_group;
  rank.node_groups = layout.node_groups;
  if (!layout.one_node) rank.master_addr = host_name();  // only the leader's counts
  if (groups.is_member()) {
    run_program_group_member(command, link, rank);
    return 0;
  }
  MpiTransport transport(groups.coordinator_comm.get());
  WorkerLoop worker(transport, [&] { return make_program_group_leader(command, link, rank); });
  worker.run();
  release_program_group_members(link);
  return 0;
}

/// Everything `rungs run` does once MPI runs, on every rank; the exit status.
int run_ranks(const StudyConfig& config, const std::string& study_yaml, MpiSession& mpi) {
  // Rank 0 checks the sizes, every rank picks its device, rank 0 checks the devices and
  // opens the study; every rank learns each verdict, so all exit together and a study
  // that cannot run writes nothing.
  StartError error;
  if (mpi.rank() == 0) {
    try {
      if (mpi.size() < 2) {
        throw ConfigError("rungs run needs at least 2 MPI ranks (1 coordinator + workers), e.g. "
                          "mpirun -n 3 rungs run " + study_yaml);
      }
      const std::string groups = group_size_problem(mpi.size(), config.resources.ranks_per_trial);
      if (!groups.empty()) throw ConfigError(config.where("resources.ranks_per_trial") + ": " + groups);
    } catch (const ConfigError& e) {
      error.set(e, 2);
    }
  }
  if (const int status = error.share(mpi)) return status;

  // Trial groups: the coordinator talks to rank 0's communicator with the group leaders
  // only, so it sees each group as one worker; members hear from their leader alone.
  const int ranks_per_trial = config.resources.ranks_per_trial;
  TrialGroups groups = form_trial_groups(ranks_per_trial);
  const int device = mpi.rank() == 0 ? -1 : worker_device(config.resources, mpi);
  const int threads = mpi.rank() == 0 ? 0 : worker_threads(config, mpi);
  const Placement placement = gather_placement(device, threads, groups, mpi);
  Opened opened;
  WarmStart warm;
  std::optional<double> job_left;  // seconds to the Slurm job's time limit, when it has one
  const int before_limit = config.durability.before_limit_seconds;
  if (mpi.rank() == 0) {
    try {
      warm = load_warm_start(config);  // before open_study: a bad old file writes nothing
      if (before_limit > 0) job_left = slurm_seconds_left();
      if (job_left && *job_left <= before_limit) {
        throw ConfigError(config.where("preemption.before_limit_seconds") + ": " +
                          std::to_string(before_limit) + " is not less than the " +
                          std::to_string(static_cast<long>(*job_left)) +
                          " s left before the time limit of Slurm job " +
                          std::getenv("SLURM_JOB_ID") + "; ask for a longer --time");
      }
      // A program's ranks bring their own communication (NCCL in the program's PyTorch).
      const bool nccl = nccl_available() || !config.objective.command.empty();
      const std::string problem = placement_problem(placement, groups.plan, config.resources.device, nccl);
      if (!problem.empty()) throw ConfigError(config.path + ": " + problem);
      opened = open_study(config);
    } catch (const ConfigError& e) {
      error.set(e, 2);
    } catch (const StorageError& e) {
      error.set(e, kExitResume);  // a full disk or a quota: run again later
    }
  }
  if (const int status = error.share(mpi)) return status;

  if (mpi.rank() != 0 && !config.objective.command.empty()) {
    const CommandSettings command = command_settings(config, threads, device);
    if (ranks_per_trial > 1) return run_program_group(command, groups);
    MpiTransport transport(groups.coordinator_comm.get());
    WorkerLoop worker(transport, [&] { return make_command_runner(command); });
    worker.run();
    return 0;
  }
  if (mpi.rank() != 0 && config.objective.is_synthetic()) {
    MpiTransport transport(groups.coordinator_comm.get());
    WorkerLoop worker(transport, [&] { return make_synthetic_runner(config); });
    worker.run();
    return 0;
  }
  if (mpi.rank() != 0) {
    TrainerSettings settings;
    settings.objective = config.objective;
    settings.threads = threads;
    settings.cuda_device = device;
    settings.max_epochs = config.budget.epochs;
    if (ranks_per_trial > 1) {
      // MPI on the CPU, NCCL on GPUs (placement_problem() ruled out mixed groups).
      settings.group = make_communicator(groups.group_comm.get(), device);
      MpiGroupChannel channel(groups.group_comm.get());
      if (groups.is_member()) {
        const std::unique_ptr<TrialRunner> runner = make_torch_runner(settings);
        run_group_member(channel, *runner);
        return 0;
      }
      MpiTransport transport(groups.coordinator_comm.get());
      WorkerLoop worker(transport, [&]() -> std::unique_ptr<TrialRunner> {
        return std::make_unique<GroupLeaderRunner>(channel, make_torch_runner(settings));
      });
      worker.run();
      release_group_members(channel);
      return 0;
    }
    MpiTransport transport(groups.coordinator_comm.get());
    WorkerLoop worker(transport, [&] { return make_torch_runner(settings); });
    worker.run();
    return 0;
  }
  MpiTransport transport(groups.coordinator_comm.get());

  auto sampler = make_study_sampler(config, warm.trials);
  auto scheduler = make_scheduler(config.scheduler, config.budget.epochs, config.objective.direction,
                                        SchedulerContext{&config.space, config.seed, config.multi.objectives});
  const bool scheduler_warm = !warm.from.empty() && scheduler->add_prior(warm.complete);
  CoordinatorOptions options;
  options.max_attempts = config.durability.max_attempts;
  options.flush_interval = std::chrono::milliseconds(
      static_cast<long>(config.durability.snapshot_seconds * 1000));
  options.grace = std::chrono::seconds(config.durability.grace_seconds);
  options.report_timeout = std::chrono::seconds(config.durability.report_timeout_seconds);
  // A program or the synthetic objective has no test set in rungs, nor the user's data
  // without data.test.
  options.evaluate_test = config.objective.is_builtin_model() &&
                          (!config.objective.data || config.objective.data->test.present());
  options.stop_requests = [] { return stop_requests(); };
  options.keep_stopped_checkpoints = config.durability.keep_checkpoints;
  if (job_left) {
    options.stop_at = std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(static_cast<long>((*job_left - before_limit) * 1000));
    options.stop_at_reason = "the Slurm job's time limit is " + std::to_string(before_limit) +
                             " s away (preemption.before_limit_seconds)";
  }
  if (const char* job = std::getenv("SLURM_JOB_ID")) options.slurm_job_id = job;
  options.discard_checkpoints = [&config](const TrialRecord& trial) {
    const std::string stem = config.output_dir + "/checkpoints/trial_" + std::to_string(trial.id);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(config.output_dir + "/checkpoints", ec)) {
      if (checkpoint_epoch_of(stem, entry.path().filename().string())) fs::remove_all(entry.path(), ec);
    }
  };
  options.clone_checkpoint = [&config](const TrialRecord& trial, const TrialRecord& donor, int epoch) {
    clone_checkpoint(config.output_dir + "/checkpoints", trial, donor, epoch, std::cerr);
  };
  Coordinator coordinator(config, *sampler, *scheduler, transport, *opened.store, std::cout, options);

  const std::string path = config.study_file();
  std::cout << elapsed_prefix(0) << "study " << config.name << ": " << mpi.size() - 1
            << (mpi.size() == 2 ? " worker " : " workers ") << describe_placement(placement);
  if (ranks_per_trial > 1) {
    const bool gpus = placement.device.size() > 1 && placement.device[1] >= 0;
    std::cout << ", in " << groups.plan.groups.size() << " trial groups of " << ranks_per_trial
              << " ranks (";
    if (config.objective.command.empty()) {
      std::cout << "data parallel, " << (gpus ? "NCCL" : "MPI") << " allreduce)";
    } else {
      std::cout << "a process of the program on each, RANK 0-" << ranks_per_trial - 1 << ")";
    }
  }
  std::cout << "; results in " << path << std::endl;
  if (job_left) {
    std::cout << elapsed_prefix(0) << "the Slurm job's time limit is in "
              << static_cast<long>(*job_left) << " s: the study saves itself and exits "
              << kExitResume << " " << before_limit << " s before it" << std::endl;
  } else if (before_limit > 0) {
    std::cout << elapsed_prefix(0) << "preemption.before_limit_seconds: not in a Slurm job with "
              << "a time limit, so not used" << std::endl;
  }
  if (!warm.from.empty()) {
    const std::string& name = config.scheduler.name();
    std::cout << elapsed_prefix(0) << warm.summary << "; "
              << (!scheduler_warm            ? name + " does not use them"
                  : warm.complete.empty()    ? "none is complete in this search space, so " +
                                                   name + "'s rungs start empty"
                                             : name + " counts the " +
                                                   std::to_string(warm.complete.size()) +
                                                   " complete in this search space at its rungs")
              << std::endl;
  }
  if (opened.lock->recovered()) {
    std::cout << elapsed_prefix(0) << "took over the lock of a run that is gone" << std::endl;
  }
  if (const auto& old = opened.store->existing()) {
    ResumeState state;
    state.trials = old->trials;
    restore_choice_types(config.space, state.trials);
    state.elapsed = old->elapsed;
    state.start_time = old->start_time;
    state.test = old->test;
    sampler->load_state(old->sampler_state);
    int finished = 0, running = 0;
    for (const auto& t : state.trials) {
      finished += is_finished(t.status) ? 1 : 0;
      running += t.status == TrialStatus::Running ? 1 : 0;
    }
    std::cout << elapsed_prefix(old->elapsed) << "resuming: " << state.trials.size()
              << " trials recorded, " << finished << " finished, " << running
              << " to restart from their checkpoints" << std::endl;
    coordinator.resume(std::move(state));
  }

  const StudyEnd end = coordinator.run();
  if (coordinator.unresponsive_workers()) {
    // MPI_Finalize would wait for the silent worker forever: end every rank now. What was
    // recorded is saved; the status asks for another run, as an interruption does.
    if (!coordinator.halt_reason().empty()) std::cerr << "rungs: " << coordinator.halt_reason() << std::endl;
    std::cout << "a worker did not answer in time; what was recorded is in " << path
              << "; ending the job with exit status " << kExitResume << " (run again to resume)"
              << std::endl;
    mpi.abort(kExitResume);
  }
  if (end == StudyEnd::Interrupted) {
    if (!coordinator.halt_reason().empty()) {
      std::cerr << "rungs: " << coordinator.halt_reason() << std::endl;
      std::cout << "stopped by a storage error; what was recorded is in " << path
                << "; exit status " << kExitResume << " (run again once the storage has room)"
                << std::endl;
    } else {
      const int signal = last_stop_signal();
      std::cout << (signal != 0 ? "interrupted by " + signal_name(signal)
                                : std::string("stopped before the Slurm job's time limit"))
                << "; study saved in " << path << "; exit status " << kExitResume
                << " (run again to resume)" << std::endl;
    }
    return kExitResume;
  }
  if (const TrialRecord* best = best_trial(coordinator.trials(), config.objective.direction)) {
    std::printf("best trial %d: %s %.4f %s\n", best->id, config.objective.metric.c_str(),
                *best->best_value(config.objective.direction), to_string(best->params).c_str());
    if (coordinator.test()) std::printf("test accuracy of trial %d: %.4f\n", best->id, coordinator.test()->accuracy);
  }
  std::printf("results: %s (rungs best %s)\n", path.c_str(), path.c_str());
  std::fflush(stdout);
  return 0;
}
}  // namespace

int command_run(int& argc, char**& argv, const std::string& study_yaml, const std::string& output,
                const std::vector<std::string>& overrides) {
  // Every rank validates on its own before MPI starts, so that a bad file ends every rank
  // with status 2 at once, without a hang and without writing anything.
  StudyConfig config = load_and_validate(study_yaml, overrides);
  if (!output.empty()) config.output_dir = output;

  // Handlers only count; rank 0 turns the first signal into a drain. Workers keep running
  // until rank 0 interrupts them (mpirun forwards signals to every rank). Installed before
  // MPI starts, so that a signal during start-up is not fatal but ends the run cleanly.
  watch_stop_signals(parse_signal(config.durability.stop_signal));
  MpiSession mpi(argc, argv);
  watch_stop_signals(parse_signal(config.durability.stop_signal));  // in case MPI replaced them
  // Finalized only when this rank returns; an exception goes on to main, which aborts the job.
  const int code = run_ranks(config, study_yaml, mpi);
  mpi.finalize();
  return code;
}

}  // namespace rungs

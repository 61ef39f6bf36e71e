// rungs::main: the rungs command line (rungs run, validate, simulate, status, ...), for
// rungs' own executable and for a user's executable with their models (docs/cpp-models.md).
#include "rungs/main.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpi_driver/commands.h"
#include "mpi_driver/mpi_session.h"
#include "mpi_driver/report_commands.h"
#include "mpi_driver/simulate_command.h"
#include "study/errors.h"
#include "study/version.h"
#include "trainer/model_registry.h"

int rungs::main(int argc, char** argv) {
  CLI::App app{"rungs: hyperparameter search for MPI clusters.\n"
               "Rank 0 samples configurations and stops bad trials early; every other rank trains.\n"
               "Results live in STUDY_OUTPUT/study.h5 (HDF5, readable with h5py)."};
  app.set_version_flag("--version", std::string("rungs ") + rungs::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 done; 2 bad input (a study file, a flag, a study.h5: one line names the\n"
      "file, field and value; nothing on disk is changed); 75 the study stopped before its end\n"
      "(a signal, a full disk, a hung worker) and is saved: run the same command again, as a\n"
      "requeued Slurm job does; 1 an error on a rank (its message names the rank).\n"
      "Environment: ${NAME} in a study's output and objective.data_dir is the variable NAME\n"
      "(e.g. ${SCRATCH}); SLURM_JOB_ID is recorded in study.h5; CUDA_VISIBLE_DEVICES names the\n"
      "GPUs a rank may use. HDF5's own file locking is off (rungs locks a study itself).\n"
      "Documentation: README.md and docs/ in the rungs source tree.");

  std::string run_file, run_output, validate_file;
  std::vector<std::string> overrides;
  const auto add_set = [&overrides](CLI::App* command) {
    command->add_option("--set", overrides,
                        "Set a field of the study file, as if it said so (repeatable; validated "
                        "like the file, recorded in study.h5): --set budget.max_trials=50")
        ->type_name("FIELD.PATH=VALUE");
  };
  auto* run = app.add_subcommand("run", "Run a study: mpirun -n 3 rungs run STUDY.yaml (1 coordinator + 2 workers)");
  run->add_option("study", run_file, "The study file (YAML)")->required();
  run->add_option("-o,--output", run_output,
                  "Folder for study.h5 and checkpoints, instead of the study file's output:");
  add_set(run);
  auto* validate = app.add_subcommand("validate", "Check a study file without running it");
  validate->add_option("study", validate_file, "The study file (YAML)")->required();
  add_set(validate);
  std::string simulate_file;
  int simulate_workers = 16;
  auto* simulate = app.add_subcommand(
      "simulate",
      "Simulate a study's scheduling in virtual time on synthetic learning curves (no MPI, "
      "data or GPU); a fifo study compares every scheduler");
  simulate->add_option("study", simulate_file, "The study file (YAML)")->required();
  simulate->add_option("-w,--workers", simulate_workers, "Simulated workers")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_set(simulate);
  const rungs::ReportCommands report_commands(app);  // best, status, export, report

  try {
    rungs::model_names();  // the models' registrations: a mistake in one ends the program
  } catch (const std::logic_error& e) {
    std::cerr << "rungs: " << e.what() << std::endl;
    return 1;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*validate) return rungs::command_validate(validate_file, overrides);
    if (*simulate) {
      return rungs::command_simulate(simulate_file, simulate_workers, std::cout, overrides);
    }
    if (report_commands.parsed()) return report_commands.run();
    return rungs::command_run(argc, argv, run_file, run_output, overrides);
  } catch (const rungs::ConfigError& e) {
    // Errors every rank agreed on end the job before MPI starts or through a clean exit;
    // one that reaches here after MPI started came from this rank alone: end the job.
    if (rungs::launcher_rank() == 0) std::cerr << "rungs: " << e.what() << std::endl;
    rungs::MpiSession::abort_if_running(2);
    // Before MPI: every rank read the same study file and found the same error. Rank 0 says
    // it and its 2 is the job's exit status; the others leave with 0, since a launcher ends
    // the whole job at the first rank that fails, which could be before rank 0 has printed.
    return rungs::launcher_rank() == 0 ? 2 : 0;
  } catch (const std::exception& e) {
    std::cerr << "rungs: error on rank " << rungs::launcher_rank() << ": " << e.what() << std::endl;
    rungs::MpiSession::abort_if_running(1);  // a finalize would hang the other ranks
    return 1;
  } catch (...) {
    std::cerr << "rungs: error on rank " << rungs::launcher_rank() << ": unknown exception"
              << std::endl;
    rungs::MpiSession::abort_if_running(1);
    return 1;
  }
}

#pragma once
/// The command line of a trial that runs the user's program (objective.command): each
/// element of the study file's list is one argument, with placeholders filled per trial.
///   {NAME}          the value of hyperparameter NAME as YAML writes it: 0.001, 64, adam, true
///   {args}          becomes "--NAME VALUE" for every active hyperparameter (several arguments)
///   {params_json}   the path of a JSON file with the trial's hyperparameters
///   {trial_id} {trial_dir} {checkpoint_dir} {epochs} {seed}
///   {start_epoch} {end_epoch}  the epochs already trained, and where this run ends
///   {study_dir}     the folder of the study file (the program runs in {trial_dir})
/// A placeholder names a hyperparameter only if the study has it; one that is conditional
/// (absent from some trials) must go through {args}. "{{" and "}}" are literal braces.
#include <map>
#include <string>
#include <vector>

#include "study/param.h"
#include "study/search_space.h"

namespace rungs {

/// What a trial's placeholders stand for, besides its hyperparameters.
struct CommandContext {
  Params params;            ///< fixed and sampled, active ones only
  int trial_id = 0;
  std::string trial_dir;    ///< OUTPUT/trials/ID: the program's working folder
  std::string checkpoint_dir;  ///< OUTPUT/checkpoints
  std::string params_json;  ///< the file with the hyperparameters as JSON
  int epochs = 0;           ///< max epochs of the trial
  int start_epoch = 0;      ///< epochs trained before this run
  int end_epoch = 0;        ///< epochs trained in all when this run ends
  std::uint64_t seed = 0;
  std::string study_dir;    ///< the folder of the study file, absolute
};

/// The arguments of the program for one trial (placeholders filled).
std::vector<std::string> expand_command(const std::vector<std::string>& command,
                                        const CommandContext& context);

/// The first problem of `command` for `space` and `fixed` ("objective.command[2]: {lrr}
/// names no hyperparameter; the study has lr, width"), or empty. `field` names the list.
std::string command_problem(const std::vector<std::string>& command, const SearchSpace& space,
                            const Params& fixed, const std::string& field = "objective.command");

/// Whether an element of `command` has the placeholder {name}.
bool uses_placeholder(const std::vector<std::string>& command, const std::string& name);

/// The hyperparameters as one JSON object: {"lr": 0.001, "width": 64, "opt": "adam"}.
std::string params_to_json(const Params& params);

}  // namespace rungs

#include "study/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "study/command_line.h"
#include "study/data_fields.h"
#include "study/errors.h"
#include "study/line_pattern.h"
#include "study/objectives_config.h"
#include "study/yaml_fields.h"

namespace rungs {

using yaml_fields::Field;
using yaml_fields::parse_direction;

namespace {

// Parameter kinds and what each one accepts.
ParamSpec parse_param(const Field& f, const std::string& name, const SearchSpace& earlier) {
  f.require_map();
  ParamSpec spec;
  spec.name = name;
  const std::string type = f.child("type").as_string();
  if (type == "float") {
    f.only_keys({"type", "low", "high", "log", "step", "grid", "when"});
    spec.kind = ParamKind::Float;
    spec.low = f.child("low").as_double();
    spec.high = f.child("high").as_double();
    if (f.child("step").present()) {
      spec.step = f.child("step").as_double();
      if (spec.step <= 0) f.child("step").fail("must be > 0");
    }
  } else if (type == "int") {
    f.only_keys({"type", "low", "high", "log", "step", "grid", "when"});
    spec.kind = ParamKind::Int;
    spec.low = static_cast<double>(f.child("low").as_int());
    spec.high = static_cast<double>(f.child("high").as_int());
    spec.step = f.child("step").present() ? static_cast<double>(f.child("step").as_int()) : 1.0;
    if (spec.step < 1) f.child("step").fail("must be >= 1");
  } else if (type == "categorical") {
    f.only_keys({"type", "choices", "grid", "when"});
    spec.kind = ParamKind::Categorical;
    const Field choices = f.child("choices");
    if (!choices.node.IsSequence() || choices.node.size() == 0) {
      choices.fail("must be a non-empty list of values");
    }
    for (std::size_t i = 0; i < choices.node.size(); ++i) {
      Field c{f.file, choices.node[i], choices.path + "[" + std::to_string(i) + "]"};
      ParamValue v = c.as_value();
      for (const auto& seen : spec.choices) {
        if (seen == v) c.fail("appears twice in choices");
      }
      spec.choices.push_back(std::move(v));
    }
  } else {
    f.child("type").fail("is not a parameter type (expected float, int or categorical)");
  }

  if (spec.kind != ParamKind::Categorical) {
    spec.log = f.child("log").present() && f.child("log").as_bool();
    if (spec.low > spec.high) {
      f.child("low").fail("must be <= high (" + to_string(ParamValue(spec.high)) + ")");
    }
    if (spec.log && spec.low <= 0) f.child("low").fail("must be > 0 when log is true");
    if (spec.log && spec.kind == ParamKind::Float && spec.step > 0) {
      f.child("step").fail("cannot be combined with log: true");
    }
    if (spec.log && spec.kind == ParamKind::Int && spec.step != 1) {
      f.child("step").fail("must be 1 when log is true");
    }
    if (spec.step > 0 && spec.step > spec.high - spec.low && spec.high > spec.low) {
      f.child("step").fail("is larger than high - low");
    }
  }

  if (f.child("grid").present()) {
    const Field grid = f.child("grid");
    if (!grid.node.IsSequence() || grid.node.size() == 0) grid.fail("must be a non-empty list");
    for (std::size_t i = 0; i < grid.node.size(); ++i) {
      Field g{f.file, grid.node[i], grid.path + "[" + std::to_string(i) + "]"};
      spec.grid.push_back(g.as_value_of(spec));
    }
  }

  if (f.child("when").present()) {
    const Field when = f.child("when");
    if (!when.node.IsMap() || when.node.size() != 1) {
      when.fail("must name one parent parameter and its values, e.g. {optimizer: [sgd]}");
    }
    const std::string parent = when.node.begin()->first.Scalar();
    const Field values = when.child(parent);
    const ParamSpec* p = earlier.find(parent);
    if (!p) values.fail("names no parameter defined above " + name);
    Condition cond{parent, {}};
    auto add = [&](const Field& v) { cond.values.push_back(v.as_value_of(*p)); };
    if (values.node.IsSequence()) {
      if (values.node.size() == 0) values.fail("must list at least one value");
      for (std::size_t i = 0; i < values.node.size(); ++i) {
        add(Field{f.file, values.node[i], values.path + "[" + std::to_string(i) + "]"});
      }
    } else {
      add(values);
    }
    spec.when = std::move(cond);
  }
  return spec;
}

/// `enqueue:`, a list of (partial) configurations of the searched parameters. A conditional
/// parameter comes with its parent, and only where the parent's value makes it active.
std::vector<Params> parse_enqueue(const Field& f, const SearchSpace& space, const Params& fixed) {
  std::vector<Params> queue;
  if (!f.present()) return queue;
  if (!f.node.IsSequence()) f.fail("must be a list of configurations, e.g. [{lr: 0.01}]");
  for (std::size_t i = 0; i < f.node.size(); ++i) {
    const Field entry{f.file, f.node[i], f.path + "[" + std::to_string(i) + "]"};
    entry.require_map();
    if (entry.node.size() == 0) entry.fail("must set at least one searched parameter");
    Params params;
    for (const auto& kv : entry.node) {
      const std::string pname = kv.first.Scalar();
      const Field value = entry.child(pname);
      const ParamSpec* spec = space.find(pname);
      if (!spec && fixed.count(pname)) value.fail("is fixed; enqueue sets searched parameters only");
      if (!spec) value.fail("is not a parameter of search_space");
      params[pname] = value.as_value_of(*spec);
    }
    for (const ParamSpec& spec : space.params()) {
      if (!spec.when || !params.count(spec.name)) continue;
      const Field value = entry.child(spec.name);
      const auto parent = params.find(spec.when->parent);
      if (parent == params.end()) {
        value.fail("is conditional on " + spec.when->parent + ", which this configuration must set too");
      }
      if (!space.is_active(spec, params)) {
        value.fail("is inactive when " + spec.when->parent + " is " + to_string(parent->second));
      }
    }
    queue.push_back(std::move(params));
  }
  return queue;
}

AlgorithmOptions parse_algorithm(const Field& f, const AlgorithmOptions& fallback) {
  const std::string where = f.file + ": " + f.path;
  if (!f.present()) return fallback;
  if (f.node.IsScalar()) return AlgorithmOptions(f.as_string(), {}, where);
  f.require_map();
  const std::string name = f.child("name").as_string();
  std::map<std::string, ParamValue> values;
  std::map<std::string, std::vector<ParamValue>> lists;
  for (const auto& kv : f.node) {
    const std::string key = kv.first.Scalar();
    if (key == "name") continue;
    const Field child = f.child(key);
    if (!child.node.IsSequence()) {
      values[key] = child.as_value();
      continue;
    }
    auto& list = lists[key];
    for (std::size_t i = 0; i < child.node.size(); ++i) {
      list.push_back(Field{f.file, child.node[i], child.path + "[" + std::to_string(i) + "]"}.as_value());
    }
  }
  AlgorithmOptions options(name, std::move(values), where);
  for (auto& [key, list] : lists) options.set_list(key, std::move(list));
  return options;
}

int positive_int(const Field& f, int fallback, int minimum) {
  if (!f.present()) return fallback;
  const std::int64_t v = f.as_int();
  if (v < minimum) f.fail("must be >= " + std::to_string(minimum));
  if (v > 1'000'000'000) f.fail("is too large");
  return static_cast<int>(v);
}

double positive_seconds(const Field& f, double fallback) {
  if (!f.present()) return fallback;
  const double v = f.as_double();
  if (!(v >= 0) || v > 1e9) f.fail("must be seconds >= 0");
  return v;
}

/// A list of strings (a command line's elements).
std::vector<std::string> string_list(const Field& list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.node.size(); ++i) {
    const Field arg{list.file, list.node[i], list.path + "[" + std::to_string(i) + "]"};
    if (!arg.node.IsScalar()) arg.fail("must be a string");
    out.push_back(arg.node.Scalar());
  }
  return out;
}

/// objective.command: the user's program. Only what concerns a program may be given with it.
ObjectiveConfig parse_command_objective(const Field& f, const std::string& first_objective) {
  f.only_keys({"command", "report", "resume_args", "metric", "direction", "timeouts"});
  ObjectiveConfig o;
  const Field command = f.child("command");
  if (!command.node.IsSequence() || command.node.size() == 0) {
    command.fail("must be a list of the program and its arguments, e.g. [python3, train.py, "
                 "--lr, \"{lr}\"]");
  }
  o.command = string_list(command);
  if (!f.child("metric").present() && first_objective.empty())
    f.child("metric").fail("is required: the name of the reported metric to tune");
  o.metric = f.child("metric").present() ? f.child("metric").as_string() : first_objective;
  const Field report = f.child("report");
  if (report.present()) {
    report.require_map();
    report.only_keys({"regex"});
    const Field regex = report.child("regex");
    o.report_regex = regex.as_string();
    if (o.report_regex.empty()) regex.fail("must not be empty");
    try {
      const LinePattern pattern(o.report_regex);
      const auto& names = pattern.names();
      if (std::find(names.begin(), names.end(), o.metric) == names.end()) {
        std::string listed;
        for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
        regex.fail("has no group named " + o.metric + " (objective.metric), e.g. (?P<" +
                   o.metric + ">[0-9.]+); its named groups: " + (listed.empty() ? "none" : listed));
      }
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      regex.fail(std::string("is not a regular expression: ") + e.what());
    }
  }
  const Field resume = f.child("resume_args");
  if (resume.present()) {
    if (o.report_regex.empty()) {
      resume.fail("is for programs read through objective.report.regex; a program on the "
                  "client resumes from trial.resume_from");
    }
    if (!resume.node.IsSequence() || resume.node.size() == 0) {
      resume.fail("must be a list of arguments, e.g. [--resume, \"{trial_dir}/last.pt\"]");
    }
    o.resume_args = string_list(resume);
  }
  const Field timeouts = f.child("timeouts");
  if (timeouts.present()) {
    timeouts.require_map();
    timeouts.only_keys({"start", "epoch", "stop"});
    o.timeouts.start = positive_seconds(timeouts.child("start"), o.timeouts.start);
    o.timeouts.epoch = positive_seconds(timeouts.child("epoch"), o.timeouts.epoch);
    o.timeouts.stop = positive_seconds(timeouts.child("stop"), o.timeouts.stop);
  }
  return o;
}

/// `first_objective`: the first metric of `objectives:`, which stands for objective.metric.
ObjectiveConfig parse_objective(const Field& f, const std::string& first_objective) {
  f.require_map();
  ObjectiveConfig o;
  if (f.child("command").present()) {
    o = parse_command_objective(f, first_objective);
  } else if (f.child("model").present() && f.child("model").as_string() == "synthetic") {
    o.synthetic = parse_synthetic_objective(f);
  } else {
    f.only_keys({"model", "dataset", "data_dir", "data", "task", "metric", "direction",
                 "train_samples", "val_samples"});
  }
  if (f.child("data").present()) {
    o.data = parse_data(f.child("data"), f.file);
    for (const char* key : {"dataset", "data_dir", "train_samples", "val_samples"})
      if (f.child(key).present())
        f.child(key).fail("is for Fashion-MNIST; it cannot be given with objective.data");
  }
  o.task = parse_task(f.child("task"));
  if (!o.data && f.child("task").present())
    f.child("task").fail("is for objective.data (the built-in data sets are classification)");
  if (o.task == Task::Regression && !f.child("metric").present()) o.metric = "val_loss";
  if (f.child("model").present()) o.model = f.child("model").as_string();
  if (f.child("dataset").present()) o.dataset = f.child("dataset").as_string();
  if (f.child("data_dir").present()) {
    o.data_dir = expand_environment(f.child("data_dir").as_string(),
                                    f.file + ": " + f.child("data_dir").path);
  }
  if (f.child("metric").present()) o.metric = f.child("metric").as_string();
  o.direction = parse_direction(f.child("direction"), o.metric);
  o.train_samples = positive_int(f.child("train_samples"), o.train_samples, 1);
  o.val_samples = positive_int(f.child("val_samples"), o.val_samples, 1);
  return o;
}

}  // namespace

std::string StudyConfig::where(const std::string& field) const { return path + ": " + field; }

AlgorithmOptions default_sampler(const std::string& where) {
  return AlgorithmOptions("tpe", {{"multivariate", true}}, where);
}

StudyConfig parse_study_config(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": not valid YAML: " + e.msg);
  }
  const Field top{path, root, ""};
  if (!root.IsMap()) throw ConfigError(path + ": a study file must be a YAML map of fields");
  top.only_keys({"name", "output", "seed", "objective", "objectives", "constraints", "search_space",
                 "fixed", "enqueue", "warm_start", "sampler", "scheduler", "budget", "resources",
                 "checkpoints", "preemption"});

  StudyConfig c;
  c.path = path;
  c.text = text;
  const Field name = top.child("name");
  c.name = name.as_string();
  if (!std::regex_match(c.name, std::regex("[A-Za-z0-9_.-]+"))) {
    name.fail("must use only letters, digits, '_', '.' and '-'");
  }
  c.output_dir = top.child("output").present()
                     ? expand_environment(top.child("output").as_string(), c.where("output"))
                     : "runs/" + c.name;
  if (c.output_dir.empty()) top.child("output").fail("must not be empty");
  if (top.child("seed").present()) {
    const std::int64_t seed = top.child("seed").as_int();
    if (seed < 0) top.child("seed").fail("must be >= 0");
    c.seed = static_cast<std::uint64_t>(seed);
  }

  const Field objective = top.child("objective");
  if (!objective.present()) objective.fail("is required");
  c.multi = yaml_fields::parse_multi_objective(top);
  c.objective = parse_objective(objective, c.multi.objectives.empty() ? "" : c.multi.objectives[0].metric);
  yaml_fields::adopt_first_objective(c.multi, objective, c.objective);

  const Field space = top.child("search_space");
  if (!space.present()) space.fail("is required");
  space.require_map();
  std::vector<ParamSpec> specs;
  for (const auto& kv : space.node) {
    const std::string pname = kv.first.Scalar();
    if (!std::regex_match(pname, std::regex("[A-Za-z_][A-Za-z0-9_]*"))) {
      space.child(pname).fail("is not a valid parameter name (letters, digits, '_')");
    }
    specs.push_back(parse_param(space.child(pname), pname, SearchSpace(specs)));
  }
  c.space = SearchSpace(std::move(specs));

  const Field fixed = top.child("fixed");
  if (fixed.present()) {
    fixed.require_map();
    for (const auto& kv : fixed.node) {
      const std::string pname = kv.first.Scalar();
      if (c.space.find(pname)) {
        fixed.child(pname).fail("is also in search_space; a parameter is either fixed or searched");
      }
      c.fixed[pname] = fixed.child(pname).as_value();
    }
  }
  if (!c.objective.command.empty()) {
    std::string problem = command_problem(c.objective.command, c.space, c.fixed);
    if (problem.empty()) {
      problem = command_problem(c.objective.resume_args, c.space, c.fixed, "objective.resume_args");
    }
    if (!problem.empty()) throw ConfigError(c.where(problem));
  }

  c.enqueue = parse_enqueue(top.child("enqueue"), c.space, c.fixed);
  const Field warm = top.child("warm_start");
  if (warm.present()) {
    warm.require_map();
    warm.only_keys({"from"});
    const Field from = warm.child("from");
    if (!from.present()) from.fail("is required: the study.h5 of the earlier study");
    c.warm_start = expand_environment(from.as_string(), c.where("warm_start.from"));
    if (c.warm_start.empty()) from.fail("must not be empty");
  }
  c.sampler = parse_algorithm(top.child("sampler"), c.multi.objectives.empty()
                                                        ? default_sampler(path + ": sampler")
                                                        : AlgorithmOptions("nsga2", {}, path + ": sampler"));
  if (!c.multi.objectives.empty() && (c.sampler.name() == "tpe" || c.sampler.name() == "gp")) {
    throw ConfigError(path + ": sampler: " + c.sampler.name() + " optimises one objective; with "
                      "objectives: use nsga2 (the default then), random, sobol or grid");
  }
  c.scheduler =
      parse_algorithm(top.child("scheduler"), AlgorithmOptions("fifo", {}, path + ": scheduler"));

  const Field budget = top.child("budget");
  if (!budget.present()) budget.fail("is required (max_trials and epochs)");
  budget.require_map();
  budget.only_keys({"max_trials", "epochs", "seconds", "epochs_total", "when_spent"});
  c.budget.max_trials = positive_int(budget.child("max_trials"), 0, 1);
  c.budget.epochs = positive_int(budget.child("epochs"), 0, 1);
  if (budget.child("seconds").present()) {
    c.budget.seconds = positive_seconds(budget.child("seconds"), 0);
    if (c.budget.seconds <= 0) budget.child("seconds").fail("must be > 0");
  }
  c.budget.epochs_total = positive_int(budget.child("epochs_total"), 0, 1);
  const Field when_spent = budget.child("when_spent");
  if (when_spent.present()) {
    const std::string rule = when_spent.as_string();
    if (rule != "finish_rung" && rule != "stop") when_spent.fail("must be finish_rung or stop");
    c.budget.stop_when_spent = rule == "stop";
  }
  if (!budget.child("max_trials").present()) budget.child("max_trials").fail("is required");
  if (!budget.child("epochs").present()) budget.child("epochs").fail("is required");

  const Field resources = top.child("resources");
  if (resources.present()) {
    resources.require_map();
    resources.only_keys({"device", "ranks_per_trial", "threads_per_worker", "trials_per_gpu"});
    const Field device = resources.child("device");
    if (device.present()) {
      const std::string d = device.as_string();
      if (d == "auto") c.resources.device = DeviceChoice::Auto;
      else if (d == "cpu") c.resources.device = DeviceChoice::Cpu;
      else if (d == "cuda") c.resources.device = DeviceChoice::Cuda;
      else device.fail("must be auto, cpu or cuda");
    }
    c.resources.ranks_per_trial = positive_int(resources.child("ranks_per_trial"), 1, 1);
    if (c.resources.ranks_per_trial > 1 && c.objective.is_synthetic()) {
      resources.child("ranks_per_trial").fail("must be 1 with objective.model synthetic");
    }
    if (c.resources.ranks_per_trial > 1 && !c.objective.report_regex.empty()) {
      // Its other ranks' programs could hear no decision and keep no checkpoint of rank 0's.
      resources.child("ranks_per_trial")
          .fail("must be 1 with objective.report.regex: a program runs on several ranks of a "
                "trial only on the client (rungs_trial), which tells every rank rungs' decisions");
    }
    c.resources.threads_per_worker = positive_int(resources.child("threads_per_worker"), 0, 0);
    c.resources.trials_per_gpu = positive_int(resources.child("trials_per_gpu"), 1, 1);
    if (c.resources.trials_per_gpu > 1 && c.resources.ranks_per_trial > 1) {
      resources.child("trials_per_gpu")
          .fail("needs ranks_per_trial 1 (packed trials share a GPU; NCCL wants one rank "
                "per GPU), ranks_per_trial is " + std::to_string(c.resources.ranks_per_trial));
    }
  }

  const Field checkpoints = top.child("checkpoints");
  if (checkpoints.present()) {
    checkpoints.require_map();
    checkpoints.only_keys({"every", "keep", "study_seconds", "fit_limit"});
    c.durability.checkpoint_every = positive_int(checkpoints.child("every"), 1, 0);
    c.durability.keep_checkpoints = positive_int(checkpoints.child("keep"), 5, 0);
    const Field seconds = checkpoints.child("study_seconds");
    if (seconds.present()) {
      c.durability.snapshot_seconds = seconds.as_double();
      if (c.durability.snapshot_seconds <= 0) seconds.fail("must be > 0");
    }
  }
  const Field preemption = top.child("preemption");
  if (preemption.present()) {
    preemption.require_map();
    preemption.only_keys({"signal", "grace_seconds", "max_attempts", "report_timeout_seconds",
                          "before_limit_seconds"});
    const Field signal = preemption.child("signal");
    if (signal.present()) {
      c.durability.stop_signal = signal.as_string();
      const auto& s = c.durability.stop_signal;
      if (s != "USR1" && s != "USR2" && s != "none") signal.fail("must be USR1, USR2 or none");
    }
    c.durability.grace_seconds = positive_int(preemption.child("grace_seconds"), 60, 1);
    c.durability.max_attempts = positive_int(preemption.child("max_attempts"), 3, 1);
    c.durability.report_timeout_seconds =
        positive_int(preemption.child("report_timeout_seconds"), 4 * 3600, 0);
    c.durability.before_limit_seconds = positive_int(preemption.child("before_limit_seconds"), 0, 0);
  }
  if (checkpoints.present() && checkpoints.child("fit_limit").present()) {
    const Field fit = checkpoints.child("fit_limit");
    c.durability.fit_limit = fit.as_bool();
    if (c.durability.fit_limit && c.durability.before_limit_seconds == 0) {
      fit.fail("needs preemption.before_limit_seconds (the stop it fits epochs before)");
    }
  }
  return c;
}

std::string expand_environment(const std::string& text, const std::string& where) {
  std::string out;
  std::size_t at = 0;
  for (;;) {
    const std::size_t open = text.find("${", at);
    if (open == std::string::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) {
      throw ConfigError(where + ": " + text + ": '${' without a closing '}'");
    }
    const std::string name = text.substr(open + 2, close - open - 2);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      throw ConfigError(where + ": " + text + ": ${" + name + "} is not set in the environment");
    }
    out += text.substr(at, open - at) + value;
    at = close + 1;
  }
  return out + text.substr(at);
}

namespace {

/// Emits `node` as yaml-cpp would, except that a scalar quoted in its source ("128") stays
/// quoted: yaml-cpp alone writes it plain, and it would read back as a number.
void emit_keeping_quotes(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      if (node.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& kv : node) {
        out << YAML::Key;
        emit_keeping_quotes(out, kv.first);
        out << YAML::Value;
        emit_keeping_quotes(out, kv.second);
      }
      out << YAML::EndMap;
      return;
    case YAML::NodeType::Sequence:
      if (node.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node) emit_keeping_quotes(out, item);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") out << YAML::DoubleQuoted;
      out << node.Scalar();
      return;
    default:
      out << node;
  }
}

}  // namespace

std::string apply_overrides(const std::string& text, const std::vector<std::string>& overrides,
                            const std::string& path) {
  if (overrides.empty()) return text;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap()) throw ConfigError(path + ": a study file must be a YAML map of fields");
  for (const std::string& item : overrides) {
    const std::string what = "--set " + item;
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw ConfigError(what + ": expected FIELD.PATH=VALUE, e.g. budget.max_trials=20");
    }
    std::vector<std::string> keys;
    std::stringstream field(item.substr(0, equals));
    for (std::string key; std::getline(field, key, '.');) {
      if (key.empty()) throw ConfigError(what + ": an empty key in the field path");
      keys.push_back(key);
    }
    YAML::Node value;
    try {
      value = YAML::Load(item.substr(equals + 1));
    } catch (const YAML::Exception& e) {
      throw ConfigError(what + ": the value is not valid YAML: " + e.msg);
    }
    // Walk down with fresh handles: assigning to a yaml-cpp node reached by operator[]
    // rebinds it, so keep the chain of parents and set the last key in its parent.
    std::vector<YAML::Node> chain{root};
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
      YAML::Node next = chain.back()[keys[i]];
      if (!next.IsDefined() || next.IsNull()) {
        chain.back()[keys[i]] = YAML::Node(YAML::NodeType::Map);
        next = chain.back()[keys[i]];
      } else if (!next.IsMap()) {
        std::string prefix = keys[0];
        for (std::size_t k = 1; k <= i; ++k) prefix += "." + keys[k];
        throw ConfigError(what + ": " + prefix + " is not a map in " + path);
      }
      chain.push_back(next);
    }
    chain.back()[keys.back()] = value;
  }
  YAML::Emitter out;
  emit_keeping_quotes(out, root);
  return std::string(out.c_str()) + "\n";
}

StudyConfig load_study_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the study file (" + std::strerror(errno) + ")");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_study_config(apply_overrides(text.str(), overrides, path), path);
}

}  // namespace rungs

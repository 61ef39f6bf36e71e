#include <gtest/gtest.h>

#include <fstream>

#include "study/config.h"
#include "study/errors.h"

namespace rungs {
namespace {

const char* kGood = R"(
name: fashion_mlp
seed: 7
objective: {model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000}
search_space:
  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
  layers: {type: int, low: 1, high: 4}
  width: {type: int, low: 64, high: 512, step: 64}
  optimizer: {type: categorical, choices: [sgd, adam]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
  nesterov: {type: categorical, choices: [true, false], when: {optimizer: sgd}}
  batch_size: {type: categorical, choices: [64, 128, "256"]}
fixed: {dropout: 0.1}
sampler: random
scheduler: {name: fifo}
budget: {max_trials: 12, epochs: 3}
)";

// Replaces the first occurrence of `from` in the good file by `to`.
std::string variant(const std::string& from, const std::string& to) {
  std::string text = kGood;
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return text.replace(pos, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    parse_study_config(text, "study.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, ParsesEveryField) {
  const StudyConfig c = parse_study_config(kGood, "study.yaml");
  EXPECT_EQ(c.name, "fashion_mlp");
  EXPECT_EQ(c.output_dir, "runs/fashion_mlp");
  EXPECT_EQ(c.study_file(), "runs/fashion_mlp/study.h5");
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.objective.train_samples, 2000);
  EXPECT_EQ(c.objective.direction, Direction::Maximize);
  ASSERT_EQ(c.space.size(), 7u);
  const ParamSpec& lr = c.space.params()[0];
  EXPECT_EQ(lr.name, "lr");  // file order is kept: parents come before children
  EXPECT_TRUE(lr.log);
  EXPECT_DOUBLE_EQ(lr.low, 1e-4);
  EXPECT_EQ(c.space.find("width")->step, 64);
  ASSERT_TRUE(c.space.find("momentum")->when.has_value());
  EXPECT_EQ(c.space.find("momentum")->when->parent, "optimizer");
  const auto& bs = c.space.find("batch_size")->choices;
  EXPECT_EQ(bs[0], ParamValue(std::int64_t{64}));
  EXPECT_EQ(bs[2], ParamValue(std::string("256")));  // quoted stays a string
  EXPECT_EQ(c.space.find("nesterov")->choices[0], ParamValue(true));
  EXPECT_EQ(c.fixed.at("dropout"), ParamValue(0.1));
  EXPECT_EQ(c.sampler.name(), "random");  // as written
  EXPECT_EQ(c.scheduler.name(), "fifo");
  EXPECT_EQ(c.budget.max_trials, 12);
  EXPECT_EQ(c.text, kGood);
}

TEST(Config, LossMetricDefaultsToMinimize) {
  const StudyConfig c = parse_study_config(
      variant("metric: val_accuracy, direction: maximize", "metric: val_loss"), "s.yaml");
  EXPECT_EQ(c.objective.direction, Direction::Minimize);
}

TEST(Config, SeveralObjectivesTheFirstBeingTheStudysObjective) {
  const std::string two = "objective: {model: mlp}\nobjectives:\n  - {metric: val_loss}\n"
                          "  - {metric: params, direction: minimize}\n"
                          "constraints: [{metric: peak_memory_mb, max: 8000}]\n";
  std::string text = variant("objective: {model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000}\n", two);
  text.replace(text.find("sampler: random\n"), 16, "");
  const StudyConfig c = parse_study_config(text, "s.yaml");
  ASSERT_EQ(c.multi.objectives.size(), 2u);
  EXPECT_EQ(c.objective.metric, "val_loss");
  EXPECT_EQ(c.objective.direction, Direction::Minimize) << "a loss is minimised unless told";
  EXPECT_EQ(c.multi.objectives[1].metric, "params");
  ASSERT_EQ(c.multi.constraints.size(), 1u);
  EXPECT_EQ(c.multi.constraints[0].max, 8000.0);
  EXPECT_EQ(c.sampler.name(), "nsga2") << "the default sampler with objectives";
}

TEST(Config, ObjectivesErrorsNameTheField) {
  const std::string base = "objective: {model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000}\n";
  const auto with = [&](const std::string& text) {
    std::string file = variant(base, text);
    if (text.find("sampler:") != std::string::npos) file.replace(file.find("sampler: random\n"), 16, "");
    return error_of(file);
  };
  EXPECT_EQ(with("objective: {model: mlp}\nobjectives: [{metric: val_loss}]\n"),
            "study.yaml: objectives: must be a list of two or more {metric, direction} (one "
            "objective: objective.metric)");
  EXPECT_EQ(with("objective: {model: mlp}\nobjectives: [{metric: a}, {metric: a}]\n"),
            "study.yaml: objectives[1].metric: a is already an objective");
  EXPECT_EQ(with("objective: {model: mlp}\nobjectives: [{metric: a, direction: up}, {metric: b}]\n"),
            "study.yaml: objectives[0].direction: up must be maximize or minimize");
  EXPECT_EQ(with("objective: {model: mlp, metric: val_loss}\nobjectives: [{metric: a}, {metric: b}]\n"),
            "study.yaml: objective.metric: val_loss differs from the first of objectives (a), which "
            "is the study's objective; leave it out");
  EXPECT_EQ(with("objective: {model: mlp}\nobjectives: [{metric: a}, {metric: b}]\nsampler: tpe\n"),
            "study.yaml: sampler: tpe optimises one objective; with objectives: use nsga2 (the "
            "default then), random, sobol or grid");
  EXPECT_EQ(with("objective: {model: mlp}\nconstraints: [{metric: m}]\n"),
            "study.yaml: constraints[0]: needs max or min");
  EXPECT_EQ(with("objective: {model: mlp}\nconstraints: [{metric: m, max: 1, min: 2}]\n"),
            "study.yaml: constraints[0].min: 2 is above max");
}

TEST(Config, ErrorsNameFileFieldAndValue) {
  EXPECT_EQ(error_of(variant("low: 1.0e-4", "low: -1")),
            "study.yaml: search_space.lr.low: -1 must be > 0 when log is true");
  EXPECT_EQ(error_of(variant("type: int, low: 1", "type: integer, low: 1")),
            "study.yaml: search_space.layers.type: integer is not a parameter type (expected "
            "float, int or categorical)");
  EXPECT_EQ(error_of(variant("max_trials: 12", "max_trials: 0")),
            "study.yaml: budget.max_trials: 0 must be >= 1");
  EXPECT_EQ(error_of(variant("max_trials: 12", "max_trials: 12, seconds: 0")),
            "study.yaml: budget.seconds: 0 must be > 0");
  EXPECT_EQ(error_of(variant("max_trials: 12", "max_trials: 12, epochs_total: 0")),
            "study.yaml: budget.epochs_total: 0 must be >= 1");
  EXPECT_EQ(error_of(variant("max_trials: 12", "max_trials: 12, seconds: 3600, epochs_total: 50")), "(no error)");
  EXPECT_EQ(error_of(variant("max_trials: 12", "max_trials: 12, seconds: 60, when_spent: halt")),
            "study.yaml: budget.when_spent: halt must be finish_rung or stop");
  EXPECT_TRUE(parse_study_config(variant("max_trials: 12", "max_trials: 12, when_spent: stop"), "s.yaml")
                  .budget.stop_when_spent);
  EXPECT_EQ(error_of(variant("seed: 7", "seed: 7\ncheckpoints: {fit_limit: true}")),
            "study.yaml: checkpoints.fit_limit: true needs preemption.before_limit_seconds (the "
            "stop it fits epochs before)");
  EXPECT_EQ(error_of(variant("seed: 7", "seed: 7\ncheckpoints: {fit_limit: true}\n"
                                        "preemption: {before_limit_seconds: 120}")),
            "(no error)");
  EXPECT_EQ(error_of(variant("epochs: 3", "epochs: three")),
            "study.yaml: budget.epochs: three must be an integer");
  EXPECT_EQ(error_of(variant("seed: 7", "sede: 7")),
            "study.yaml: sede: unknown field (expected one of: name, output, seed, objective, "
            "objectives, constraints, search_space, fixed, enqueue, warm_start, sampler, scheduler, budget, resources, checkpoints, "
            "preemption)");
  EXPECT_EQ(error_of(variant("when: {optimizer: [sgd]}", "when: {optimiser: [sgd]}")),
            "study.yaml: search_space.momentum.when.optimiser: (a list) names no parameter "
            "defined above momentum");
  EXPECT_EQ(error_of(variant("when: {optimizer: [sgd]}", "when: {optimizer: [rmsprop]}")),
            "study.yaml: search_space.momentum.when.optimizer[0]: rmsprop is not a value "
            "optimizer can take (one of [sgd, adam])");
  EXPECT_EQ(error_of(variant("choices: [sgd, adam]", "choices: [sgd, sgd]")),
            "study.yaml: search_space.optimizer.choices[1]: sgd appears twice in choices");
  EXPECT_EQ(error_of(variant("low: 64, high: 512", "low: 600, high: 512")),
            "study.yaml: search_space.width.low: 600 must be <= high (512)");
  EXPECT_EQ(error_of(variant("fixed: {dropout: 0.1}", "fixed: {lr: 0.1}")),
            "study.yaml: fixed.lr: 0.1 is also in search_space; a parameter is either fixed "
            "or searched");
  EXPECT_EQ(error_of(variant("direction: maximize", "direction: up")),
            "study.yaml: objective.direction: up must be maximize or minimize");
  EXPECT_EQ(error_of(variant("name: fashion_mlp", "name: my study")),
            "study.yaml: name: my study must use only letters, digits, '_', '.' and '-'");
}

TEST(Config, EnqueueTakesPartialConfigurationsOfTheSearchedParameters) {
  const auto with = [](const std::string& enqueue) {
    return variant("sampler: random", "enqueue: " + enqueue + "\nsampler: random");
  };
  const StudyConfig c = parse_study_config(
      with("[{lr: 0.01, optimizer: sgd, momentum: 0}, {width: 128}, {lr: 0.05}]"), "s.yaml");
  ASSERT_EQ(c.enqueue.size(), 3u);
  EXPECT_EQ(c.enqueue[0].at("momentum"), ParamValue(0.0)) << "an integer is a float parameter's value";
  EXPECT_EQ(c.enqueue[1], (Params{{"width", std::int64_t{128}}}));
  EXPECT_EQ(c.enqueue[2].at("lr"), ParamValue(0.05));
  EXPECT_TRUE(parse_study_config(kGood, "s.yaml").enqueue.empty());

  EXPECT_EQ(error_of(with("[{lr: 0.01}, {lrr: 0.01}]")),
            "study.yaml: enqueue[1].lrr: 0.01 is not a parameter of search_space");
  EXPECT_EQ(error_of(with("[{dropout: 0.2}]")),
            "study.yaml: enqueue[0].dropout: 0.2 is fixed; enqueue sets searched parameters only");
  EXPECT_EQ(error_of(with("[{lr: 0.5}]")),
            "study.yaml: enqueue[0].lr: 0.5 is not a value lr can take (float in [0.0001, 0.1], log)");
  EXPECT_EQ(error_of(with("[{width: 100}]")),
            "study.yaml: enqueue[0].width: 100 is not a value width can take (int in [64, 512], "
            "step 64)");
  EXPECT_EQ(error_of(with("[{momentum: 0.9}]")),
            "study.yaml: enqueue[0].momentum: 0.9 is conditional on optimizer, which this "
            "configuration must set too");
  EXPECT_EQ(error_of(with("[{optimizer: adam, momentum: 0.9}]")),
            "study.yaml: enqueue[0].momentum: 0.9 is inactive when optimizer is adam");
  EXPECT_EQ(error_of(with("{lr: 0.01}")),
            "study.yaml: enqueue: (a map) must be a list of configurations, e.g. [{lr: 0.01}]");
  EXPECT_EQ(error_of(with("[{}]")), "study.yaml: enqueue[0]: (a map) must set at least one searched parameter");
}

TEST(Config, ResourcesDevice) {
  EXPECT_EQ(parse_study_config(kGood, "s.yaml").resources.device, DeviceChoice::Auto);
  const auto with = [](const std::string& resources) {
    return variant("budget: {max_trials: 12, epochs: 3}",
                   "budget: {max_trials: 12, epochs: 3}\nresources: " + resources);
  };
  EXPECT_EQ(parse_study_config(with("{device: cuda}"), "s.yaml").resources.device,
            DeviceChoice::Cuda);
  EXPECT_EQ(parse_study_config(with("{device: cpu, trials_per_gpu: 3}"), "s.yaml").resources.device,
            DeviceChoice::Cpu);
  EXPECT_EQ(error_of(with("{device: gpu}")),
            "study.yaml: resources.device: gpu must be auto, cpu or cuda");
  EXPECT_EQ(error_of(with("{ranks_per_trial: 2, trials_per_gpu: 2}")),
            "study.yaml: resources.trials_per_gpu: 2 needs ranks_per_trial 1 (packed trials "
            "share a GPU; NCCL wants one rank per GPU), ranks_per_trial is 2");
}

TEST(Config, MissingRequiredFields) {
  EXPECT_EQ(error_of("name: x\nobjective: {model: mlp}\nsearch_space: {lr: {type: float, low: 0, high: 1}}\n"),
            "study.yaml: budget: is required (max_trials and epochs)");
  EXPECT_EQ(error_of("name: x\nsearch_space: {}\n"), "study.yaml: objective: is required");
  EXPECT_EQ(error_of("- a\n- b\n"), "study.yaml: a study file must be a YAML map of fields");
}

TEST(Config, SyntaxErrorGivesLineAndColumn) {
  const std::string e = error_of("name: x\nobjective: {model: mlp\n");
  EXPECT_EQ(e.rfind("study.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("not valid YAML"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
}

TEST(Config, MissingFileIsAConfigError) {
  try {
    load_study_config("/nonexistent/study.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/study.yaml: cannot read"), std::string::npos);
  }
}

TEST(Config, AlgorithmOptionsRejectUnknownKeys) {
  StudyConfig c = parse_study_config(
      variant("scheduler: {name: fifo}", "scheduler: {name: asha, reduction_factr: 3}"), "s.yaml");
  EXPECT_EQ(c.scheduler.name(), "asha");
  EXPECT_EQ(c.scheduler.get_int("min_resource", 1), 1);
  try {
    c.scheduler.finish();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "s.yaml: scheduler.reduction_factr: 3 is not an option of asha");
  }
}

TEST(Config, ReportRegexOfAProgramWithoutTheClient) {
  const auto with = [](const std::string& objective) {
    return variant("objective: {model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000}",
                   "objective: {command: [python3, train.py, --lr, \"{lr}\"], metric: val_accuracy, " +
                       objective + "}");
  };
  const StudyConfig c = parse_study_config(
      with(R"(report: {regex: 'epoch (?P<epoch>\d+) .*Accuracy: (?P<val_accuracy>[0-9.]+)'},
               resume_args: [--resume, "{trial_dir}/last.pt", "{start_epoch}"])"),
      "s.yaml");
  EXPECT_EQ(c.objective.report_regex, R"(epoch (?P<epoch>\d+) .*Accuracy: (?P<val_accuracy>[0-9.]+))");
  EXPECT_EQ(c.objective.resume_args,
            (std::vector<std::string>{"--resume", "{trial_dir}/last.pt", "{start_epoch}"}));
  EXPECT_TRUE(parse_study_config(with("timeouts: {stop: 2}"), "s.yaml").objective.report_regex.empty())
      << "the client is the default";
  EXPECT_EQ(error_of(with(R"(report: {regex: 'epoch (?P<epoch>\d+'})")),
            "study.yaml: objective.report.regex: epoch (?P<epoch>\\d+ is not a regular expression: "
            "missing closing parenthesis at offset 19");
  EXPECT_EQ(error_of(with(R"(report: {regex: 'Accuracy: (?<acc>[0-9.]+)'})")),
            "study.yaml: objective.report.regex: Accuracy: (?<acc>[0-9.]+) has no group named "
            "val_accuracy (objective.metric), e.g. (?P<val_accuracy>[0-9.]+); its named groups: acc");
  EXPECT_EQ(error_of(with("resume_args: [--resume]")),
            "study.yaml: objective.resume_args: (a list) is for programs read through "
            "objective.report.regex; a program on the client resumes from trial.resume_from");
  EXPECT_EQ(error_of(with(R"(report: {regex: '(?P<val_accuracy>\S+)'}, resume_args: ["{lrr}"])"))
                .rfind("study.yaml: objective.resume_args[0]: {lrr}: {lrr} names no hyperparameter", 0),
            0u);
  EXPECT_EQ(parse_study_config(with("direction: maximize") + "resources: {ranks_per_trial: 2}\n", "s.yaml")
                .resources.ranks_per_trial,
            2)
      << "a program on the client runs on several ranks";
  EXPECT_EQ(error_of(with(R"(report: {regex: '(?P<val_accuracy>\S+)'})") +
                     "resources: {ranks_per_trial: 2}\n"),
            "study.yaml: resources.ranks_per_trial: 2 must be 1 with objective.report.regex: a "
            "program runs on several ranks of a trial only on the client (rungs_trial), which "
            "tells every rank rungs' decisions");
}

}  // namespace
}  // namespace rungs

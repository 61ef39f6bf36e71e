#!/usr/bin/python3
"""rungs.load() on study files written by rungs, checked against h5py reading the same file,
the CSV of the real `rungs export` and the text of the real `rungs best`:
  synthetic    report/'s synthetic studies (finished with awkward text, running) and the io
               sample study (a mixed categorical [64, auto], booleans, a paused trial)
  real_study   a real study under mpirun (ASHA, a conditional parameter), then to_optuna()
               and Optuna's plots on it

Usage: test_study.py CASE --rungs BUILD/rungs --writer .../rungs_report_write_study
                     --sample-writer .../rungs_io_write_sample_study --mpiexec "..." --workdir DIR
"""
import os
import shutil

from readerlib import (check, check_against_best, check_against_export, check_against_h5py,
                       check_installed, parse_args, run, run_study)
from optuna_checks import check_optuna

import rungs

TINY = """\
name: tiny
seed: 5
output: {output}
objective: {{model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000, val_samples: 500}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
  optimizer: {{type: categorical, choices: [adam, sgd]}}
  momentum: {{type: float, low: 0.5, high: 0.9, when: {{optimizer: [sgd]}}}}
  width: {{type: int, low: 32, high: 64, step: 32}}
fixed: {{layers: 1}}
sampler: random
scheduler: {{name: asha, reduction_factor: 2, min_resource: 1}}
budget: {{max_trials: 8, epochs: 2}}
resources: {{threads_per_worker: 1}}
"""


def check_study(args, path, workdir):
    study = rungs.load(path)
    check(study.journal_records == 0, "a study file alone")
    check_against_h5py(study, path)
    df = check_against_export(study, args.rungs, path, workdir)
    check_against_best(study, args.rungs, path)
    return study, df


def case_synthetic(args):
    path = os.path.join(args.workdir, "awkward", "study.h5")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    check(run([args.writer, path, "--trials", "30", "--awkward"]).returncode == 0, "writer")
    study, df = check_study(args, path, os.path.dirname(path))
    check(rungs.load(os.path.dirname(path)).trials == study.trials, "the run folder loads the same")
    check(list(study.params) == ["lr", "dropout", "layers", "optimizer", "momentum", "batch_size", "note"],
          f"the search space in the file's order: {list(study.params)}")
    lr, dropout, batch = study.params["lr"], study.params["dropout"], study.params["batch_size"]
    check((lr.type, lr.low, lr.high, lr.log, lr.step) == ("float", 1e-4, 1e-1, True, None), f"lr {lr}")
    check(dropout.step == 0.1 and study.params["layers"].step == 1, "steps")
    check(batch.choices == (64, 128, 256) and all(type(c) is int for c in batch.choices), f"{batch}")
    check(study.params["momentum"].when == ("optimizer", ("sgd",)), f"{study.params['momentum']}")
    check(study.params["note"].choices == ("plain", "with, comma", 'say "hi"', "caf\u00e9"), "quoted choices")
    check(set(df.params_note) == {"plain", "with, comma", 'say "hi"', "caf\u00e9"}, "awkward text")
    check(str(df.params_layers.dtype) == "Int64" and str(df.params_batch_size.dtype) == "Int64", "int columns")
    check(df.params_momentum.isna().tolist() == [o != "sgd" for o in df.params_optimizer], "momentum only for sgd")
    statuses = set(df.state)
    check({"completed", "stopped", "failed"} <= statuses, f"statuses {statuses}")

    running = os.path.join(args.workdir, "running", "study.h5")
    os.makedirs(os.path.dirname(running), exist_ok=True)
    check(run([args.writer, running, "--trials", "12", "--running"]).returncode == 0, "writer")
    study, df = check_study(args, running, os.path.dirname(running))
    check(study.state == "running" and "running" in set(df.state), "a running study")
    check(df.datetime_complete[df.state == "running"].isna().all(), "no datetime_complete while running")

    empty = os.path.join(args.workdir, "empty", "study.h5")
    os.makedirs(os.path.dirname(empty), exist_ok=True)
    check(run([args.writer, empty, "--trials", "0"]).returncode == 0, "writer")
    study, df = check_study(args, empty, os.path.dirname(empty))
    check(len(df) == 0 and "params_lr" in df and study.best_trial is None, "an empty study")

    sample = os.path.join(args.workdir, "sample", "study.h5")
    os.makedirs(os.path.dirname(sample), exist_ok=True)
    check(run([args.sample_writer, sample]).returncode == 0, "rungs_io_write_sample_study")
    study, df = check_study(args, sample, os.path.dirname(sample))
    check([t.params["width"] for t in study.trials] == [64, "auto"] * 3, "width typed back: 64 and 'auto'")
    check(str(df.params_width.dtype) == "object" and str(df.params_nesterov.dtype) == "boolean", "dtypes")
    check(study.test == {"trial_id": 3, "accuracy": 0.875, "loss": 0.4}, f"test result {study.test}")
    check("paused" in set(df.state), "a paused trial")
    check("bleu" in df and df.bleu.notna().any() and df.bleu.isna().any(), "a metric some trials lack")

    # The same sample as rungs 0.1 wrote it (format 1: three fixed metrics).
    old = rungs.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "io", "data",
                                  "study_format1.h5"), use_journal=False)
    check(old.format_version == 1, f"format 1: {old.format_version}")
    fixed = ("val_accuracy", "val_loss", "train_loss")
    check(all(tuple(sorted(e.metrics)) == tuple(sorted(fixed)) for t in old.trials for e in t.curve),
          "format 1's epochs have the three fixed metrics")
    check([[(e.epoch, e.value, {k: e.metrics[k] for k in fixed}) for e in t.curve] for t in old.trials] ==
          [[(e.epoch, e.value, {k: e.metrics[k] for k in fixed}) for e in t.curve] for t in study.trials],
          "format 1 reads as the same epochs as format 2")


def case_real_study(args):
    output = os.path.join(args.workdir, "out")
    shutil.rmtree(output, ignore_errors=True)
    study_yaml = os.path.join(args.workdir, "tiny.yaml")
    with open(study_yaml, "w") as f:
        f.write(TINY.format(output=output))
    check(run_study(args, study_yaml) == 0, "rungs run finishes")
    path = os.path.join(output, "study.h5")
    study, df = check_study(args, path, args.workdir)
    check(study.state == "finished" and len(study.trials) == 8, f"{study}")
    check(study.params["width"].step == 32 and study.params["lr"].log, "the search space")
    check("params_layers" not in df, "fixed values are not parameters")
    check("stopped" in set(df.state), f"ASHA stopped some trials: {list(df.state)}")
    check_optuna(study, os.path.join(args.workdir, "plots"))


CASES = {"synthetic": case_synthetic, "real_study": case_real_study}

if __name__ == "__main__":
    args = parse_args(CASES)
    check_installed()
    CASES[args.case](args)

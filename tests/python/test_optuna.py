#!/usr/bin/python3
"""Study.to_optuna() on study files written by rungs with every trial status (completed,
stopped, failed, running, paused), mixed-type categoricals and booleans; Optuna's
plot_optimization_history, plot_intermediate_values and plot_slice drawn from each (plotly,
Debian's python3-plotly). The real study's case is in test_study.py (real_study).

Usage: test_optuna.py synthetic --writer .../rungs_report_write_study
                      --sample-writer .../rungs_io_write_sample_study --workdir DIR
"""
import os

from readerlib import check, check_installed, parse_args, run
from optuna_checks import check_optuna

import rungs


def case_synthetic(args):
    seen = set()
    for name, cmd in [("awkward", [args.writer, "--trials", "30", "--awkward"]),
                      ("running", [args.writer, "--trials", "12", "--running"]),
                      ("sample", [args.sample_writer])]:
        folder = os.path.join(args.workdir, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "study.h5")
        check(run(cmd[:1] + [path] + cmd[1:]).returncode == 0, f"{name}: writer")
        study = rungs.load(path)
        seen |= {t.status for t in study.trials}
        o = check_optuna(study, os.path.join(folder, "plots"))
        if name == "sample":
            width = o.trials[0].distributions["width"]
            check(list(width.choices) == [64, "auto"], f"a mixed categorical keeps its choices: {width}")
            check(o.trials[0].params["nesterov"] is True, "booleans stay booleans")

        # Without a search space (a study file this reader cannot parse) the distributions
        # are what the trials hold, and Optuna still takes every trial.
        study.params = {}
        o = study.to_optuna()
        check(len(o.trials) == len(study.trials), f"{name}: every trial without a search space")
    check(seen == {"completed", "stopped", "failed", "running", "paused"}, f"every status seen: {seen}")


CASES = {"synthetic": case_synthetic}

if __name__ == "__main__":
    args = parse_args(CASES)
    check_installed()
    CASES[args.case](args)

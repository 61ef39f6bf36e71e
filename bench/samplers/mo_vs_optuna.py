#!/usr/bin/python3
"""Several objectives: rungs' nsga2 and random samplers side by side with Optuna 3.1's
NSGAIISampler, TPESampler (its multi-objective mode, MOTPE) and RandomSampler, on ZDT1 and
ZDT2 (2 objectives, 10 variables) and DTLZ2 (3 objectives, 12 variables). Every sampler
minimises the same functions for the same number of trials and seeds; the hypervolume of
each run's points is computed by one function (Optuna's WFG) against the same reference
point, and the table gives the median and the range over seeds.

    cmake --build BUILD --target sampler_ask_tell
    /usr/bin/python3 bench/samplers/mo_vs_optuna.py BUILD [--trials 300] [--seeds 10]
"""
import argparse
import glob
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def zdt1(x):
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return [x[0], g * (1 - (x[0] / g) ** 2)]


def dtlz2(x, m=3):
    g = sum((v - 0.5) ** 2 for v in x[m - 1:])
    f = []
    for i in range(m):
        v = 1 + g
        for v_j in x[: m - 1 - i]:
            v *= math.cos(v_j * math.pi / 2)
        if i > 0:
            v *= math.sin(x[m - 1 - i] * math.pi / 2)
        f.append(v)
    return f


PROBLEMS = {  # name: (function, variables, reference point)
    "zdt1": (zdt1, 10, [11.0, 11.0]),
    "zdt2": (zdt2, 10, [11.0, 11.0]),
    "dtlz2": (dtlz2, 12, [3.0, 3.0, 3.0]),
}


def hypervolume(points, reference):
    from optuna._hypervolume import WFG
    inside = [p for p in points if all(v < r for v, r in zip(p, reference))]
    if not inside:
        return 0.0
    return float(WFG().compute(np.asarray(inside), np.asarray(reference)))


def run_rungs(ask_tell, sampler, problem, seed, trials, tmp):
    f, n, reference = PROBLEMS[problem]
    path = os.path.join(tmp, f"{problem}.yaml")
    objectives = "".join(f"  - {{metric: f{i}, direction: minimize}}\n" for i in range(len(reference)))
    space = "".join(f"  x{i}: {{type: float, low: 0.0, high: 1.0}}\n" for i in range(n))
    with open(path, "w") as out:
        out.write(f"name: bench\nobjective: {{model: mlp}}\nobjectives:\n{objectives}search_space:\n{space}"
                  f"sampler: {sampler}\nbudget: {{max_trials: {trials}, epochs: 1}}\n")
    proc = subprocess.Popen([ask_tell, path, str(seed)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
    points = []
    for k in range(trials):
        proc.stdin.write("ask\n")
        proc.stdin.flush()
        params = dict(item.split("=", 1) for item in proc.stdout.readline().split())
        values = f([float(params[f"x{i}"]) for i in range(n)])
        proc.stdin.write(f"tell {k} " + " ".join(repr(v) for v in values) + "\n")
        points.append(values)
    proc.stdin.close()
    if proc.wait() != 0:
        sys.exit(f"{ask_tell} failed on {path}")
    return points


def run_optuna(sampler, problem, seed, trials):
    import warnings
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    f, n, reference = PROBLEMS[problem]
    make = {"NSGAIISampler": optuna.samplers.NSGAIISampler, "TPESampler": optuna.samplers.TPESampler,
            "RandomSampler": optuna.samplers.RandomSampler}[sampler]
    study = optuna.create_study(directions=["minimize"] * len(reference), sampler=make(seed=seed))
    points = []
    for _ in range(trials):
        trial = study.ask()
        values = f([trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(n)])
        study.tell(trial, values)
        points.append(values)
    return points


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    args = ap.parse_args()
    found = glob.glob(os.path.join(args.build, "**", "sampler_ask_tell"), recursive=True)
    if not found:
        sys.exit(f"no sampler_ask_tell under {args.build}: cmake --build {args.build} --target sampler_ask_tell")
    runs = [("rungs nsga2", lambda p, s, t: run_rungs(found[0], "nsga2", p, s, t, tmp)),
            ("rungs random", lambda p, s, t: run_rungs(found[0], "random", p, s, t, tmp)),
            ("Optuna NSGAIISampler", lambda p, s, t: run_optuna("NSGAIISampler", p, s, t)),
            ("Optuna TPESampler (MOTPE)", lambda p, s, t: run_optuna("TPESampler", p, s, t)),
            ("Optuna RandomSampler", lambda p, s, t: run_optuna("RandomSampler", p, s, t))]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"hypervolume after {args.trials} trials, median [min, max] over {args.seeds} seeds "
              "(higher is better); seconds per run in the last column", flush=True)
        for problem in args.problems.split(","):
            reference = PROBLEMS[problem][2]
            print(f"\n{problem} (reference point {reference})")
            for name, run in runs:
                volumes, seconds = [], []
                for seed in range(args.seeds):
                    start = time.perf_counter()
                    points = run(problem, seed, args.trials)
                    seconds.append(time.perf_counter() - start)
                    volumes.append(hypervolume(points, reference))
                print(f"  {name:28s} {statistics.median(volumes):9.4f} [{min(volumes):.4f}, {max(volumes):.4f}]"
                      f"   {statistics.median(seconds):6.2f} s", flush=True)


if __name__ == "__main__":
    main()

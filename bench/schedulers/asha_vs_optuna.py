#!/usr/bin/python3
"""rungs' ASHA against Optuna's SuccessiveHalvingPruner on the same synthetic objective.

Both see the same configurations in the same order (random sampling: trial i is the i-th
configuration of the seed) and the same noisy learning curves, written by
`scheduler_bench --curves-for-optuna DIR`; both run one trial at a time. Optuna's pruner
uses min_resource=1, reduction_factor=3, min_early_stopping_rate=0 (rungs' asha defaults:
r=1, eta=3, s=0, R=9). For each seed the table gives the epochs each spent, the epochs it
took until the best value reported so far reached a target (the 99th percentile of the
configurations' final values), and the best value reported at equal epochs (the fewer of the
two totals).

    bench/schedulers/asha_vs_optuna.py BUILD/bench/schedulers/scheduler_bench [--seeds 1,2,3,4,5]
"""
import argparse
import csv
import os
import subprocess
import tempfile

import numpy as np
import optuna


def read_curves(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    epochs = len([k for k in rows[0] if k.startswith("v")])
    values = np.array([[float(r[f"v{e}"]) for e in range(1, epochs + 1)] for r in rows])
    asha_epochs = np.array([int(r["asha_epochs"]) for r in rows])
    return values, asha_epochs


def optuna_epochs(values, seed):
    """Runs Optuna's pruner over the curves, one trial after the other."""
    spent = np.zeros(len(values), dtype=int)

    def objective(trial):
        i = trial.number
        for e, v in enumerate(values[i], start=1):
            trial.report(float(v), e)
            spent[i] = e
            if e < len(values[i]) and trial.should_prune():
                raise optuna.TrialPruned()
        return float(values[i][-1])

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3,
                                                     min_early_stopping_rate=0)
    study = optuna.create_study(direction="maximize", pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=seed))
    study.optimize(objective, n_trials=len(values))
    return spent


def trace(values, spent):
    """Cumulative epochs and best value reported so far, after every epoch."""
    epochs, best, out = 0, -np.inf, []
    for i, n in enumerate(spent):
        for e in range(n):
            epochs += 1
            best = max(best, values[i][e])
            out.append((epochs, best))
    return out


def epochs_to(tr, target):
    return next((e for e, b in tr if b >= target), None)


def best_at(tr, epochs):
    return max(b for e, b in tr if e <= epochs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench", help="path to the scheduler_bench program")
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.bench, "--curves-for-optuna", tmp, "--seeds", args.seeds,
                        "--trials", str(args.trials)], check=True)
        print(f"{'seed':>4} {'trials':>6} | {'epochs':>7} {'to target':>9} {'best@E':>8} | "
              f"{'epochs':>7} {'to target':>9} {'best@E':>8} | {'same':>4} | {'fifo epochs':>11} {'to target':>9}")
        print(f"{'':>11} | {'rungs asha':^27} | {'optuna SuccessiveHalvingPruner':^27} |")
        for seed in seeds:
            values, asha = read_curves(os.path.join(tmp, f"curves_{seed}.csv"))
            opt = optuna_epochs(values, seed)
            target = float(np.quantile(values[:, -1], 0.99))
            fifo = trace(values, np.full(len(values), values.shape[1]))
            ta, to = trace(values, asha), trace(values, opt)
            equal = min(ta[-1][0], to[-1][0])
            print(f"{seed:>4} {len(values):>6} | {ta[-1][0]:>7} {epochs_to(ta, target)!s:>9} "
                  f"{best_at(ta, equal):>8.4f} | {to[-1][0]:>7} {epochs_to(to, target)!s:>9} "
                  f"{best_at(to, equal):>8.4f} | {int((asha == opt).sum()):>4} | {fifo[-1][0]:>11} "
                  f"{epochs_to(fifo, target)!s:>9}")
        print("same: trials to which both gave the same number of epochs. "
              "best@E: best value reported within the fewer of the two epoch totals.")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The tabular sampler benchmark: rungs' and Optuna 3.1's samplers on real HPO lookup tables
(../shared/benchmarks/tabular, see its README). bench/samplers/run_tabular.sh runs it all.

    tabular.py prepare --out DIR [--tasks T,...] [--seeds K] [--trials N]
        Writes DIR/<bench>_<task>.txt for sampler_tables (rungs' side): the encoded search
        space, every configuration's value per training seed, and the noise plan.
    tabular.py optuna [--tasks T,...] [--samplers tpe,tpe-mv,random] [--seeds K] [--trials N]
                      [--batch B]
        Optuna's side: one JSON line per study, the table row of every trial.
    tabular.py report FILE...
        Reads both sides' JSON lines and prints the normalized regret tables and the paired
        comparison of rungs' TPE against Optuna's default TPE.

Both sides see the same space: a numeric parameter is an ordered integer, the index 0..n-1 of
its sorted values (the grids are evenly spaced, linearly or in log, so the index is the
parameter on its natural scale); a string parameter is categorical. A noisy evaluation is the
value of one of the configuration's training seeds, chosen at random per evaluation (the
tables' convention); the choice depends only on (task, study seed, trial number), so both
sides' studies with the same seed draw the same training seeds. A seed missing from a table
(NaN) answers with the mean of that configuration's other seeds. Needs Debian's numpy, pandas
and python3-optuna: run it with /usr/bin/python3.
"""
import argparse
import json
import os
import sys
import zlib

import numpy as np

TABLES = os.environ.get("RUNGS_TABULAR", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "..", "..", "..", "shared", "benchmarks", "tabular"))
DIRECTION = {"hpolib": "minimize", "hpobench": "maximize", "nasbench201": "maximize"}
TASKS = ["hpolib/naval_propulsion", "hpolib/parkinsons_telemonitoring", "hpolib/protein_structure",
         "hpolib/slice_localization", "hpobench/australian", "hpobench/blood_transfusion", "hpobench/car",
         "hpobench/credit_g", "hpobench/kc1", "hpobench/phoneme", "hpobench/segment", "hpobench/vehicle",
         "nasbench201/cifar10", "nasbench201/cifar100", "nasbench201/imagenet"]
QUICK_TASKS = ["hpolib/parkinsons_telemonitoring", "hpobench/vehicle", "nasbench201/cifar100"]
CHECKPOINTS = (25, 50, 100, 200)


def fail(message):
    """Bad input: the message on stderr, exit status 2."""
    print(message, file=sys.stderr)
    sys.exit(2)


class Table:
    """One lookup table, encoded: params [(name, kind, choices)], idx [row][param] (the index of
    the row's value among the parameter's choices), values [row][training seed]."""

    def __init__(self, task):
        import pandas as pd
        path = os.path.join(TABLES, task + ".csv.gz")
        if not os.path.exists(path):
            fail(f"rungs: {path}: no such table (set RUNGS_TABULAR to the tables' folder)")
        frame = pd.read_csv(path)
        self.task = task
        self.direction = DIRECTION[task.split("/")[0]]
        value_cols = [c for c in frame.columns if c.startswith("value_seed")]
        self.params, idx = [], []
        for col in (c for c in frame.columns if c not in value_cols):
            if frame[col].dtype == object:
                choices = list(dict.fromkeys(frame[col]))  # order of appearance
                kind = "categorical"
            else:
                choices = sorted(frame[col].unique())
                kind = "ordered"
            index = {v: i for i, v in enumerate(choices)}
            idx.append(frame[col].map(index).to_numpy())
            self.params.append((col, kind, [str(c) for c in choices]))
        self.idx = np.stack(idx, axis=1).astype(np.int64)
        values = frame[value_cols].to_numpy(dtype=float)
        # NAS-Bench-201 lacks some seeds (NaN, 7,456 of 46,875 per table): a missing seed
        # answers with the mean of the configuration's other seeds.
        self.means = np.nanmean(values, axis=1)
        self.values = np.where(np.isnan(values), self.means[:, None], values)
        sizes = [len(c) for _, _, c in self.params]
        if self.idx.shape[0] != int(np.prod(sizes)):
            fail(f"rungs: {path}: {self.idx.shape[0]} rows is not the full grid of {sizes}")
        key = np.zeros(len(self.idx), dtype=np.int64)
        for j, n in enumerate(sizes):
            key = key * n + self.idx[:, j]
        self.row_of_key = np.empty(len(key), dtype=np.int64)
        self.row_of_key[key] = np.arange(len(key))
        self.sizes = sizes
        self.best = self.means.min() if self.direction == "minimize" else self.means.max()
        self.median = float(np.median(self.means))

    def noise(self, seeds, trials):
        """[study seed][trial] -> the training seed that answers that evaluation."""
        n = max(trials, 1000)  # a fixed length, so fewer trials see a prefix of the same plan
        return np.stack([np.random.default_rng([zlib.crc32(self.task.encode()), s]).integers(
            0, self.values.shape[1], size=n)[:trials] for s in range(seeds)])

    def row(self, indices):
        key = 0
        for k, n in zip(indices, self.sizes):
            key = key * n + k
        return int(self.row_of_key[key])

    def regret(self, rows):
        """Normalized regret of the best configuration tried so far (by its noise-free value),
        after each trial: 0 at the table's best, 1 at the median configuration."""
        m = self.means[np.asarray(rows)]
        if self.direction == "minimize":
            return (np.minimum.accumulate(m) - self.best) / (self.median - self.best)
        return (self.best - np.maximum.accumulate(m)) / (self.best - self.median)


def prepare(args):
    os.makedirs(args.out, exist_ok=True)
    for task in args.tasks.split(","):
        t = Table(task)
        path = os.path.join(args.out, task.replace("/", "_") + ".txt")
        with open(path, "w") as f:
            f.write(f"rungs-tabular 1\ntask {task}\ndirection {t.direction}\nparams {len(t.params)}\n")
            for name, kind, choices in t.params:
                f.write(f"param {name} {kind} {len(choices)} {' '.join(choices)}\n")
            f.write(f"rows {len(t.idx)} {t.values.shape[1]}\n")
            for i, v in zip(t.idx, t.values):
                f.write(" ".join(map(str, i)) + " " + " ".join(repr(float(x)) for x in v) + "\n")
            noise = t.noise(args.seeds, args.trials)
            f.write(f"noise {noise.shape[0]} {noise.shape[1]}\n")
            for line in noise:
                f.write(" ".join(map(str, line)) + "\n")
        print(path)


def make_sampler(name, seed):
    import optuna
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-mv":
        return optuna.samplers.TPESampler(multivariate=True, seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    fail(f"rungs: tabular.py: --samplers: unknown sampler '{name}' (tpe, tpe-mv, random)")


def run_optuna(args):
    import warnings
    import optuna
    from optuna.distributions import CategoricalDistribution, IntDistribution
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    for task in args.tasks.split(","):
        t = Table(task)
        noise = t.noise(args.first_seed + args.seeds, args.trials)
        space = {name: (CategoricalDistribution(choices) if kind == "categorical"
                        else IntDistribution(0, len(choices) - 1))
                 for name, kind, choices in t.params}
        position = {name: {c: i for i, c in enumerate(choices)} for name, kind, choices in t.params}
        for sampler in args.samplers.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                study = optuna.create_study(direction=t.direction, sampler=make_sampler(sampler, seed))
                rows = []
                while len(rows) < args.trials:
                    batch = []
                    for _ in range(min(args.batch, args.trials - len(rows))):
                        trial = study.ask(space)
                        p = trial.params
                        rows.append(t.row([position[n][p[n]] if k == "categorical" else p[n]
                                           for n, k, _ in t.params]))
                        batch.append((trial, len(rows) - 1))
                    for trial, i in batch:
                        study.tell(trial, float(t.values[rows[i], noise[seed, i]]))
                print(json.dumps({"impl": "optuna", "sampler": sampler, "task": task, "seed": seed,
                                  "batch": args.batch, "rows": rows}), flush=True)


def fmt(v):
    q1, q2, q3 = np.percentile(v, [25, 50, 75])
    return f"{q2:.3f} [{q1:.3f}, {q3:.3f}]"


def print_checkpoint(regret, labels, what, rows, n, first, width):
    """One checkpoint's table: a row per task (or function), a column per sampler label,
    the median [interquartile] regret after n trials; regret[label, row] is [seed][trial]."""
    print(f"\nafter {n} trials")
    print(f"{what:{first}s}" + "".join(f"{l:>{width}s}" for l in labels))
    for row in rows:
        cells = [fmt(regret[l, row][:, n - 1])
                 if (l, row) in regret and regret[l, row].shape[1] >= n else "-" for l in labels]
        print(f"{row:{first}s}" + "".join(f"{c:>{width}s}" for c in cells))


def better_fraction(ours, theirs):
    return (ours < theirs) + 0.5 * (ours == theirs)


def report(args):
    runs = {}
    for path in args.files:
        with open(path) as f:
            for line in f:
                if line.startswith("{"):
                    r = json.loads(line)
                    label = f"{r['impl']} {r['sampler']}" + (f" b{r['batch']}" if r.get("batch", 1) > 1 else "")
                    runs.setdefault(label, {}).setdefault(r["task"], {})[r["seed"]] = r["rows"]
    order = ["rungs default", "rungs tpe", "optuna tpe", "rungs tpe-mv", "optuna tpe-mv", "rungs gp", "rungs random", "rungs sobol",
             "optuna random"]
    def rank(label):  # unbatched first, then each batch size; in `order` within each
        base, _, batch = label.partition(" b")
        return (int(batch or 1), order.index(base) if base in order else len(order), label)
    labels = sorted(runs, key=rank)
    tasks = [t for t in TASKS if any(t in runs[l] for l in labels)]
    regret = {}  # (label, task) -> array [seed][trial]
    seed_ids = {}  # (label, task) -> the seeds of those rows
    for task in tasks:
        t = Table(task)
        for l in labels:
            seeds = runs[l].get(task, {})
            if seeds:
                regret[l, task] = np.array([t.regret(seeds[s]) for s in sorted(seeds)])
                seed_ids[l, task] = sorted(seeds)
    n_seeds = max(len(runs[l][t]) for l in labels for t in runs[l])
    n_trials = max(a.shape[1] for a in regret.values())
    width = 24

    def has(label, task, n):  # a study of at least n trials
        return (label, task) in regret and regret[label, task].shape[1] >= n
    print(f"Normalized regret of the best configuration tried so far: median [25th, 75th percentile]\n"
          f"over {n_seeds} seeds (0 = the table's best configuration, 1 = its median configuration;\n"
          f"lower is better). Noisy evaluations; regret measured on the noise-free (seed-mean) value.")
    for n in (c for c in CHECKPOINTS if c <= n_trials):
        print_checkpoint(regret, labels, "task", tasks, n, 34, width)
        cells = []
        for l in labels:
            v = [regret[l, task][:, n - 1] for task in tasks if has(l, task, n)]
            cells.append(fmt(np.concatenate(v)) if v else "-")
        print(f"{'all (task, seed) pairs':34s}" + "".join(f"{c:>{width}s}" for c in cells))
    pairs = [("rungs tpe", "optuna tpe"), ("rungs tpe-mv", "optuna tpe"), ("rungs tpe-mv", "optuna tpe-mv"),
             ("rungs tpe", "optuna tpe-mv"), ("rungs random", "optuna random"), ("rungs gp", "optuna tpe"),
             ("rungs gp", "rungs tpe"), ("rungs gp", "rungs tpe-mv")]
    pairs += [(a.replace("optuna", "rungs", 1), a) for a in labels if a.startswith("optuna tpe") and " b" in a]
    pairs += [(a, "optuna tpe" + a[len("rungs gp"):]) for a in labels if a.startswith("rungs gp b")]
    # rungs' default sampler (tpe-mv, or `default` itself) against Optuna's, batched too
    pairs += [(a.replace("optuna tpe", "rungs " + ours, 1), a) for a in labels if a.startswith("optuna tpe b")
              for ours in ("tpe-mv", "default")]
    pairs += [("rungs default", "optuna tpe")]
    print("\nPaired comparison: fraction of (task, seed) pairs where A ends lower than B (ties count half;\n"
          "95% bootstrap interval over pairs, 2,000 resamples); tasks: on how many A's median is lower / equal / higher")
    print(f"{'A vs B':38s}{'trials':>7s}{'A better':>10s}{'95% interval':>18s}{'ties':>7s}{'tasks':>12s}")
    for a, b in pairs:
        if a not in runs or b not in runs:
            continue
        for n in (c for c in (100, 200) if c <= n_trials):
            common = [t for t in tasks if has(a, t, n) and has(b, t, n)]
            if not common:
                continue
            wins, lower, equal, higher = [], 0, 0, 0
            for task in common:
                ra, rb = regret[a, task], regret[b, task]
                both = sorted(set(seed_ids[a, task]) & set(seed_ids[b, task]))
                ia = [seed_ids[a, task].index(s) for s in both]
                ib = [seed_ids[b, task].index(s) for s in both]
                wins.append(better_fraction(ra[ia, n - 1], rb[ib, n - 1]))
                ma, mb = np.median(ra[:, n - 1]), np.median(rb[:, n - 1])
                lower += ma < mb
                equal += ma == mb
                higher += ma > mb
            w = np.concatenate(wins)
            # Seeded per row, so a row's interval does not depend on the other rows.
            boot = np.random.default_rng(0).choice(w, size=(2000, len(w))).mean(axis=1)
            lo, hi = np.percentile(boot, [2.5, 97.5])
            print(f"{a + ' vs ' + b:38s}{n:7d}{w.mean():10.3f}{f'[{lo:.3f}, {hi:.3f}]':>18s}"
                  f"{(w == 0.5).mean():7.2f}{f'{lower}/{equal}/{higher}':>12s}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    pr = sub.add_parser("prepare")
    pr.add_argument("--out", required=True)
    o = sub.add_parser("optuna")
    o.add_argument("--samplers", default="tpe,tpe-mv,random")
    o.add_argument("--first-seed", type=int, default=0)
    o.add_argument("--batch", type=int, default=1)
    for q in (pr, o):
        q.add_argument("--tasks", default=",".join(TASKS))
        q.add_argument("--seeds", type=int, default=20)
        q.add_argument("--trials", type=int, default=200)
    r = sub.add_parser("report")
    r.add_argument("files", nargs="+")
    args = p.parse_args()
    if args.command != "report":
        unknown = [t for t in args.tasks.split(",") if t not in TASKS]
        if unknown:
            fail(f"rungs: tabular.py: --tasks: unknown task '{unknown[0]}' (one of {', '.join(TASKS)})")
        if args.seeds < 1 or args.trials < 1 or getattr(args, "batch", 1) < 1:
            fail("rungs: tabular.py: --seeds, --trials and --batch must be >= 1")
    {"prepare": prepare, "optuna": run_optuna, "report": report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

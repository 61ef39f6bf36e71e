#!/usr/bin/python3
"""The conditional-space sampler benchmark: rungs' TPE with its global split (Optuna 3.1's) and
with the per-parameter split (`split: per_parameter`), and Optuna 3.1's default TPESampler, on
synthetic functions whose search spaces have `when:` parameters (a categorical parent choosing
between branches whose children matter). bench/samplers/run_conditional.sh runs it.

    conditional.py run --build BUILD [--seeds K] [--trials N] [--batch B] [--samplers S,...]
        One JSON line per study: the value of every trial, in the order asked.
    conditional.py report FILE...
        The normalized regret tables and the paired comparisons.

rungs' side runs BUILD's sampler_ask_tell (bench/samplers/sampler_ask_tell.cpp) on a study file
written from the space below, so it is the study file's own `sampler:` that is measured.
Normalized regret after n trials: (best so far - minimum) / (median - minimum), the median over
100,000 random configurations: 0 is the optimum, 1 a typical random configuration.
Needs Debian's numpy and python3-optuna: run it with /usr/bin/python3.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tabular  # noqa: E402  (print_checkpoint: the same tables as the tabular benchmark)

CHECKPOINTS = (25, 50, 100, 200)
# rungs samplers: label -> the study file's `sampler:`.
# "default": a study file without `sampler:`.
RUNGS = {"tpe": "{name: tpe, split: global}", "tpe-split": "{name: tpe, split: per_parameter}",
         "tpe-mv": "{name: tpe, multivariate: true, split: global}",
         "tpe-mv-split": "{name: tpe, multivariate: true, split: per_parameter}",
         "random": "{name: random}", "default": None}
OPTUNA = ("optuna-tpe",)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


# A space: [(name, kind, domain, when)]; kind float (low, high), int (low, high) or categorical
# (choices); when None or (parent, [values]). Parents come before their children.
def branches_space(k, d):
    space = [("branch", "categorical", [chr(ord("a") + b) for b in range(k)], None),
             ("lr", "float", (0.0, 1.0), None)]
    for b in range(k):
        name = chr(ord("a") + b)
        space += [(f"{name}{j}", "float", (0.0, 1.0), ("branch", [name])) for j in range(d)]
    return space


def branches(k, d):
    """A categorical parent with k branches of d float children each: branch b costs 0.15 b
    plus a quadratic bowl in its children centred at a point of its own, so that a branch is
    only as good as its children; the unconditional lr adds a bowl of its own."""
    rng = np.random.default_rng(k * 100 + d)
    centres = rng.uniform(0.1, 0.9, size=(k, d))

    def f(p):
        b = ord(p["branch"]) - ord("a")
        x = np.array([p[f"{p['branch']}{j}"] for j in range(d)])
        return 0.15 * b + float(np.sum((x - centres[b]) ** 2)) + (p["lr"] - 0.2) ** 2
    return branches_space(k, d), f


def network():
    """A network-like space: optimizer (sgd: momentum; adam: beta1, beta2), layers 1-3 with
    the width of layer 2 when layers >= 2 and of layer 3 when layers = 3, a log-scaled lr."""
    space = [("lr", "float", (1e-5, 1.0), None),
             ("optimizer", "categorical", ["sgd", "adam"], None),
             ("momentum", "float", (0.0, 0.99), ("optimizer", ["sgd"])),
             ("beta1", "float", (0.5, 0.999), ("optimizer", ["adam"])),
             ("beta2", "float", (0.9, 0.9999), ("optimizer", ["adam"])),
             ("layers", "int", (1, 3), None),
             ("width2", "float", (0.0, 1.0), ("layers", [2, 3])),
             ("width3", "float", (0.0, 1.0), ("layers", [3]))]

    def f(p):
        v = (math.log10(p["lr"]) + 2.5) ** 2 / 10
        if p["optimizer"] == "sgd":
            v += 0.05 + 2 * (p["momentum"] - 0.9) ** 2
        else:
            v += 3 * (p["beta1"] - 0.8) ** 2 + 300 * (p["beta2"] - 0.95) ** 2
        if p["layers"] == 1:
            v += 0.3
        elif p["layers"] == 2:
            v += 0.1 + 2 * (p["width2"] - 0.7) ** 2
        else:
            v += 2 * (p["width2"] - 0.4) ** 2 + 2 * (p["width3"] - 0.6) ** 2
        return v
    return space, f


FUNCTIONS = {"branches3x3": lambda: branches(3, 3), "branches5x4": lambda: branches(5, 4),
             "network": network}
MINIMUM = {"branches3x3": 0.0, "branches5x4": 0.0, "network": 0.0}


def is_log(space_entry):
    """lr is log-scaled where its range allows it."""
    name, kind, domain, _ = space_entry
    return name == "lr" and kind == "float" and domain[0] > 0


def active(space_entry, params):
    when = space_entry[3]
    return when is None or (when[0] in params and params[when[0]] in when[1])


def yaml_space(space):
    lines = []
    for entry in space:
        name, kind, domain, when = entry
        if kind == "categorical":
            spec = f"{{type: categorical, choices: [{', '.join(domain)}]"
        else:
            log = ", log: true" if is_log(entry) else ""
            spec = f"{{type: {kind}, low: {domain[0]!r}, high: {domain[1]!r}{log}"
        if when:
            spec += f", when: {{{when[0]}: [{', '.join(map(str, when[1]))}]}}"
        lines.append(f"  {name}: {spec}}}")
    return "\n".join(lines)


def parse_params(space, line):
    kinds = {name: kind for name, kind, _, _ in space}
    params = {}
    for item in line.split():
        name, value = item.split("=", 1)
        params[name] = {"float": float, "int": int, "categorical": str}[kinds[name]](value)
    return params


def run_rungs(bench, space, f, sampler, seed, trials, batch, tmp):
    path = os.path.join(tmp, "study.yaml")
    with open(path, "w") as out:
        out.write(f"name: bench\nobjective: {{model: mlp}}\nsearch_space:\n{yaml_space(space)}\n"
                  + (f"sampler: {sampler}\n" if sampler else "") + f"budget: {{max_trials: {trials}, epochs: 1}}\n")
    proc = subprocess.Popen([bench, path, str(seed)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
    values = []
    while len(values) < trials:
        asked = []
        for _ in range(min(batch, trials - len(values) - len(asked))):
            proc.stdin.write("ask\n")
            proc.stdin.flush()
            asked.append(parse_params(space, proc.stdout.readline()))
        for params in asked:
            proc.stdin.write(f"tell {len(values)} {f(params)!r}\n")
            values.append(f(params))
    proc.stdin.close()
    if proc.wait() != 0:
        fail(f"rungs: {bench} failed on {path}")
    return values


def run_optuna(space, f, seed, trials, batch):
    import warnings
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    values = []
    while len(values) < trials:
        asked = []
        for _ in range(min(batch, trials - len(values))):
            trial = study.ask()
            params = {}
            for entry in space:  # define-by-run: a child is asked only when it is active
                name, kind, domain, _ = entry
                if not active(entry, params):
                    continue
                if kind == "categorical":
                    params[name] = trial.suggest_categorical(name, domain)
                elif kind == "int":
                    params[name] = trial.suggest_int(name, domain[0], domain[1])
                else:
                    params[name] = trial.suggest_float(name, domain[0], domain[1], log=is_log(entry))
            asked.append((trial, params))
        for trial, params in asked:
            values.append(f(params))
            study.tell(trial, values[-1])
    return values


def random_median(space, f):
    """The median value of 100,000 random configurations (uniform; lr log-uniform)."""
    rng = np.random.default_rng(0)
    values = []
    for _ in range(100000):
        params = {}
        for entry in space:
            name, kind, domain, _ = entry
            if not active(entry, params):
                continue
            if kind == "categorical":
                params[name] = domain[rng.integers(len(domain))]
            elif kind == "int":
                params[name] = int(rng.integers(domain[0], domain[1] + 1))
            elif is_log(entry):
                params[name] = math.exp(rng.uniform(math.log(domain[0]), math.log(domain[1])))
            else:
                params[name] = rng.uniform(*domain)
        values.append(f(params))
    return float(np.median(values))


def run(args):
    bench = os.path.join(args.build, "bench", "samplers", "sampler_ask_tell")
    if not os.access(bench, os.X_OK):
        fail(f"rungs: no {bench}; build it first: cmake --build {args.build} --target sampler_ask_tell")
    with tempfile.TemporaryDirectory() as tmp:
        for fn in args.functions.split(","):
            space, f = FUNCTIONS[fn]()
            for sampler in args.samplers.split(","):
                for seed in range(args.seeds):
                    if sampler in RUNGS:
                        values = run_rungs(bench, space, f, RUNGS[sampler], seed, args.trials, args.batch, tmp)
                    elif sampler in OPTUNA:
                        values = run_optuna(space, f, seed, args.trials, args.batch)
                    else:
                        fail(f"rungs: conditional.py: --samplers: unknown sampler '{sampler}'")
                    print(json.dumps({"function": fn, "sampler": sampler, "seed": seed, "batch": args.batch,
                                      "values": values}), flush=True)


def report(args):
    runs = {}
    for path in args.files:
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                label = r["sampler"] + (f" b{r['batch']}" if r["batch"] > 1 else "")
                runs.setdefault(label, {}).setdefault(r["function"], {})[r["seed"]] = r["values"]
    labels = sorted(runs, key=lambda l: (" b" in l, l))
    functions = [fn for fn in FUNCTIONS if any(fn in runs[l] for l in labels)]
    regret = {}
    for fn in functions:
        space, f = FUNCTIONS[fn]()
        scale = random_median(space, f) - MINIMUM[fn]
        for l in labels:
            if fn in runs[l]:
                seeds = sorted(runs[l][fn])
                regret[l, fn] = np.array([(np.minimum.accumulate(runs[l][fn][s]) - MINIMUM[fn]) / scale
                                          for s in seeds])
    width = 24
    print("Normalized regret of the best value so far: median [25th, 75th percentile] over seeds\n"
          "(0 = the minimum, 1 = the median random configuration; lower is better)")
    n_trials = min(a.shape[1] for a in regret.values())
    for n in (c for c in CHECKPOINTS if c <= n_trials):
        tabular.print_checkpoint(regret, labels, "function", functions, n, 16, width)
    print("\nPaired comparison: fraction of (function, seed) pairs where A ends lower than B (ties count\n"
          "half; 95% bootstrap interval over pairs, 2,000 resamples)")
    print(f"{'A vs B':40s}{'trials':>7s}{'A better':>10s}{'95% interval':>18s}")
    for a in labels:
        for b in labels:
            batch = a.partition(" b")[2]
            if a == b or b.partition(" b")[2] != batch:
                continue
            wanted = {"tpe-split": ("tpe", "optuna-tpe"), "tpe-mv-split": ("tpe-mv", "optuna-tpe"),
                      "tpe": ("optuna-tpe",), "tpe-mv": ("optuna-tpe",), "default": ("optuna-tpe",)}
            if b.split()[0] not in wanted.get(a.split()[0], ()):
                continue
            for n in (c for c in (100, 200) if c <= n_trials):
                pairs = []
                for fn in functions:
                    if (a, fn) not in regret or (b, fn) not in regret:
                        continue
                    common = min(len(regret[a, fn]), len(regret[b, fn]))  # seeds 0, 1, ...
                    ra, rb = regret[a, fn][:common, n - 1], regret[b, fn][:common, n - 1]
                    pairs.append((ra < rb) + 0.5 * (ra == rb))
                w = np.concatenate(pairs)
                boot = np.random.default_rng(0).choice(w, size=(2000, len(w))).mean(axis=1)
                lo, hi = np.percentile(boot, [2.5, 97.5])
                print(f"{a + ' vs ' + b:40s}{n:7d}{w.mean():10.3f}{f'[{lo:.3f}, {hi:.3f}]':>18s}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--build", required=True)
    r.add_argument("--functions", default=",".join(FUNCTIONS))
    r.add_argument("--samplers", default=",".join([k for k in RUNGS if k != "default"] + list(OPTUNA)))
    r.add_argument("--seeds", type=int, default=20)
    r.add_argument("--trials", type=int, default=200)
    r.add_argument("--batch", type=int, default=1)
    rep = sub.add_parser("report")
    rep.add_argument("files", nargs="+")
    args = p.parse_args()
    run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    main()

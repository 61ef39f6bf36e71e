#!/usr/bin/python3
"""Optuna 3.1's side of the sampler benchmarks (run by bench/samplers/run.sh).

    optuna_bench.py latency [--trials N] [--params D] [--seed S]
        One sequential TPESampler study on the same shifted sphere as sampler_bench: the
        mean ms per suggestion (ask + suggest_float for every parameter; tell is not
        counted) over all trials and over the last 100, as one JSON line.
    optuna_bench.py quality [--trials N] [--seeds K] [--samplers tpe,random]
        The best value of each seed's study, per test function and sampler (JSON lines).
    optuna_bench.py table FILE...
        Reads the JSON lines of both programs and prints the latency and quality tables.

The test functions are those of test_functions.h. Needs Debian's python3-optuna and numpy:
run it with /usr/bin/python3.
"""
import argparse
import json
import math
import statistics
import sys
import time


def branin(x):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 + 10 * (1 - t) * math.cos(x[0]) + 10


_H_ALPHA = [1.0, 1.2, 3.0, 3.2]
_H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
_H_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(x):
    return -sum(_H_ALPHA[i] * math.exp(-sum(_H_A[i][j] * (x[j] - _H_P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def ackley(x):
    n = len(x)
    s1 = sum(v * v for v in x)
    s2 = sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(s1 / n)) - math.exp(s2 / n) + 20 + math.e


def styblinski_tang(x):
    return sum(v ** 4 - 16 * v ** 2 + 5 * v for v in x) / 2


FUNCTIONS = [
    ("branin", [-5, 0], [10, 15], 0.397887, branin),
    ("hartmann6", [0] * 6, [1] * 6, -3.32237, hartmann6),
    ("rosenbrock10", [-5] * 10, [10] * 10, 0.0, rosenbrock),
    ("ackley10", [-32.768] * 10, [32.768] * 10, 0.0, ackley),
    ("styblinski_tang10", [-5] * 10, [5] * 10, -391.6617, styblinski_tang),
]


def make_sampler(name, seed):
    import optuna
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name}")


def latency(args):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=args.seed))
    ms = []
    for _ in range(args.trials):
        start = time.perf_counter()
        trial = study.ask()
        x = [trial.suggest_float(f"x{i}", -5.0, 5.0) for i in range(args.params)]
        ms.append((time.perf_counter() - start) * 1e3)
        study.tell(trial, sum((v - 0.5 * (i % 3)) ** 2 for i, v in enumerate(x)))
    print(json.dumps({"impl": "optuna", "sampler": "tpe", "trials": args.trials, "params": args.params,
                      "mean_ms": statistics.fmean(ms), "last100_ms": statistics.fmean(ms[-100:])}))


def quality(args):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for name, low, high, _, f in FUNCTIONS:
        for sampler in args.samplers.split(","):
            best = []
            for seed in range(args.seeds):
                study = optuna.create_study(sampler=make_sampler(sampler, seed))
                study.optimize(lambda t: f([t.suggest_float(f"x{i}", lo, hi)
                                            for i, (lo, hi) in enumerate(zip(low, high))]),
                               n_trials=args.trials)
                best.append(study.best_value)
            print(json.dumps({"impl": "optuna", "sampler": sampler, "function": name, "best": best}), flush=True)


def better_fraction(ours, theirs):
    wins = sum((a < b) + 0.5 * (a == b) for a in ours for b in theirs)
    return wins / (len(ours) * len(theirs))


def table(args):
    rows = []
    for path in args.files:
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.startswith("{")]
    lat_rows = [r for r in rows if "mean_ms" in r and r.get("params") == 8 and r.get("sampler", "tpe") == "tpe"]
    optuna = next((r for r in lat_rows if r["impl"] == "optuna"), None)
    if optuna:
        n = optuna["trials"]
        rungs = next((r for r in lat_rows if r["impl"] == "rungs" and r["trials"] == n), None)
        print(f"Suggestion latency, TPE, 8 float parameters, one sequential study (ms per suggestion)")
        print(f"{'':34s}{'Optuna 3.1':>12s}{'rungs':>12s}{'ratio':>10s}")
        for key, label in (("mean_ms", f"mean over trials 1-{n:,}"), ("last100_ms", f"mean over trials {n - 99:,}-{n:,}")):
            o = optuna[key]
            r = rungs[key] if rungs else float("nan")
            print(f"{label:34s}{o:12.3f}{r:12.4f}{o / r:9,.0f}x")
        for r in lat_rows:
            if r["impl"] != "rungs" or r["trials"] <= n:
                continue
            window = r.get("window", 1000)
            for key in sorted((k for k in r if k.startswith("at_") and k.endswith("_ms") and "cpu" not in k),
                              key=lambda k: int(k.split("_")[1])):
                m = int(key.split("_")[1])
                label = f"rungs, trials {m - window + 1:,}-{m:,}"
                print(f"{label:34s}{'':12s}{r[key]:12.4f}")
        print()
    qual = {}
    for r in rows:
        if "best" in r:
            qual.setdefault(r["function"], {})[(r["impl"], r["sampler"])] = r["best"]
    if qual:
        columns = [("rungs", "tpe"), ("rungs", "default"), ("optuna", "tpe"), ("rungs", "random"), ("rungs", "sobol"),
                   ("optuna", "random")]
        columns = [c for c in columns if any(c in v for v in qual.values())]
        # P(A<optuna) for rungs' tpe and its default sampler (tpe with multivariate: true)
        ours_columns = [c for c in (("rungs", "tpe"), ("rungs", "default")) if c in columns]
        n_seeds = len(next(iter(next(iter(qual.values())).values())))
        print(f"Search quality: median best value over {n_seeds} seeds, {args.trials} trials each (lower is better)")
        print(f"{'function':20s}{'minimum':>10s}" + "".join(f"{i + ' ' + s:>15s}" for i, s in columns) +
              "".join(f"{'P(' + s + '<optuna)':>20s}" for _, s in ours_columns))
        minima = {name: m for name, _, _, m, _ in FUNCTIONS}
        for name, _, _, _, _ in FUNCTIONS:
            if name not in qual:
                continue
            cells = []
            for c in columns:
                v = qual[name].get(c)
                cells.append(f"{statistics.median(v):15.4f}" if v else f"{'-':>15s}")
            theirs = qual[name].get(("optuna", "tpe"))
            p = ""
            for c in ours_columns:
                ours = qual[name].get(c)
                p += f"{better_fraction(ours, theirs):20.2f}" if ours and theirs else f"{'-':>20s}"
            print(f"{name:20s}{minima[name]:10.4f}" + "".join(cells) + p)
        print("P(A<optuna): how often a rungs study with sampler A ends below an Optuna TPE study (all\n"
              "seed pairs, ties half; the Mann-Whitney statistic): 0.5 means no difference.")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    l = sub.add_parser("latency")
    l.add_argument("--trials", type=int, default=1000)
    l.add_argument("--params", type=int, default=8)
    l.add_argument("--seed", type=int, default=1)
    q = sub.add_parser("quality")
    q.add_argument("--trials", type=int, default=200)
    q.add_argument("--seeds", type=int, default=20)
    q.add_argument("--samplers", default="tpe")
    t = sub.add_parser("table")
    t.add_argument("--trials", type=int, default=200, help="trials per quality study (for the caption)")
    t.add_argument("files", nargs="+")
    args = p.parse_args()
    {"latency": latency, "quality": quality, "table": table}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

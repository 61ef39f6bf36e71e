#!/usr/bin/python3
"""A whole study of one PyTorch script, tuned by rungs and by Optuna on the same budget.

The training code is examples/pytorch/train.py's on both sides: rungs runs the script as
each trial (objective.command); Optuna's objective imports its functions (data, build,
optimizer_for, train_epoch, evaluate) and calls trial.report and trial.should_prune after
every epoch.

  rungs   `mpirun -n W+1 rungs run`: TPE (seeded) + ASHA (min_resource 1, reduction_factor
          3; mode stop, as Optuna's pruner, and, with --modes, promotion), threads_per_worker T
  Optuna  W processes sharing a JournalStorage file, each optimize() with TPESampler (seeded,
          constant_liar, as rungs' TPE) and SuccessiveHalvingPruner (min_resource 1,
          reduction_factor 3), MaxTrialsCallback for the study's trial budget

Same search space, trials, maximum epochs, training and validation images, threads per
worker (OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS and torch.set_num_threads)
and malloc settings (--malloc tuned gives both glibc's MALLOC_MMAP_THRESHOLD_ and
MALLOC_TRIM_THRESHOLD_ as rungs' own trainer sets them). Wall time is from launch to the
last process's exit, Python's and PyTorch's start-up and data loading included; under
rungs each trial run is a new process, and the script commits a checkpoint every epoch.

Prints, per side: wall time, trials completed / pruned (rungs: stopped or never promoted),
epochs trained, wall seconds per epoch trained, "train s" (the trials' own seconds in
train_epoch() and evaluate(), summed), "other/epoch" (worker seconds per epoch spent outside
them: W x wall - train s, over epochs: start-up, data loading, checkpoints, the tuner's
work, idle workers) and the best validation accuracy of any epoch; then the ratios rungs /
Optuna of wall time per epoch trained and of wall time. The two TPEs draw different
configurations, whose epochs cost up to 5x more or less, so "other/epoch" is the figure
that compares the tuners' own costs. Exits 1, printing why, if a side failed, lost or
failed a trial, trained no epochs, or learned nothing.

usage: bench/study_vs_optuna.py [--build DIR] [--big] [--trials N] [--epochs E]
         [--workers W] [--threads T] [--train-samples S] [--val-samples V]
         [--modes stop,promotion] [--malloc default|tuned] [--seed S] [--repeats R]
Run with /usr/bin/python3 (Debian's python3-torch, python3-optuna, python3-h5py).
"""
import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLE = os.path.join(ROOT, "examples", "pytorch")
CLIENT = os.path.join(ROOT, "command", "client")
MIN_RESOURCE, ETA = 1, 3
# A model that learned anything at all: 10 classes, chance is 0.1.
LEARNED = 0.5
# What train.py prints after each epoch: the seconds of train_epoch() and evaluate().
EPOCH_LINE = re.compile(r"^epoch (\d+): .*\(([0-9.]+) s training and validating\)$", re.M)

from e2e_vs_optuna import SPACE  # noqa: E402  (the example MLP's space, the same in both benchmarks)


def suggest(trial):
    """SPACE for Optuna: the same names, ranges, steps, log scales and condition."""
    p = {"lr": trial.suggest_float("lr", 3e-4, 3e-2, log=True),
         "optimizer": trial.suggest_categorical("optimizer", ["adam", "adamw", "sgd"])}
    if p["optimizer"] == "sgd":
        p["momentum"] = trial.suggest_float("momentum", 0.8, 0.99)
    p["weight_decay"] = trial.suggest_float("weight_decay", 1e-6, 1e-3, log=True)
    p["layers"] = trial.suggest_int("layers", 1, 3)
    p["width"] = trial.suggest_int("width", 128, 512, step=128)
    p["dropout"] = trial.suggest_float("dropout", 0.0, 0.4)
    p["batch_size"] = trial.suggest_categorical("batch_size", [64, 128, 256])
    return p


def environment(args):
    """The environment of both sides' processes: the threads, the malloc setting, the
    client on PYTHONPATH (train.py imports it), no RUNGS_ variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("RUNGS_") and not k.startswith("MALLOC_")}
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = str(args.threads)
    if args.malloc == "tuned":  # trainer/allocator.cpp's mallopt() calls, as variables
        env["MALLOC_MMAP_THRESHOLD_"] = str(32 << 20)
        env["MALLOC_TRIM_THRESHOLD_"] = str(1 << 30)
    env["PYTHONPATH"] = CLIENT + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def fail(side, why):
    sys.exit(f"study_vs_optuna: {side}: {why}")


# ------------------------------------------------------------------------------ rungs

def run_rungs(args, mode, workdir):
    study = os.path.join(workdir, f"rungs_{mode}.yaml")
    output = os.path.join(workdir, f"rungs_{mode}")
    with open(study, "w") as f:
        f.write(f"name: study_vs_optuna\nseed: {args.seed}\noutput: {output}\n"
                "objective:\n"
                f"  command: [{sys.executable}, {EXAMPLE}/train.py, --train-samples, "
                f"\"{args.train_samples}\", --val-samples, \"{args.val_samples}\"]\n"
                "  metric: val_accuracy\n  direction: maximize\n"
                + SPACE +
                "sampler: tpe\n"
                f"scheduler: {{name: asha, min_resource: {MIN_RESOURCE}, "
                f"reduction_factor: {ETA}, mode: {mode}}}\n"
                f"budget: {{max_trials: {args.trials}, epochs: {args.epochs}}}\n"
                f"resources: {{threads_per_worker: {args.threads}}}\n")
    mpirun = shlex.split(os.environ.get("MPIRUN", os.path.join(ROOT, "scripts", "mpirun.sh")))
    command = mpirun + ["-n", str(args.workers + 1), os.path.join(args.build, "rungs"), "run",
                        study]
    launch = time.time()
    p = subprocess.run(command, capture_output=True, text=True, env=environment(args))
    wall = time.time() - launch
    side = f"rungs ({mode})"
    if p.returncode != 0:
        fail(side, f"exit status {p.returncode} of {shlex.join(command)}\n"
                   f"{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    import h5py
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        state = f.attrs["state"]
        state = state.decode() if isinstance(state, bytes) else str(state)
        status = list(f["trials/status"].asstr()[:])
        reasons = list(f["trials/reason"].asstr()[:])
        lost = int(f["trials/lost"][()].sum())
        # What the worker saw: seconds from the program's launch, or its last report, to
        # each report.
        between = {(t, e): s for t, e, s in zip(f["curves/trial_id"][()].tolist(),
                                                f["curves/epoch"][()].tolist(),
                                                f["curves/seconds"][()].tolist())}
        epochs = len(between)
        accuracy = f["curves/metrics/val_accuracy"][()]
    if state != "finished":
        fail(side, f"the study is {state}, not finished ({output})")
    failed = [r for s, r in zip(status, reasons) if s == "failed"]
    if failed:
        fail(side, f"{len(failed)} trials failed, the first: {failed[0]} (see {output}/trials)")
    if lost:
        fail(side, f"{lost} trial runs were lost with their worker ({output})")
    # Per run of the program (one attempt_N.out): the time its epochs took beyond their
    # training, the first (start-up: Python, imports, data) apart from the others.
    seconds, startup, later = [], [], []
    for path in glob.glob(os.path.join(output, "trials", "*", "attempt_*.out")):
        trial_id = int(os.path.basename(os.path.dirname(path)))
        for i, (epoch, own) in enumerate(EPOCH_LINE.findall(open(path).read())):
            seconds.append(float(own))
            key = (trial_id, int(epoch))
            if key not in between:
                fail(side, f"{path} has epoch {epoch}, which study.h5 does not")
            (later if i else startup).append(between[key] - float(own))
    if len(seconds) != epochs:
        fail(side, f"the trials' output has {len(seconds)} epoch lines for {epochs} epochs "
                   f"recorded ({output}/trials/*/attempt_*.out)")
    r = result(side, args, wall, len(status), status.count("completed"),
               status.count("stopped") + status.count("paused"), epochs, sum(seconds),
               max(accuracy.tolist(), default=float("nan")))
    r["note"] = (f"{len(startup)} runs of the program: {sum(startup) / len(startup):.2f} s each "
                 "from launch to its first report beyond the epoch's training; "
                 f"{sum(later) / max(1, len(later)):.3f} s per later epoch (checkpoint, report)")
    return r


# ----------------------------------------------------------------------------- Optuna

def journal(path):
    """A JournalStorage on the file: JournalFileBackend (Optuna 4) or JournalFileStorage (3)."""
    import optuna
    backend = getattr(optuna.storages, "JournalFileBackend", None)
    if backend is None:
        journal_module = getattr(optuna.storages, "journal", None)
        backend = getattr(journal_module, "JournalFileBackend", None)
    if backend is None:
        backend = optuna.storages.JournalFileStorage
    return optuna.storages.JournalStorage(backend(path))


def optuna_worker(storage_path, seed, trials, train_samples, val_samples, epochs):
    """One of the W Optuna processes: optimize() until the study has `trials` trials."""
    import optuna
    import torch
    sys.path.insert(0, EXAMPLE)
    import train  # examples/pytorch/train.py

    train.set_threads()
    train_x, train_y, val_x, val_y = train.data(train_samples, val_samples)

    def objective(trial):
        p = suggest(trial)
        trial_seed = seed * 100003 + trial.number
        torch.manual_seed(trial_seed)
        model = train.build(p)
        optimizer = train.optimizer_for(model, p)
        generator = torch.Generator().manual_seed(trial_seed)
        accuracy, seconds = 0.0, 0.0
        try:
            for epoch in range(1, epochs + 1):
                started = time.perf_counter()  # what train.py times
                train.train_epoch(model, optimizer, train_x, train_y, int(p["batch_size"]),
                                  generator)
                _, accuracy = train.evaluate(model, val_x, val_y)
                seconds += time.perf_counter() - started
                trial.report(accuracy, epoch)
                # Not at the last epoch: the pruner would judge it as a rung (9 = 1 x 3^2)
                # and mark a trial that trained its whole budget pruned; ASHA completes it.
                if epoch < epochs and trial.should_prune():
                    raise optuna.TrialPruned()
        finally:
            trial.set_user_attr("seconds", seconds)
        return accuracy

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(
        study_name="study_vs_optuna", storage=journal(storage_path),
        sampler=optuna.samplers.TPESampler(seed=seed, constant_liar=True),
        pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=MIN_RESOURCE,
                                                      reduction_factor=ETA))
    # states=None counts running trials too: the processes together start `trials` trials
    # (one more per process at worst, when several finish at the same moment).
    study.optimize(objective, callbacks=[optuna.study.MaxTrialsCallback(trials, states=None)])


def run_optuna(args, workdir):
    import warnings
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    side = "Optuna"
    storage = os.path.join(workdir, "optuna.journal")
    launch = time.time()
    optuna.create_study(study_name="study_vs_optuna", storage=journal(storage),
                        direction="maximize")
    workers = [subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--optuna-worker", storage,
         str(args.seed + i), str(args.trials), str(args.train_samples),
         str(args.val_samples), str(args.epochs)],
        env=dict(environment(args), PYTHONWARNINGS="ignore"), stderr=subprocess.PIPE, text=True)
        for i in range(args.workers)]
    errors = [w.communicate()[1] for w in workers]
    wall = time.time() - launch
    for w, err in zip(workers, errors):
        if w.returncode != 0:
            fail(side, f"a worker process exited with status {w.returncode}:\n{err[-2000:]}")
    trials = optuna.load_study(study_name="study_vs_optuna",
                               storage=journal(storage)).get_trials(deepcopy=False)
    states = [t.state for t in trials]
    S = optuna.trial.TrialState
    if any(s not in (S.COMPLETE, S.PRUNED) for s in states):
        bad = [t for t in trials if t.state not in (S.COMPLETE, S.PRUNED)]
        fail(side, f"{len(bad)} trials ended {bad[0].state.name} (trial {bad[0].number})")
    values = [v for t in trials for v in t.intermediate_values.values()]
    return result(side, args, wall, len(trials), states.count(S.COMPLETE),
                  states.count(S.PRUNED), len(values),
                  sum(t.user_attrs["seconds"] for t in trials), max(values, default=float("nan")))


# ----------------------------------------------------------------------------- common

def result(side, args, wall, trials, completed, pruned, epochs, seconds, best):
    """One side's figures, after the checks that keep nonsense from being printed.
    seconds: the trials' own training and validation time, summed over epochs."""
    if not args.trials <= trials <= args.trials + args.workers - 1:
        fail(side, f"{trials} trials recorded for a budget of {args.trials}")
    if epochs < trials:
        fail(side, f"{epochs} epochs trained by {trials} trials (every trial trains one)")
    if not best > LEARNED:
        fail(side, f"best validation accuracy {best}: the model learned nothing")
    if not 0 < seconds < wall * args.workers:
        fail(side, f"{seconds:.1f} s of training in {wall:.1f} s on {args.workers} workers")
    return {"side": side, "wall": wall, "trials": trials, "completed": completed,
            "pruned": pruned, "epochs": epochs, "per_epoch": wall / epochs, "train": seconds,
            "other": (wall * args.workers - seconds) / epochs, "best": best}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--optuna-worker":
        storage, seed, trials, train_samples, val_samples, epochs = sys.argv[2:8]
        optuna_worker(storage, int(seed), int(trials), int(train_samples), int(val_samples),
                      int(epochs))
        return
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--big", action="store_true",
                    help="the bigger run: 30 trials, 50,000 training and 10,000 validation images")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--epochs", type=int, default=9)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="per worker")
    ap.add_argument("--train-samples", type=int)
    ap.add_argument("--val-samples", type=int)
    ap.add_argument("--modes", default="stop", help="rungs' ASHA modes: stop, promotion or both")
    ap.add_argument("--malloc", choices=("default", "tuned"), default="default")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=1, help="runs of every side, alternating")
    args = ap.parse_args()
    big = {"trials": 30, "train_samples": 50000, "val_samples": 10000}
    small = {"trials": 12, "train_samples": 5000, "val_samples": 2000}
    for key, value in (big if args.big else small).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    modes = args.modes.split(",")
    if any(m not in ("stop", "promotion") for m in modes):
        ap.error(f"--modes {args.modes}: each must be stop or promotion")
    if args.trials < 1 or args.epochs < 1 or args.workers < 1 or args.threads < 1:
        ap.error("--trials, --epochs, --workers and --threads must be >= 1")
    if not os.access(os.path.join(args.build, "rungs"), os.X_OK):
        ap.error(f"--build {args.build}: no rungs there (cmake --build {args.build} --target rungs)")

    print("$ " + shlex.join(["bench/study_vs_optuna.py"] + sys.argv[1:]))
    print(f"examples/pytorch/train.py on {args.train_samples} training and {args.val_samples} "
          f"validation images; {args.trials} trials of up to {args.epochs} epochs, TPE, "
          f"successive halving r={MIN_RESOURCE} eta={ETA}; {args.workers} workers x "
          f"{args.threads} threads, malloc {args.malloc}; {os.cpu_count()} cores", flush=True)
    print(f"{'':18} {'wall s':>7} {'trials':>6} {'compl.':>6} {'pruned':>6} {'epochs':>6} "
          f"{'s/epoch':>7} {'train s':>7} {'other/epoch':>11} {'best acc':>8}", flush=True)
    for repeat in range(args.repeats):
        results = []
        # Kept when a side fails (fail() exits), for its files.
        workdir = tempfile.mkdtemp(prefix="rungs_study_vs_optuna_")
        for run in [lambda: run_optuna(args, workdir)] + [
                (lambda m=m: run_rungs(args, m, workdir)) for m in modes]:
            r = run()
            results.append(r)
            print(f"{r['side']:18} {r['wall']:7.1f} {r['trials']:6d} {r['completed']:6d} "
                  f"{r['pruned']:6d} {r['epochs']:6d} {r['per_epoch']:7.3f} "
                  f"{r['train']:7.1f} {r['other']:11.3f} {r['best']:8.4f}", flush=True)
        for r in results:
            if "note" in r:
                print(f"{r['side']}: {r['note']}")
        shutil.rmtree(workdir)
        optuna_side = results[0]
        for r in results[1:]:
            print(f"{r['side']} / Optuna: wall per epoch trained "
                  f"{r['per_epoch'] / optuna_side['per_epoch']:.2f}, "
                  f"wall {r['wall'] / optuna_side['wall']:.2f}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""End-to-end cases of `rungs` under real mpirun; results are read back with h5py.

Usage: test_run.py CASE --rungs BUILD/rungs --mpiexec "mpirun --oversubscribe ..." --workdir DIR
"""
import argparse
import hashlib
import math
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run, strings  # noqa: E402

TINY = """\
name: tiny
seed: {seed}
output: {output}
objective: {{model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000, val_samples: 500}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
  optimizer: {{type: categorical, choices: [adam, sgd]}}
  momentum: {{type: float, low: 0.5, high: 0.9, when: {{optimizer: [sgd]}}}}
  width: {{type: int, low: 32, high: 64, step: 32}}
fixed: {fixed}
sampler: random
scheduler: fifo
budget: {{max_trials: {trials}, epochs: 2}}
resources: {{threads_per_worker: 1}}
"""


def write_study(workdir, name="tiny.yaml", seed=3, trials=4, fixed="{layers: 1}", **kw):
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, "out")
    path = os.path.join(workdir, name)
    text = TINY.format(seed=seed, output=output, trials=trials, fixed=fixed)
    for old, new in kw.get("replace", []):
        assert old in text, old
        text = text.replace(old, new)
    with open(path, "w") as f:
        f.write(text)
    return path, output


def check_study_file(path, trials, epochs, statuses=("completed",)):
    """What a user reading study.h5 with h5py sees."""
    with h5py.File(path, "r") as f:
        check(f.attrs["format"] in ("rungs-study", b"rungs-study"), "format attribute")
        check(f.attrs["state"] in ("finished", b"finished"), "study is finished")
        check("name: tiny" in f["study_yaml"][()].decode(), "the study file's text is stored")
        t = f["trials"]
        ids = t["id"][()]
        check(list(ids) == list(range(trials)), f"trial ids {ids}")
        status = strings(t["status"])
        check(all(s in statuses for s in status), f"statuses {status}")
        lr = t["params/lr"][()]
        check(lr.dtype == np.float64 and np.all((lr >= 1e-3) & (lr <= 1e-2)), f"lr column {lr}")
        width = t["params/width"][()]
        check(set(width) <= {32, 64}, f"width column {width}")
        opt = strings(t["params/optimizer"])
        if "momentum" in t["params"]:
            active = t["params_active/momentum"][()] if "params_active" in t and "momentum" in t["params_active"] else None
            mom = t["params/momentum"][()]
            for i, o in enumerate(opt):
                present = (active[i] if active is not None else not math.isnan(mom[i]))
                check(present == (o == "sgd"), f"momentum present only for sgd (trial {i})")
        c = f["curves"]
        n_epochs = sum(int(e) for e in t["epochs_run"][()])
        check(len(c["trial_id"]) == n_epochs, "one curve row per reported epoch")
        completed = [i for i, s in enumerate(status) if s == "completed"]
        for i in completed:
            rows = c["trial_id"][()] == i
            check(list(c["epoch"][()][rows]) == list(range(1, epochs + 1)), f"epochs of trial {i}")
            acc = c["metrics/val_accuracy"][()][rows]
            check(np.all((acc > 0) & (acc <= 1)), f"accuracy of trial {i}: {acc}")
            check(math.isclose(t["best_value"][i], acc.max()), f"best_value of trial {i}")
        if completed:
            best = int(np.nanargmax(t["best_value"][()]))
            check("test" in f, "the best trial's test accuracy is stored")
            check(int(f["test"].attrs["trial_id"]) == best, "test result belongs to the best trial")
            check(0.1 < float(f["test"].attrs["accuracy"]) <= 1.0, "test accuracy in range")
        return status, strings(t["reason"])


def case_mpi(args, ranks):
    study, output = write_study(args.workdir)
    p = run(shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study])
    check(p.returncode == 0, f"rungs run exit status {p.returncode}")
    check("trial 3 completed after 2 epochs" in p.stdout, "one progress line per finished trial")
    check("best trial" in p.stdout and output in p.stdout, "prints the best trial and where results are")
    path = os.path.join(output, "study.h5")
    check_study_file(path, trials=4, epochs=2)
    version = run([args.rungs, "--version"]).stdout.split()
    with h5py.File(path, "r") as f:
        check(version[0] == "rungs" and f.attrs["rungs_version"] == version[1],
              f"study.h5 names the version --version prints: {version}")
    best = run([args.rungs, "best", path])
    check(best.returncode == 0 and "best trial" in best.stdout and "test accuracy" in best.stdout,
          "rungs best shows the best trial")
    ckpt = [l.split(": ", 1)[1] for l in best.stdout.splitlines() if l.startswith("checkpoint: ")]
    check(len(ckpt) == 1 and os.path.exists(ckpt[0]), f"rungs best names the best checkpoint: {ckpt}")
    with h5py.File(ckpt[0], "r") as f:
        check(f.attrs["epoch"] == 2 and len(f["model"]) > 0, "the checkpoint holds the trained model")
    dump = run(["h5dump", "-H", path])
    check(dump.returncode == 0, "h5dump reads the file")
    check_readme_example(path)


def case_threads(args):
    """Without threads_per_worker, a worker takes the CPUs mpirun bound it to (mpirun -n 2
    binds each rank to a core), else its share of the cores; the first line says so."""
    study, output = write_study(args.workdir)
    text = open(study).read().replace("resources: {threads_per_worker: 1}\n", "")
    text = text.replace("max_trials: 4", "max_trials: 1")
    open(study, "w").write(text)
    cores = os.cpu_count()
    for ranks in (2, 3):
        shutil.rmtree(output, ignore_errors=True)
        probe = run(shlex.split(args.mpiexec) + ["-n", str(ranks), "grep", "Cpus_allowed_list",
                                                 "/proc/self/status"])
        allowed = []
        for line in probe.stdout.split("\n"):
            if line.startswith("Cpus_allowed_list:"):
                spans = [r.split("-") for r in line.split(":")[1].strip().split(",")]
                allowed.append(sum(int(b[-1]) - int(b[0]) + 1 for b in spans))
        check(len(allowed) == ranks, f"binding of {ranks} ranks: {probe.stdout}")
        bound = max(allowed)  # a worker's (rank 0 and the workers are bound alike)
        expected = bound if bound < cores else max(1, cores // (ranks - 1))
        p = run(shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study])
        check(p.returncode == 0, f"exit status {p.returncode}")
        workers = ranks - 1
        line = (f"{workers} worker{'s' if workers > 1 else ''} on the CPU, {expected} "
                f"thread{'s' if expected > 1 else ''} each")
        check(line in p.stdout, f"-n {ranks}: the first line says '{line}'")


def check_readme_example(path):
    """The README's pandas example runs as printed on a real study file."""
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    blocks = [b.split("```")[0] for b in readme.split("```python\n")[1:]]
    example = next(b for b in blocks if "pd.DataFrame" in b)
    code = example.replace("runs/fashion_mlp/study.h5", path)
    code += "\nassert len(trials) == 4 and len(curves) == trials.epochs_run.sum()\n"
    code += "assert set(trials.status) == {'completed'} and 'lr' in trials.columns\n"
    p = run([sys.executable, "-c", code])
    check(p.returncode == 0, "the README's pandas example runs")


def case_tpe_asha(args):
    """TPE and ASHA plugged into a real run: most trials stop at the first rung."""
    study, output = write_study(args.workdir, trials=10, seed=4,
                                replace=[("sampler: random", "sampler: {name: tpe, n_startup_trials: 4}"),
                                         ("scheduler: fifo", "scheduler: {name: asha, min_resource: 1, reduction_factor: 3}"),
                                         ("epochs: 2", "epochs: 3")])
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study])
    check(p.returncode == 0, f"rungs run exit status {p.returncode}")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        status = strings(f["trials/status"])
        rung = f["trials/rung"][()]
        epochs = f["trials/epochs_run"][()]
    check(len(status) == 10 and set(status) <= {"completed", "stopped"}, f"statuses {status}")
    check(status.count("stopped") >= 3, f"ASHA stops trials early: {status}")
    for s_, r, e in zip(status, rung, epochs):
        check(s_ != "stopped" or e < 3, "a stopped trial ran fewer epochs")
        check(s_ != "completed" or (e == 3 and r >= 1), f"a completed trial reached the top rung ({r})")


def case_asha_promotion(args):
    """Promotion-based ASHA in a real run: trials pause at a rung, and the best paused ones
    resume from their checkpoints on whichever worker is free."""
    study, output = write_study(args.workdir, trials=9, seed=6,
                                replace=[("scheduler: fifo", "scheduler: {name: asha, min_resource: 1, reduction_factor: 3, mode: promotion}"),
                                         ("epochs: 2", "epochs: 3")])
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study])
    check(p.returncode == 0, f"rungs run exit status {p.returncode}")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        status = strings(f["trials/status"])
        epochs = f["trials/epochs_run"][()]
        attempts = f["trials/attempts"][()]
        c = f["curves"]
        keys = list(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()))
    check(len(keys) == len(set(keys)), "no (trial, epoch) recorded twice")
    check("failed" not in status, f"no trial failed: {status}")
    check("paused" in status, f"trials that were not promoted stay paused: {status}")
    resumed = [i for i, a in enumerate(attempts) if a > 1]
    check(resumed, f"some trials were resumed (attempts {list(attempts)})")
    for i in resumed:
        check(epochs[i] > 1, f"a resumed trial trained past its first rung ({epochs[i]})")


def case_objectives(args):
    """A built-in model tuned for accuracy and size: nsga2 + MO-ASHA (stop mode) under
    mpirun -n 3 on Fashion-MNIST; every epoch records params (a 784-W-10 MLP has 795 W + 10)
    and latency_ms, and `rungs best` prints as the front the trials no other beats on both."""
    study, output = write_study(
        args.workdir, trials=8, seed=5, fixed="{layers: 1}",
        replace=[("metric: val_accuracy, direction: maximize, ", ""),
                 ("search_space:", "objectives:\n  - {metric: val_accuracy}\n  - {metric: params}\nsearch_space:"),
                 ("width: {type: int, low: 32, high: 64, step: 32}", "width: {type: int, low: 8, high: 256, log: true}"),
                 ("sampler: random", "sampler: {name: nsga2, population: 4}"),
                 ("scheduler: fifo", "scheduler: {name: asha, min_resource: 1, reduction_factor: 2}")])
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study])
    check(p.returncode == 0, f"rungs run exit status {p.returncode}: {p.stderr[-500:]}")
    path = os.path.join(output, "study.h5")
    with h5py.File(path, "r") as f:
        width = f["trials/params/width"][()].tolist()
        status = strings(f["trials/status"])
        c = f["curves"]
        trial, epoch = c["trial_id"][()].tolist(), c["epoch"][()].tolist()
        acc, params = c["metrics/val_accuracy"][()].tolist(), c["metrics/params"][()].tolist()
        latency = c["metrics/latency_ms"][()].tolist()
        on_front = {i for i, v in enumerate(f["trials/pareto_front"][()].tolist()) if v}
        check(all(f["trials/feasible"][()].tolist()), "without constraints every trial is feasible")
    check("failed" not in status, f"no trial failed: {status}")
    check(all(params[k] == 795 * width[trial[k]] + 10 for k in range(len(trial))), "params is the MLP's size")
    check(all(v > 0 for v in latency), "latency_ms is measured")
    last = {}
    for k in range(len(trial)):
        if epoch[k] >= last.get(trial[k], (0, None))[0]:
            last[trial[k]] = (epoch[k], (acc[k], params[k]))
    points = {i: v[1] for i, v in last.items()}
    front = {i for i, a in points.items()
             if not any(b[0] >= a[0] and b[1] <= a[1] and b != a for b in points.values())}
    best = run([args.rungs, "best", path])
    shown = {int(line.split()[0]) for line in best.stdout.split("Pareto front: ", 1)[1].splitlines()[2:] if line.strip()}
    check(shown == front, f"the front {sorted(shown)} is {sorted(front)}: {best.stdout}")
    check(on_front == front, f"study.h5's /trials/pareto_front {sorted(on_front)} is {sorted(front)}")


def case_nan_trial(args):
    study, output = write_study(args.workdir, trials=3, fixed="{layers: 1, lr: 1.0e+8, optimizer: sgd}",
                                replace=[("  lr: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}\n", ""),
                                         ("  optimizer: {type: categorical, choices: [adam, sgd]}\n", ""),
                                         ("when: {optimizer: [sgd]}", "")])
    p = run(shlex.split(args.mpiexec) + ["-n", "2", args.rungs, "run", study])
    check(p.returncode == 0, "a study whose trials all diverge still ends cleanly")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        status = strings(f["trials/status"])
        reasons = strings(f["trials/reason"])
    check(status == ["failed"] * 3, f"diverging trials are failed: {status}")
    check(all("nan" in r.lower() or "inf" in r.lower() for r in reasons), f"reasons name the NaN: {reasons}")


def case_bad_config(args):
    study, output = write_study(args.workdir, replace=[("low: 1.0e-3", "low: -1")])
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study], timeout=60)
    check(p.returncode == 2, f"exit status 2, got {p.returncode}")
    expected = f"rungs: {study}: search_space.lr.low: -1 must be > 0 when log is true"
    ours = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
    check(ours == [expected], f"exactly one error line naming file, field and value: {ours}")
    check(not os.path.exists(output), "no file is written")


def case_existing_study(args):
    study, output = write_study(args.workdir)
    os.makedirs(output, exist_ok=True)
    path = os.path.join(output, "study.h5")
    with open(path, "wb") as f:
        f.write(b"precious results")
    before = hashlib.sha256(open(path, "rb").read()).hexdigest()
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study], timeout=60)
    check(p.returncode == 2, f"exit status 2, got {p.returncode}")
    ours = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
    check(len(ours) == 1 and path in ours[0], f"one line naming the file: {ours}")
    check(hashlib.sha256(open(path, "rb").read()).hexdigest() == before, "the old file is untouched")


def case_single_rank(args):
    study, output = write_study(args.workdir)
    p = run(shlex.split(args.mpiexec) + ["-n", "1", args.rungs, "run", study], timeout=60)
    check(p.returncode == 2 and "at least 2 MPI ranks" in p.stderr, "one rank is a clear error")
    check(not os.path.exists(os.path.join(output, "study.h5")), "no study file")


def case_rank_error(args):
    """An error on one worker rank outside any trial (a fault injected on rank 2 at its second
    assignment) ends the whole job at once with a non-zero status and the rank's reason,
    instead of leaving the other ranks waiting for it. The study is far too long to end on
    its own in the time allowed."""
    study, output = write_study(args.workdir, trials=1000)
    rungs = [args.rungs, "run", study]
    cmd = shlex.split(args.mpiexec) + ["-n", "2"] + rungs + \
        [":", "-n", "1", "env", "RUNGS_FAULT=worker.assign:2"] + rungs
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    started = time.time()
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        print(out[-2000:], err[-2000:], flush=True)
        check(False, "the job still ran 120 s after one rank failed")
    print(out[-2000:], err[-2000:], flush=True)
    print(f"job ended {time.time() - started:.1f} s after start, status {proc.returncode}")
    check(proc.returncode != 0, f"a failed rank ends the job with a non-zero status, got {proc.returncode}")
    check("rungs: error on rank 2: injected worker failure" in err, "the failing rank says why")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        check(len(f["trials/id"]) < 1000, "the job ended long before the study would have")


def case_cli(args):
    """--set overrides a study field (validated like the file, recorded in study.h5), ${VAR}
    in output is the environment's, and --help tells the exit statuses."""
    study, output = write_study(args.workdir, trials=3)
    p = run([args.rungs, "validate", study, "--set", "budget.max_trials=2", "--set",
             "search_space.width={type: int, low: 16, high: 32, step: 16}"])
    check(p.returncode == 0 and "2 trials of at most 2 epochs" in p.stdout, f"--set in validate: {p.stdout}")
    p = run([args.rungs, "validate", study, "--set", "budget.max_trials=many"])
    errors = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
    check(p.returncode == 2 and len(errors) == 1 and "budget.max_trials" in errors[0] and "many" in errors[0],
          f"a bad --set value is one line naming the field and value: {errors}")
    p = run([args.rungs, "validate", study, "--set", "budget.max_trials.x=3"])
    check(p.returncode == 2 and "--set budget.max_trials.x=3: budget.max_trials is not a map" in p.stderr,
          f"a path through a value: {p.stderr}")
    p = run(shlex.split(args.mpiexec) + ["-n", "2", args.rungs, "run", study, "--set", "budget.max_trials=2"])
    check(p.returncode == 0, f"rungs run --set: exit status {p.returncode}")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        check(len(f["trials/id"]) == 2, "the override decided the budget")
        check("max_trials: 2" in f["study_yaml"][()].decode(), "the study records the override")

    env = dict(os.environ, RUNGS_TEST_SCRATCH=os.path.join(args.workdir, "scratch"))
    text = open(study).read().replace(f"output: {output}", "output: ${RUNGS_TEST_SCRATCH}/runs/tiny")
    open(study, "w").write(text)
    p = run([args.rungs, "validate", study], env=env)
    check(p.returncode == 0 and os.path.join(args.workdir, "scratch", "runs", "tiny", "study.h5") in p.stdout,
          f"${{VAR}} in output is expanded: {p.stdout}")
    p = run([args.rungs, "validate", study])
    check(p.returncode == 2 and "${RUNGS_TEST_SCRATCH} is not set in the environment" in p.stderr and
          "output" in p.stderr, f"an unset variable is named: {p.stderr}")

    p = run([args.rungs, "--help"])
    check(p.returncode == 0 and "Exit status:" in p.stdout and "75" in p.stdout and "docs/" in p.stdout,
          "--help ends with the exit statuses and where the docs are")


def case_validate(args):
    study, _ = write_study(args.workdir)
    p = run([args.rungs, "validate", study])
    check(p.returncode == 0 and "ok" in p.stdout, "a good file validates")
    bad, _ = write_study(args.workdir, name="bad.yaml", replace=[("width:", "widht:")])
    p = run([args.rungs, "validate", bad])
    check(p.returncode == 2, "an unknown hyperparameter is an input error")
    check(len(p.stderr.strip().splitlines()) == 1 and "search_space.widht" in p.stderr,
          "one line naming the field")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    cases = {
        "three_ranks": lambda: case_mpi(args, 3),
        "two_ranks": lambda: case_mpi(args, 2),
        "nan_trial": lambda: case_nan_trial(args),
        "tpe_asha": lambda: case_tpe_asha(args),
        "asha_promotion": lambda: case_asha_promotion(args),
        "bad_config": lambda: case_bad_config(args),
        "existing_study": lambda: case_existing_study(args),
        "single_rank": lambda: case_single_rank(args),
        "validate": lambda: case_validate(args),
        "threads": lambda: case_threads(args),
        "rank_error": lambda: case_rank_error(args),
        "cli": lambda: case_cli(args),
        "objectives": lambda: case_objectives(args),
    }
    cases[args.case]()
    print("ok", args.case)


if __name__ == "__main__":
    main()

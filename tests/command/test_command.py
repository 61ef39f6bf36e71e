#!/usr/bin/python3
"""Trials that run the user's own program (objective.command), with real child processes
under real mpirun; study.h5 read back with h5py. The program is programs/synthetic.py (a
synthetic curve through the rungs_trial client) or examples/pytorch/train.py (PyTorch on
Fashion-MNIST).

Usage: test_command.py CASE --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from testlib import SKIP, check, cut_budget, run, strings  # noqa: E402

PROGRAM = os.path.join(HERE, "programs", "synthetic.py")
EXIT_RESUME = 75

STUDY = """\
name: command
seed: 4
output: {output}
objective:
  command: [/usr/bin/python3, {program}, --lr, "{{lr}}", --mode, {mode}, --epoch-seconds, "{epoch_seconds}"]
  metric: val_accuracy
  timeouts: {{start: {start}, epoch: {epoch}, stop: 2}}
search_space:
  lr: {{type: float, low: 1.0e-4, high: 1.0, log: true}}
sampler: {sampler}
scheduler: {scheduler}
budget: {{max_trials: {trials}, epochs: {epochs}}}
resources: {{threads_per_worker: 1}}
"""


def write(args, name, mode="ok", trials=6, epochs=4, sampler="random", scheduler="fifo",
          start=60, epoch=0, epoch_seconds=0.05):
    workdir = os.path.join(args.workdir, name)
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, "out")
    path = os.path.join(workdir, "study.yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, program=PROGRAM, mode=mode, trials=trials,
                             epochs=epochs, sampler=sampler, scheduler=scheduler, start=start,
                             epoch=epoch, epoch_seconds=epoch_seconds))
    return path, os.path.join(output, "study.h5")


def rungs_run(args, study, ranks=3, timeout=300):
    return run(shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study], timeout)


def read(path):
    with h5py.File(path, "r") as f:
        t = f["trials"]
        trials = {"status": strings(t["status"]), "reason": strings(t["reason"]),
                  "epochs": t["epochs_run"][()].tolist(), "attempts": t["attempts"][()].tolist(),
                  "state": f.attrs["state"]}
        c = f["curves"]
        keys = list(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()))
        check(len(keys) == len(set(keys)), "no (trial, epoch) recorded twice")
        trials["curves"] = dict(zip(keys, c["value"][()].tolist()))
        trials["metrics"] = {name: dict(zip(keys, d[()].tolist())) for name, d in c["metrics"].items()}
        if "lr" in f["trials/params"]:
            trials["lr"] = f["trials/params/lr"][()].tolist()
    return trials


def programs_left(program=PROGRAM):
    """pids of `program`'s processes still alive (none may outlive its trial or worker)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if program.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def example_study(args, name, edits):
    """examples/NAME/study.yaml with `edits` ((old, new) text pairs, each required) applied and
    its output in args.workdir/out: (the edited study file, the output folder, the example's
    folder). The examples' own studies, made small enough for a test."""
    example = os.path.join(ROOT, "examples", name)
    study = os.path.join(args.workdir, "study.yaml")
    output = os.path.join(args.workdir, "out")
    text = open(os.path.join(example, "study.yaml")).read()
    for old, new in edits:
        check(old in text, f"the example study has {old}")
        text = text.replace(old, new.format(output=output, example=example))
    open(study, "w").write(text)
    return study, output, example


def signal_after_first_checkpoint(cmd, checkpoints, log_path, wait=120):
    """Starts `cmd` (a study), sends it SIGUSR1 once some trial has committed its first
    epoch's checkpoint folder in `checkpoints`, and returns (exit status, seconds from the
    signal to the exit)."""
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + wait
    while time.time() < deadline and not (os.path.isdir(checkpoints) and
                                           any(n.endswith(".e1") for n in os.listdir(checkpoints))):
        check(proc.poll() is None, "the study is running")
        time.sleep(0.1)
    sent = time.time()
    os.kill(proc.pid, signal.SIGUSR1)
    code = proc.wait(timeout=120)
    took = time.time() - sent
    print(f"signal to exit: {took:.1f} s", flush=True)
    return code, took


def case_tpe_asha(args):
    """TPE + ASHA, stop mode and promotion mode: every epoch of every trial in study.h5;
    paused trials are relaunched from the checkpoint folder the program committed (the
    program checks it resumes where it was)."""
    for mode in ("stop", "promotion"):
        study, path = write(args, mode, trials=10, sampler="tpe",
                            scheduler=f"{{name: asha, min_resource: 1, reduction_factor: 2, mode: {mode}}}")
        p = rungs_run(args, study)
        check(p.returncode == 0, f"{mode}: exit status {p.returncode}")
        t = read(path)
        check(t["state"] == "finished", f"{mode}: finished")
        check("failed" not in t["status"], f"{mode}: no trial failed: {t['reason']}")
        check(all(len([k for k in t["curves"] if k[0] == i]) == e for i, e in enumerate(t["epochs"])),
              f"{mode}: every epoch of every trial recorded")
        check(max(t["epochs"]) == 4 and min(t["epochs"]) >= 1, f"{mode}: the top rung was reached: {t['epochs']}")
        m = t["metrics"]
        check(sorted(m) == ["lr_seen", "train_loss", "val_accuracy", "val_loss"],
              f"{mode}: every valid metric the program reported is stored: {sorted(m)}")
        check(all(m["val_accuracy"][k] == v for k, v in t["curves"].items()), f"{mode}: value is val_accuracy")
        check(all(m["lr_seen"][k] == t["lr"][k[0]] for k in t["curves"]),
              f"{mode}: each epoch's lr_seen is its trial's lr")
        if mode == "stop":
            p = subprocess.run([args.rungs, "export", path, "--curves", "/dev/stdout"],
                               capture_output=True, text=True)
            header = p.stdout.splitlines()[0].split(",")
            check(p.returncode == 0 and "lr_seen" in header and "val_loss" in header,
                  f"export --curves has a column per metric: {header}")
        if mode == "stop":
            check("stopped" in t["status"], f"ASHA stopped trials: {t['status']}")
        else:
            resumed = [i for i, a in enumerate(t["attempts"]) if a > 1]
            check(resumed and all(t["epochs"][i] > 1 for i in resumed),
                  f"promoted trials were resumed: attempts {t['attempts']} epochs {t['epochs']}")
            logs = os.listdir(os.path.join(os.path.dirname(path), "trials", str(resumed[0])))
            check("attempt_2.out" in logs, f"a resumed trial has a log per run: {logs}")
    check(not programs_left(), "no program outlives its trial")


FAILURES = {
    # mode: (study options, the trial's reason starts with / contains)
    "hang_start": ({"start": 2}, "no report within 2 s of its start (objective.timeouts.start)"),
    "hang_epoch": ({"epoch": 2}, "no report within 2 s after epoch 1 (objective.timeouts.epoch)"),
    "crash": ({}, "exit status 3 after epoch 1; stderr: something broke in the data loader"),
    "oom": ({}, "CUDA out of memory: exit status 1 after epoch 1"),
    "nan": ({}, "val_accuracy became nan at epoch 2"),
}


def case_failures(args):
    """Each misbehaviour fails its trials with the reason a user needs; the worker and the
    study go on (one worker runs both trials, the second after the first failed)."""
    for mode, (options, reason) in FAILURES.items():
        study, path = write(args, mode, mode=mode, trials=2, **options)
        started = time.time()
        p = rungs_run(args, study, ranks=2, timeout=120)
        print(f"{mode}: {time.time() - started:.1f} s", flush=True)
        check(p.returncode == 0, f"{mode}: the study ends normally, exit status {p.returncode}")
        t = read(path)
        check(t["status"] == ["failed", "failed"], f"{mode}: both trials failed: {t['status']}")
        check(all(r.startswith(reason) or reason in r for r in t["reason"]), f"{mode}: reason {t['reason']}")
        check(not programs_left(), f"{mode}: no program left running")


def case_misbehaving(args):
    """Garbage on the channel is counted and ignored; a program that ignores stop is ended
    (TERM) and its trial keeps its results; a program's exit 75 means run it again."""
    study, path = write(args, "garbage", mode="garbage", trials=2)
    p = rungs_run(args, study, ranks=2)
    t = read(path)
    check(p.returncode == 0 and t["status"] == ["completed"] * 2, f"garbage: {t['status']} {t['reason']}")
    check("lines from the program were not reports" in p.stderr, "the garbage is reported")
    log = open(os.path.join(os.path.dirname(path), "trials", "0", "rungs.log")).read()
    check("not JSON, ignored: this is not json" in log, "the trial's log names the line")

    study, path = write(args, "ignore_stop", mode="ignore_stop", trials=6,
                        scheduler="{name: asha, min_resource: 1, reduction_factor: 3}")
    p = rungs_run(args, study, ranks=2)
    t = read(path)
    check(p.returncode == 0 and "failed" not in t["status"] and "stopped" in t["status"],
          f"ignored stops: the stopped trials keep their results: {t['status']} {t['reason']}")
    check(not programs_left(), "the programs that ignored stop were ended")

    # Exit 75, or killed by a stop signal rungs did not send (Slurm's scancel --signal=USR1
    # reaches the programs as well as the ranks): run again from its checkpoint.
    for mode, how in (("exit75", "exit 75"), ("usr1_self", "killed by SIGUSR1")):
        study, path = write(args, mode, mode=mode, trials=2)
        p = rungs_run(args, study, ranks=2)
        t = read(path)
        check(p.returncode == 0 and t["status"] == ["completed"] * 2 and t["epochs"] == [4, 4],
              f"{how}: run again from its checkpoint: {t['status']} {t['epochs']} {t['reason']}")
        check(all(a == 2 for a in t["attempts"]), f"{how}: each trial ran twice: {t['attempts']}")


def case_preemption(args):
    """SIGUSR1 to a running study of programs: exit 75 within the grace period, the rerun
    resumes each trial from its checkpoint, nothing recorded is lost. The signal comes once
    a trial has committed its first epoch's checkpoint, so it lands in the 10 s of its
    second epoch; the budget (1000 trials) cannot be spent first."""
    study, path = write(args, "preempt", trials=1000, epochs=4, epoch_seconds=10.0)
    cmd = shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study]
    code, took = signal_after_first_checkpoint(cmd, os.path.join(os.path.dirname(path), "checkpoints"),
                                               os.path.join(args.workdir, "preempt.log"))
    check(code == EXIT_RESUME, f"exit status {code}, expected {EXIT_RESUME}")
    check(took < 30, f"the programs ended within the grace period: {took:.1f} s")
    before = read(path)
    check(before["state"] == "interrupted" and "running" in before["status"], f"saved: {before['status']}")
    check(not programs_left(), "no program outlives the job")
    with h5py.File(path, "r") as f:
        n = len(f["trials/id"])
    cut_budget(study, n)
    p = rungs_run(args, study)
    check(p.returncode == 0, f"the rerun finishes: {p.returncode}")
    after = read(path)
    check(all(after["curves"].get(k) == v for k, v in before["curves"].items()), "no recorded epoch lost")
    check(after["status"] == ["completed"] * n, f"every trial completed: {after['status']}")


def case_killed_worker(args):
    """A worker rank SIGKILLed while its program trains: the program dies with it (no
    orphan), and the next run completes the trial from its checkpoint."""
    study, path = write(args, "killed", trials=1000, epochs=4, epoch_seconds=1.0)
    cmd = shlex.split(args.mpiexec) + ["-n", "2", args.rungs, "run", study]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not programs_left():
        time.sleep(0.1)
    programs = programs_left()
    check(programs, "a program runs")
    worker = int(open(f"/proc/{programs[0]}/stat").read().rsplit(")", 1)[1].split()[1])
    os.kill(worker, signal.SIGKILL)  # the program's parent: the worker rank
    proc.wait(timeout=60)
    deadline = time.time() + 10
    while time.time() < deadline and programs_left():
        time.sleep(0.1)
    check(not programs_left(), "the program died with its worker")
    for pid in os.listdir("/proc"):  # what is left of the job (ranks are in groups of their own)
        if pid.isdigit():
            try:
                if int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[3]) == proc.pid:
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    time.sleep(1)
    sys.path.insert(0, os.path.join(ROOT, "python"))
    import rungs  # the study as recorded: study.h5 and its journal
    n = len(rungs.load(path).trials)
    check(n >= 1, "the killed run recorded its trial")
    cut_budget(study, n)
    p = rungs_run(args, study, ranks=2)
    t = read(path)
    check(p.returncode == 0 and t["status"] == ["completed"] * n, f"the rerun completes: {t['status']} {t['reason']}")


def case_checks(args):
    """The study file is checked before anything runs; the program also runs without rungs."""
    study, _ = write(args, "checks")
    text = open(study).read()
    for bad, message in (('"{lr}"', None), ('"{lrr}"', "{lrr} names no hyperparameter; the study has lr"),
                         ('"{args"', "'{' without a closing '}'")):
        if message is None:
            continue
        open(study, "w").write(text.replace('"{lr}"', bad))
        p = run([args.rungs, "validate", study])
        errors = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
        check(p.returncode == 2 and len(errors) == 1 and message in errors[0] and "objective.command[3]" in errors[0],
              f"{bad}: one line naming the element: {errors}")
    cond = text.replace("search_space:\n", "search_space:\n  opt: {type: categorical, choices: [a, b]}\n  "
                        "momentum: {type: float, low: 0.1, high: 0.9, when: {opt: [a]}}\n").replace(
                        '"{lr}"', '"{momentum}"')
    open(study, "w").write(cond)
    p = run([args.rungs, "validate", study])
    check(p.returncode == 2 and "{momentum} is conditional" in p.stderr, f"conditional: {p.stderr}")
    open(study, "w").write(text)
    check(run([args.rungs, "validate", study]).returncode == 0, "the study file is valid")
    alone = os.path.join(args.workdir, "alone")
    os.makedirs(alone, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNGS_")}
    env["PYTHONPATH"] = os.path.join(ROOT, "command", "client")
    p = run(["/usr/bin/python3", PROGRAM, "--lr", "0.01"], cwd=alone, env=env)
    check(p.returncode == 0 and os.path.isdir(os.path.join(alone, "checkpoints", "trial_0.e4")),
          "without rungs the program trains its default epochs and checkpoints in ./checkpoints")


def case_storage(args):
    """A trial folder rungs cannot create (here OUTPUT/trials is a file) is the storage's
    failure, not the trial's: the study stops with exit 75 naming the folder, no trial is
    failed, and the rerun, once the folder can be made, finishes every trial."""
    study, path = write(args, "storage", trials=3)
    output = os.path.dirname(path)
    os.makedirs(output)
    blocker = os.path.join(output, "trials")
    open(blocker, "w").close()
    p = rungs_run(args, study)
    check(p.returncode == 75, f"exit status 75: {p.returncode} {p.stderr[-800:]}")
    # Both workers start a trial at once; whichever reports first names its own folder.
    check(re.search(re.escape(blocker) + r"/[01]: cannot create it", p.stderr) is not None,
          f"the folder is named: {p.stderr[-800:]}")
    t = read(path)
    check("failed" not in t["status"], f"no trial failed on the storage's account: {t['status']} {t['reason']}")
    os.remove(blocker)
    p = rungs_run(args, study)
    check(p.returncode == 0, f"the rerun finishes: {p.returncode} {p.stderr[-800:]}")
    t = read(path)
    check(t["status"] == ["completed"] * 3 and t["state"] == "finished", f"every trial completed: {t['status']}")


def case_objectives(args):
    """Two objectives (val_accuracy up, the lr the program reports as lr_seen down: they
    conflict below lr = 1e-2) searched by nsga2 under mpirun: every trial completes with both
    metrics in study.h5, and `rungs best` prints as the Pareto front exactly the trials that
    no other beats on both, as computed here from study.h5."""
    study, path = write(args, "objectives", trials=16, epochs=2,
                        sampler="{name: nsga2, population: 6}")
    text = open(study).read().replace(
        "  metric: val_accuracy\n", "").replace(
        "search_space:", "objectives:\n  - {metric: val_accuracy, direction: maximize}\n"
        "  - {metric: lr_seen, direction: minimize}\nsearch_space:")
    open(study, "w").write(text)
    p = rungs_run(args, study)
    check(p.returncode == 0, f"the study runs: {p.returncode} {p.stderr[-800:]}")
    t = read(path)
    check(t["status"] == ["completed"] * 16, f"every trial completed: {t['status']}")
    points = {i: (t["metrics"]["val_accuracy"][(i, 2)], t["metrics"]["lr_seen"][(i, 2)]) for i in range(16)}

    def beats(a, b):
        return a[0] >= b[0] and a[1] <= b[1] and a != b

    front = {i for i, a in points.items() if not any(beats(b, a) for b in points.values())}
    best = run([args.rungs, "best", path])
    check(best.returncode == 0, f"rungs best: {best.stderr}")
    lines = best.stdout.split("Pareto front: ", 1)
    check(len(lines) == 2, f"rungs best prints the front: {best.stdout}")
    shown = {int(line.split()[0]) for line in lines[1].splitlines()[2:] if line.strip()}
    check(shown == front and len(front) >= 2, f"the front {sorted(shown)} is {sorted(front)}: {best.stdout}")

    # asha with objectives is MO-ASHA: the trial with the smallest lr_seen at the first rung,
    # however poor its accuracy there, is on that rung's front and is never stopped there.
    study, path = write(args, "objectives_asha", trials=16, epochs=4,
                        sampler="{name: nsga2, population: 6}",
                        scheduler="{name: asha, min_resource: 1, reduction_factor: 2}")
    text = open(study).read()
    open(study, "w").write(text.replace("  metric: val_accuracy\n", "").replace(
        "search_space:", "objectives:\n  - {metric: val_accuracy, direction: maximize}\n"
        "  - {metric: lr_seen, direction: minimize}\nsearch_space:"))
    p = rungs_run(args, study)
    check(p.returncode == 0, f"the MO-ASHA study runs: {p.returncode} {p.stderr[-800:]}")
    t = read(path)
    check(set(t["status"]) <= {"completed", "stopped"} and "stopped" in t["status"],
          f"MO-ASHA stopped some trials and completed the others: {t['status']}")
    lowest = min(range(16), key=lambda i: t["metrics"]["lr_seen"][(i, 1)])
    check(t["epochs"][lowest] > 1, f"trial {lowest} (the smallest lr_seen) went on past rung 0: {t['epochs']}")


def case_pytorch(args):
    """examples/pytorch: a PyTorch script tuned by TPE + promotion-based ASHA, as the example
    study file says, on less data: every epoch of every trial in study.h5, paused trials
    resumed from the model and optimizer state the script saved, and a model that learned."""
    study, output, example = example_study(args, "pytorch", (
        ("output: runs/pytorch_mlp", "output: {output}"),
        ("command: [python3, \"{study_dir}/train.py\", --train-samples, \"20000\"]",
         "command: [/usr/bin/python3, {example}/train.py, --train-samples, \"4000\", "
         "--val-samples, \"2000\"]"),
        ("max_trials: 12", "max_trials: 6"), ("epochs: 9", "epochs: 3")))
    p = rungs_run(args, study, timeout=400)
    check(p.returncode == 0, f"exit status {p.returncode}")
    t = read(os.path.join(output, "study.h5"))
    check(t["state"] == "finished" and "failed" not in t["status"], f"{t['status']} {t['reason']}")
    check(all(len([k for k in t["curves"] if k[0] == i]) == e for i, e in enumerate(t["epochs"])),
          "every epoch of every trial recorded")
    check(any(a > 1 for a in t["attempts"]), f"a paused trial was resumed: {t['attempts']}")
    best = max(t["curves"].values())
    check(best > 0.7, f"the script's MLP learned Fashion-MNIST: best val_accuracy {best:.3f}")
    # The same script without rungs, as docs/programs.md says to test it.
    alone = os.path.join(args.workdir, "alone")
    os.makedirs(alone)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNGS_")}
    env["PYTHONPATH"] = os.path.join(ROOT, "command", "client")
    p = run(["/usr/bin/python3", os.path.join(example, "train.py"), "--epochs", "1",
             "--train-samples", "2000"], cwd=alone, env=env)
    check(p.returncode == 0 and "epoch 1: val_accuracy" in p.stdout and
          os.path.exists(os.path.join(alone, "checkpoints", "trial_0.e1", "state.pt")),
          "the example runs without rungs")


def case_cpp(args):
    """A C++ program on the one-header client (command/client/rungs_trial.h) under
    promotion-based ASHA: paused runs resume from the state the program committed."""
    study, path = write(args, "cpp", trials=8, epochs=3,
                        scheduler="{name: asha, min_resource: 1, reduction_factor: 3, mode: promotion}")
    text = open(study).read()
    old = f'[/usr/bin/python3, {PROGRAM}, --lr, "{{lr}}", --mode, ok, --epoch-seconds, "0.05"]'
    check(old in text, "the study's command")
    open(study, "w").write(text.replace(old, f'[{args.cpp_program}]'))
    p = rungs_run(args, study)
    t = read(path)
    check(p.returncode == 0 and "failed" not in t["status"], f"{t['status']} {t['reason']}")
    check(any(a > 1 for a in t["attempts"]) and max(t["epochs"]) == 3, f"resumed: {t['attempts']} {t['epochs']}")
    check(all(len([k for k in t["curves"] if k[0] == i]) == e for i, e in enumerate(t["epochs"])),
          "every epoch recorded")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--cpp-program", default="")
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    {"tpe_asha": case_tpe_asha, "failures": case_failures, "misbehaving": case_misbehaving,
     "preemption": case_preemption, "killed_worker": case_killed_worker,
     "checks": case_checks, "pytorch": case_pytorch, "cpp": case_cpp, "storage": case_storage,
     "objectives": case_objectives}[args.case](args)
    print("ok", args.case, flush=True)


if __name__ == "__main__":
    main()

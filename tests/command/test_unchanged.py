#!/usr/bin/python3
"""Trials of a program that cannot be changed (objective.report.regex): programs/unchanged.py
prints its epochs and knows nothing of rungs; rungs reads its stdout, ends it with signals
and resumes it with objective.resume_args. Real child processes under real mpirun; study.h5
read back with h5py.

Usage: test_unchanged.py CASE --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import os
import shlex
import signal
import subprocess
import sys
import time

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from testlib import UNENDING, check, cut_budget, run, run_case  # noqa: E402
from test_command import example_study, programs_left, read, rungs_run  # noqa: E402

PROGRAM = os.path.join(HERE, "programs", "unchanged.py")
EXIT_RESUME = 75
REGEX = r"epoch (?P<epoch>\d+) loss (?P<train_loss>\S+) .*Accuracy: (?P<val_accuracy>[0-9.]+)"

STUDY = """\
name: unchanged
seed: 5
output: {output}
objective:
  command: [/usr/bin/python3, {program}, --lr, "{{lr}}", --epochs, "{{epochs}}", --mode, {mode},
            --epoch-seconds, "{epoch_seconds}", --save, "{{trial_dir}}/state.json"]
  report: {{regex: '{regex}'}}
{resume}  metric: val_accuracy
  timeouts: {{start: 60, stop: 2}}
search_space:
  lr: {{type: float, low: 1.0e-4, high: 1.0, log: true}}
sampler: {sampler}
scheduler: {scheduler}
budget: {{max_trials: {trials}, epochs: {epochs}}}
resources: {{threads_per_worker: 1}}
"""
RESUME = '  resume_args: [--resume, "{trial_dir}/state.json"]\n'


def write(args, name, mode="ok", trials=8, epochs=4, sampler="tpe", resume=False,
          scheduler="{name: asha, min_resource: 1, reduction_factor: 2}", epoch_seconds=0.15,
          regex=REGEX):
    workdir = os.path.join(args.workdir, name)
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, "out")
    path = os.path.join(workdir, "study.yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, program=PROGRAM, mode=mode, trials=trials,
                             epochs=epochs, sampler=sampler, scheduler=scheduler, regex=regex,
                             epoch_seconds=epoch_seconds,
                             resume=RESUME if resume else ""))
    return path, os.path.join(output, "study.h5")


def printed_epochs(out):
    """epoch -> accuracy, from the lines the program printed."""
    return {int(l.split()[1]): float(l.split()[-1]) for l in out.splitlines() if l.startswith("epoch ")}


def trial_file(path, trial, name):
    return open(os.path.join(os.path.dirname(path), "trials", str(trial), name)).read()


def check_curves(t, name):
    check(all(sorted(e for (i, e) in t["curves"] if i == trial) == list(range(1, n + 1))
              for trial, n in enumerate(t["epochs"])),
          f"{name}: every trial's curve is epochs 1..N, each once: {sorted(t['curves'])}")


def case_stop(args):
    """TPE + stop-based ASHA: the lines that match are the epochs in study.h5 (the other
    lines are ignored), the trials ASHA stops get SIGTERM and are recorded stopped."""
    study, path = write(args, "stop", trials=10)
    p = rungs_run(args, study)
    check(p.returncode == 0, f"exit status {p.returncode}")
    t = read(path)
    check(t["state"] == "finished" and "failed" not in t["status"], f"{t['status']} {t['reason']}")
    check("stopped" in t["status"] and max(t["epochs"]) == 4, f"ASHA stopped trials: {t['status']} {t['epochs']}")
    check_curves(t, "stop")
    with h5py.File(path, "r") as f:
        c = f["curves"]
        train_loss = dict(zip(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()), c["metrics/train_loss"][()].tolist()))
    for i, status in enumerate(t["status"]):
        out = trial_file(path, i, "attempt_1.out")
        printed = printed_epochs(out)
        check(all(printed[e] == v for (j, e), v in t["curves"].items() if j == i),
              f"trial {i}: the values in study.h5 are the ones it printed")
        check(all(abs(train_loss[(i, e)] - (1 - printed[e])) < 1e-5 for e in range(1, t["epochs"][i] + 1)),
              f"trial {i}: train_loss from its named group")
        if status == "stopped":
            check(f"SIGTERM after epoch {t['epochs'][i]}" in out, f"trial {i}: stopped by TERM at its epoch: {out[-300:]}")
        else:
            check(out.rstrip().endswith("done"), f"trial {i}: its last run ended by itself: {out[-200:]}")
    check(not programs_left(PROGRAM), "no program outlives its trial")


def case_promotion(args):
    """Promotion-based ASHA with resume_args: paused trials get SIGTERM and are relaunched
    with --resume; a resumed run that prints an epoch again (mode older) has that line
    ignored; every curve has each epoch once. Without resume_args the study is refused."""
    study, path = write(args, "promotion", mode="older", trials=8, resume=True,
                        scheduler="{name: asha, min_resource: 1, reduction_factor: 2, mode: promotion}")
    p = rungs_run(args, study)
    check(p.returncode == 0, f"exit status {p.returncode}")
    t = read(path)
    check(t["state"] == "finished" and "failed" not in t["status"], f"{t['status']} {t['reason']}")
    resumed = [i for i, a in enumerate(t["attempts"]) if a > 1]
    check(resumed and max(t["epochs"]) == 4, f"trials were resumed: {t['attempts']} {t['epochs']}")
    check_curves(t, "promotion")
    i = resumed[0]
    first, second = trial_file(path, i, "attempt_1.out"), trial_file(path, i, "attempt_2.out")
    check("resume: no" in first and "SIGTERM after epoch" in first, f"trial {i}: paused by TERM: {first[-300:]}")
    check(f"/trials/{i}/state.json" in second.splitlines()[0], f"trial {i}: run 2 resumed: {second[:200]}")
    log = trial_file(path, i, "rungs.log")
    check("again (rungs has" in log, f"trial {i}: the epoch printed again was ignored: {log}")
    check(not programs_left(PROGRAM), "no program outlives its trial")

    # The same study without resume_args: a pausing scheduler is refused.
    text = open(study).read()
    open(study, "w").write(text.replace(RESUME, ""))
    p = run([args.rungs, "validate", study])
    errors = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
    check(p.returncode == 2 and len(errors) == 1 and "scheduler: asha pauses trials" in errors[0]
          and "objective.resume_args" in errors[0], f"refused without resume_args: {p.stderr}")


def case_ignore_term(args):
    """A program that ignores SIGTERM is KILLed timeouts.stop (2 s) later; its trial keeps
    its results and the study finishes."""
    study, path = write(args, "ignore_term", mode="ignore_term", trials=6, sampler="random",
                        scheduler="{name: asha, min_resource: 1, reduction_factor: 3}", epoch_seconds=1.0)
    p = rungs_run(args, study, ranks=2)
    check(p.returncode == 0, f"exit status {p.returncode}")
    t = read(path)
    check(t["state"] == "finished" and "failed" not in t["status"] and "stopped" in t["status"],
          f"{t['status']} {t['reason']}")
    check_curves(t, "ignore_term")
    # Stopped after epoch 1 of 4 (one worker: the same trial each time), it had 3 s to go.
    early = [i for i, s in enumerate(t["status"]) if s == "stopped" and t["epochs"][i] == 1]
    check(early, f"a trial stopped at the first rung: {t['status']} {t['epochs']}")
    log = trial_file(path, early[0], "rungs.log")
    check("SIGKILL" in log and "ended with killed by SIGKILL" in log, f"escalated to KILL: {log}")
    check(not programs_left(PROGRAM), "the programs that ignored TERM were killed")


def case_checks(args):
    """A bad regex, one without the metric's group, resume_args without a regex, a regex with
    ranks_per_trial 2: one line naming the field and the value, exit status 2."""
    study, _ = write(args, "checks")
    text = open(study).read()
    for old, new, message in (
            (REGEX, r"epoch (?P<epoch>\d+ .*", "objective.report.regex: epoch (?P<epoch>\\d+ .* is not a regular expression: missing closing parenthesis"),
            (REGEX, r"epoch (?P<epoch>\d+) Accuracy: (?P<acc>[0-9.]+)", "has no group named val_accuracy (objective.metric)"),
            ("  report: {regex: '" + REGEX + "'}\n", RESUME, "objective.resume_args: (a list) is for programs read through objective.report.regex"),
            ("resources: {threads_per_worker: 1}", "resources: {threads_per_worker: 1, ranks_per_trial: 2}",
             "resources.ranks_per_trial: 2 must be 1 with objective.report.regex")):
        check(old in text, f"the study has {old}")
        open(study, "w").write(text.replace(old, new))
        p = run([args.rungs, "validate", study])
        errors = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
        check(p.returncode == 2 and len(errors) == 1 and message in errors[0], f"{new}: {p.stderr}")
    open(study, "w").write(text)
    check(run([args.rungs, "validate", study]).returncode == 0, "the study file is valid")


def case_preemption(args):
    """SIGUSR1 while programs train: exit 75; without resume_args the interrupted trials
    start again from scratch on the next run (epoch 1, no --resume) and nothing is recorded
    twice. The signal comes once a first epoch is recorded, inside a 4 s epoch."""
    study, path = write(args, "preempt", trials=UNENDING, epochs=3, sampler="random",
                        scheduler="fifo", epoch_seconds=4.0)
    cmd = shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study]
    log = open(os.path.join(args.workdir, "preempt.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    first = os.path.join(os.path.dirname(path), "trials", "0", "attempt_1.out")
    deadline = time.time() + 120
    while time.time() < deadline and not (os.path.exists(first) and "epoch 1 loss" in open(first).read()):
        check(proc.poll() is None, "the study is running")
        time.sleep(0.1)
    time.sleep(0.5)  # rank 0 records the epoch
    os.kill(proc.pid, signal.SIGUSR1)
    code = proc.wait(timeout=120)
    check(code == EXIT_RESUME, f"exit status {code}, expected {EXIT_RESUME}")
    check(not programs_left(PROGRAM), "no program outlives the job")
    before = read(path)
    check(before["state"] == "interrupted" and "running" in before["status"], f"saved: {before['status']}")
    with h5py.File(path, "r") as f:
        n = len(f["trials/id"])
    cut_budget(study, n)
    p = rungs_run(args, study)
    check(p.returncode == 0, f"the rerun finishes: {p.returncode}")
    after = read(path)
    check(after["status"] == ["completed"] * n, f"every trial completed: {after['status']}")
    check_curves(after, "preemption")
    rerun = trial_file(path, 0, "attempt_2.out")
    check(rerun.startswith("starting after epoch 0 (resume: no)"), f"trial 0 started again from scratch: {rerun[:100]}")
    printed = printed_epochs(rerun)
    check(all(after["curves"][(0, e)] == printed[e] for e in (1, 2, 3)), "trial 0's curve is the rerun's")


def case_example(args):
    """examples/unchanged: the plain PyTorch script (no rungs import) tuned as its study file
    says, on less data: every epoch in study.h5 as the script printed it, paused trials
    relaunched with --resume, and a model that learned; the script also runs alone."""
    study, output, example = example_study(args, "unchanged", (
        ("output: runs/unchanged_mlp", "output: {output}"),
        ("[python3, \"{study_dir}/train.py\"", "[/usr/bin/python3, {example}/train.py"),
        ("--train-samples, \"20000\"", "--train-samples, \"4000\", --val-samples, \"2000\""),
        ("max_trials: 12", "max_trials: 6"), ("epochs: 9", "epochs: 3")))
    p = rungs_run(args, study, timeout=400)
    check(p.returncode == 0, f"exit status {p.returncode}: {p.stderr[-500:]}")
    path = os.path.join(output, "study.h5")
    t = read(path)
    check(t["state"] == "finished" and "failed" not in t["status"], f"{t['status']} {t['reason']}")
    check_curves(t, "example")
    check(any(a > 1 for a in t["attempts"]), f"a paused trial was relaunched: {t['attempts']}")
    check(max(t["curves"].values()) > 0.7, f"the MLP learned: best {max(t['curves'].values()):.3f}")
    check(sorted(t["metrics"]) == ["train_loss", "val_accuracy"], f"the regex's metrics: {sorted(t['metrics'])}")
    alone = os.path.join(args.workdir, "alone")
    os.makedirs(alone)
    p = run(["/usr/bin/python3", os.path.join(example, "train.py"), "--epochs", "1",
             "--train-samples", "2000", "--val-samples", "1000"], cwd=alone)
    check(p.returncode == 0 and "epoch 1: train loss" in p.stdout, f"the script runs alone: {p.stdout[-300:]}")


if __name__ == "__main__":
    run_case({"stop": case_stop, "promotion": case_promotion, "ignore_term": case_ignore_term,
              "checks": case_checks, "preemption": case_preemption, "example": case_example})

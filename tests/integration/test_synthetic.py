#!/usr/bin/python3
"""Studies of objective {model: synthetic} under real mpirun, read back with h5py.

Epochs take 0 or a few ms, nothing is killed on a clock: the cases pass at any machine speed.
Usage: test_synthetic.py CASE --rungs BUILD/rungs --curves BUILD/.../synthetic_curves
       --mpiexec "mpirun --oversubscribe ..." --workdir DIR
"""
import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import UNENDING, check, cut_budget, run, strings  # noqa: E402

STUDY = """\
name: synthetic
seed: 5
output: {output}
search_space:
  lr: {{type: float, low: 1.0e-4, high: 1.0, log: true}}
  width: {{type: int, low: 8, high: 512}}
  act: {{type: categorical, choices: [relu, tanh]}}
sampler: random
objective: {{model: synthetic, epoch_seconds: {epoch}, noise: 0.02{extra}}}
scheduler: {scheduler}
budget: {{max_trials: {trials}, epochs: 9}}
"""

ASHA = "{name: asha, min_resource: 1, reduction_factor: 3}"


def write_study(workdir, trials=40, extra="", epoch="0.002", scheduler=ASHA):
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, "out")
    path = os.path.join(workdir, "study.yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, trials=trials, extra=extra, epoch=epoch,
                             scheduler=scheduler))
    return path, output


def run_study(args, study, ranks=6):
    return run(shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study])


def read_curves(path):
    with h5py.File(path, "r") as f:
        c = f["curves"]
        rows = zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist(), c["value"][()].tolist())
        status = strings(f["trials/status"])
        reasons = strings(f["trials/reason"])
        workers = set(f["trials/worker"][()].tolist())
    return {(t, e): v for t, e, v in rows}, status, reasons, workers


def simulated(args, path):
    p = run([args.curves, path])
    check(p.returncode == 0, f"synthetic_curves exit status {p.returncode}")
    out = {}
    for line in p.stdout.split("\n"):
        if line:
            t, e, v = line.split()
            out[(int(t), int(e))] = float(v)
    return out


def case_asha_workers(args):
    """ASHA on 5 workers finishes; every recorded value is the simulator's."""
    study, output = write_study(args.workdir)
    p = run_study(args, study)
    check(p.returncode == 0, f"rungs run exit status {p.returncode}")
    path = os.path.join(output, "study.h5")
    curves, status, _, workers = read_curves(path)
    check(len(status) == 40, f"40 trials recorded: {len(status)}")
    check(set(status) <= {"completed", "stopped"}, f"every trial ended: {set(status)}")
    check("stopped" in status and "completed" in status, f"ASHA stopped some trials: {status}")
    check(len(workers) > 1, f"several workers ran trials: {workers}")
    expected = simulated(args, path)
    check(len(curves) == len(expected) and len(curves) > 40, f"{len(curves)} curve rows")
    check(curves == expected, "the curves in study.h5 are the simulator's for the same configurations")


def case_failures(args):
    """failure_rate: some trials fail with a reason, the rest end normally."""
    study, output = write_study(args.workdir, extra=", failure_rate: 0.3")
    p = run_study(args, study)
    check(p.returncode == 0, f"rungs run exit status {p.returncode}")
    path = os.path.join(output, "study.h5")
    curves, status, reasons, _ = read_curves(path)
    failed = [i for i, s in enumerate(status) if s == "failed"]
    check(failed and len(failed) < len(status), f"some trials failed, not all: {status}")
    check(all("synthetic failure at epoch" in reasons[i] for i in failed), f"reasons: {reasons}")
    check(set(status) - {"failed"} <= {"completed", "stopped"}, f"the others ended: {set(status)}")
    check(curves == simulated(args, path), "the curves of all trials are the simulator's")


def case_resume(args):
    """Promotion ASHA (trials pause and resume) stopped by USR1 after its first finished
    trials, then resumed: every recorded value is still the simulator's, none twice."""
    study, output = write_study(args.workdir, trials=UNENDING, epoch="0.02",
                                scheduler="{name: asha, reduction_factor: 3, mode: promotion}")
    cmd = shlex.split(args.mpiexec) + ["-n", "6", args.rungs, "run", study]
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ended = 0
    for line in proc.stdout:  # the signal follows the output, not a clock
        ended += " trial " in line and (" stopped " in line or " completed " in line)
        if ended >= 3:
            break
    proc.send_signal(signal.SIGUSR1)  # mpirun forwards it to every rank
    rest, _ = proc.communicate(timeout=120)
    print(rest[-3000:], flush=True)
    check(proc.returncode == 75, f"exit status 75 (run again to resume), got {proc.returncode}")
    path = os.path.join(output, "study.h5")
    with h5py.File(path, "r") as f:
        check(f.attrs["state"] in ("interrupted", b"interrupted"), "saved as interrupted")
        started = len(f["trials/id"])
    cut_budget(study, started)
    check(run(cmd).returncode == 0, "the resumed run finishes")
    with h5py.File(path, "r") as f:
        c = f["curves"]
        keys = list(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()))
        attempts = f["trials/attempts"][()].tolist()
        state = f.attrs["state"]
    check(state in ("finished", b"finished"), "the study finished")
    check(len(keys) == len(set(keys)), "no (trial, epoch) recorded twice")
    check(any(a > 1 for a in attempts), f"some trials were resumed: attempts {attempts}")
    curves, status, _, _ = read_curves(path)
    check("running" not in status, f"every trial ended or is paused: {set(status)}")
    check(curves == simulated(args, path), "after the interruption the curves are still the simulator's")


def case_bad_fields(args):
    """A bad synthetic field: exit 2, one line naming file, field and value, nothing written."""
    for cases in [
            ("0.002", ", mode: nap", "objective.mode: nap must be sleep or spin"),
            ("0.002", ", failure_rate: 2", "objective.failure_rate: 2 must be in [0, 1]"),
            ("-1", "", "objective.epoch_seconds: -1 must be seconds >= 0"),
            ("0.002", ", colour: red", "objective.colour: unknown field"),
            ("0.002", ", curve: wavy", "objective.curve: wavy must be power or drifting"),
            ("0.002", ", curve: drifting", "objective.curve: drifting runs under `rungs simulate` only"),
            ("0.002", "", "scheduler.name: pbt runs with the built-in models and under `rungs simulate` only", "{name: pbt}"),
            ("0.002", "", "scheduler.quantile: 0.7 must be in (0, 0.5]", "{name: pbt, quantile: 0.7}")]:
        scheduler = ASHA
        if len(cases) == 4:
            epoch, extra, message, scheduler = cases
        else:
            epoch, extra, message = cases
        study, output = write_study(args.workdir, extra=extra, epoch=epoch, scheduler=scheduler)
        p = run(shlex.split(args.mpiexec) + ["-n", "2", args.rungs, "run", study], timeout=60)
        check(p.returncode == 2, f"{extra}: exit status 2, got {p.returncode}")
        ours = [line for line in p.stderr.splitlines() if line.startswith("rungs:")]
        check(len(ours) == 1 and ours[0].startswith(f"rungs: {study}: {message}"),
              f"one error line naming file, field and value: {ours}")
        check(not os.path.exists(output), "no file is written")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    for flag in ("--rungs", "--curves", "--mpiexec", "--workdir"):
        ap.add_argument(flag, required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    {"asha_workers": case_asha_workers, "failures": case_failures,
     "resume": case_resume, "bad_fields": case_bad_fields}[args.case](args)
    print("ok", args.case)


if __name__ == "__main__":
    main()

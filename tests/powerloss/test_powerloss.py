#!/usr/bin/python3
"""Power loss: a study whose job is SIGKILLed and whose folder then loses every change that
was not synced (rewind.py says exactly what) must resume with everything a worker was told.

Each cycle runs `rungs run` under mpirun with powerloss_shim.so preloaded into every rank,
kills the whole job (killpg) at a seeded random moment once at least one result has been
acknowledged, rewinds the output folder, and checks what rungs recovers from it:

- What was acknowledged. A worker trains epoch K+1 of a trial only after rank 0 answered
  its report on epoch K (a Decision, sent after the journal's fdatasync), or assigned the
  trial at K; with `checkpoints.every: 1` it then creates trial_T.e<K+1>.h5.tmp, which the
  shim logs in the worker's own log. So a worker log that creates trial_T.e<K+1>.h5.tmp
  proves that (T, 1..K) were acknowledged: they must be in the recovered study. The evidence
  comes from the workers, not from the files under test.
- What was recovered. A run with RUNGS_FAULT=snapshot.before_rename:1 (study/fault.h) opens
  the rewound study as any resume does (snapshot + journal replayed) and dies right after
  writing its first snapshot, study.h5.tmp, which holds exactly the recovered state.

The cycles alternate study snapshot intervals (60 s: everything after the first snapshot
lives in the journal; 0.25 s: snapshots renamed all the time). A last run without the shim,
with budget.max_trials lowered to the trials started, must finish: every trial completed
with all its epochs, no (trial, epoch) twice, acknowledged values unchanged.

Usage: test_powerloss.py --rungs BUILD/rungs --mpiexec "mpirun ..." --shim powerloss_shim.so
                         --workdir DIR [--cycles N] [--seed S]
RUNGS_POWERLOSS_NOSYNC=fdatasync (or fsync, fsync-dir, fsync-file) makes those calls no-ops
in the shim, which this test must then report as a failure.
"""
import argparse
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import SKIP, check  # noqa: E402
import rewind  # noqa: E402

STUDY = """\
name: powerloss
seed: 5
output: {output}
objective: {{model: mlp, metric: val_accuracy, train_samples: 4000, val_samples: 500}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
  width: {{type: int, low: 32, high: 64, step: 32}}
fixed: {{layers: 2}}
checkpoints: {{every: 1, study_seconds: {snapshot}}}
budget: {{max_trials: {trials}, epochs: {epochs}}}
resources: {{threads_per_worker: 1}}
preemption: {{max_attempts: 20}}
"""
EPOCHS = 4
SNAPSHOT_SECONDS = [60, 0.25, 2, 0.25, 60]
SHIM_ENV = ["LD_PRELOAD", "RUNGS_POWERLOSS_DIR", "RUNGS_POWERLOSS_LOG", "RUNGS_POWERLOSS_NOSYNC"]
CHECKPOINT_TMP = re.compile(r"/checkpoints/trial_(\d+)\.e(\d+)\.h5\.tmp$")


def write_study(workdir, output, snapshot, trials=1000):
    """A study no run can finish: the kill lands during it whatever the machine's speed."""
    path = os.path.join(workdir, "study.yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, snapshot=snapshot, trials=trials, epochs=EPOCHS))
    return path


class Run:
    """`rungs run` under mpirun in its own process group, the shim's variables passed on."""

    def __init__(self, args, study, env, ranks=3):
        cmd = shlex.split(args.mpiexec)
        for name in SHIM_ENV:
            if name in env:
                cmd += ["-x", name]
        cmd += ["-n", str(ranks), args.rungs, "run", study]
        self.log = open(os.path.join(args.workdir, "runs.log"), "a")
        self.log.write("$ " + " ".join(cmd) + "\n")
        self.log.flush()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)

    def kill_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout=300):
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.kill_group()
            self.log.close()


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in SHIM_ENV and k != "RUNGS_FAULT"}
    env.update(extra)
    return env


def processes_with(marker):
    """pids of processes whose environment holds `marker` (bytes)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if marker in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def acknowledged(log_dir):
    """{(trial, epoch)} and {trial} that workers' logs prove rank 0 acknowledged."""
    entries, ranks = rewind.read_logs(log_dir)
    epochs, trials = set(), set()
    for e in entries:
        if e.op != "open" or not int(e.f[3]) & os.O_CREAT or not ranks.get(e.pid):
            continue
        m = CHECKPOINT_TMP.search(e.f[0])
        if m:
            trial, k = int(m.group(1)), int(m.group(2))
            trials.add(trial)
            epochs.update((trial, epoch) for epoch in range(1, k))
    return epochs, trials


def read_study(path, what):
    """({(trial, epoch): value}, trial count, root state) of a study file, read by h5py."""
    try:
        with h5py.File(path, "r") as f:
            c = f["curves"]
            keys = list(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()))
            check(len(keys) == len(set(keys)), f"{what}: no (trial, epoch) twice: {sorted(keys)}")
            return dict(zip(keys, c["value"][()].tolist())), len(f["trials/id"]), f.attrs["state"]
    except OSError as e:
        check(False, f"{what}: {path} is readable by h5py ({e})")


def preflight(args, workdir):
    """Exits with SKIP when LD_PRELOAD cannot work here (a sanitizer build, no preloading)."""
    env = clean_env(LD_PRELOAD=args.shim)
    p = subprocess.run([args.rungs, "--version"], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"SKIP: rungs does not start with {args.shim} preloaded: {p.stderr.strip()}")
        sys.exit(SKIP)
    folder, logs = os.path.join(workdir, "preflight"), os.path.join(workdir, "preflight-logs")
    os.makedirs(folder)
    os.makedirs(logs)
    env.update(RUNGS_POWERLOSS_DIR=folder, RUNGS_POWERLOSS_LOG=logs)
    code = ("import os\nfd = os.open(%r, os.O_CREAT | os.O_WRONLY, 0o644)\n"
            "os.write(fd, b'x')\nos.fsync(fd)\n" % os.path.join(folder, "f"))
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    ops = [e.op for e in rewind.read_logs(logs)[0]]
    if ops != ["open", "write", "sync"]:
        print(f"SKIP: the shim does not see this libc's calls (logged {ops})")
        sys.exit(SKIP)


def kill_after_an_acknowledgement(run, log_dir, acked_before, rng):
    """Waits until this run's workers prove a new acknowledgement, then a random 0.2-2.5 s,
    then SIGKILLs the whole job."""
    deadline = time.time() + 120
    while time.time() < deadline:
        if run.proc.poll() is not None:
            check(False, f"the run ended by itself (exit {run.proc.returncode}); see runs.log")
        if os.path.isdir(log_dir) and acknowledged(log_dir)[0] - acked_before:
            break
        time.sleep(0.05)
    else:
        check(False, "no epoch was acknowledged within 120 s")
    time.sleep(rng.uniform(0.2, 2.5))
    run.kill_group()
    run.wait()
    # A rank still alive would write after the rewind; one not yet reaped (a zombie, until
    # init gets to it) still holds its pid, which the study's lock names.
    pids = set(rewind.read_logs(log_dir)[1])
    for _ in range(400):
        if not processes_with(b"RUNGS_POWERLOSS_LOG=" + log_dir.encode() + b"\0") and \
                not any(os.path.exists(f"/proc/{pid}") for pid in pids):
            return
        time.sleep(0.05)
    check(False, f"every process of the killed job is gone: {sorted(pids)}")


def recovered_state(args, study, out, what):
    """What a resume of the rewound folder starts from (the first snapshot it writes), and the
    checkpoints that snapshot names which are not there."""
    tmp = os.path.join(out, "study.h5.tmp")
    if os.path.exists(tmp):
        os.unlink(tmp)
    cmd = shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study]
    p = subprocess.run(cmd, env=clean_env(RUNGS_FAULT="snapshot.before_rename:1"),
                       capture_output=True, text=True, timeout=180)
    ours = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
    check(os.path.exists(tmp), f"{what}: the study opens after the power cut (exit {p.returncode}: {ours})")
    state = read_study(tmp, f"{what}: the recovered study")
    with h5py.File(tmp, "r") as f:
        named = [(t, e) for t, e in zip(f["trials/id"][()].tolist(),
                                        f["trials/checkpoint_epoch"][()].tolist()) if e > 0]
    os.unlink(tmp)
    missing = [f"trial_{t}.e{e}.h5" for t, e in named
               if not os.path.exists(os.path.join(out, "checkpoints", f"trial_{t}.e{e}.h5"))]
    return state, missing, len(named)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--cycles", type=int, default=len(SNAPSHOT_SECONDS))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    args.workdir = os.path.realpath(args.workdir)  # the shim compares paths as written
    preflight(args, args.workdir)
    out = os.path.join(args.workdir, "out")
    os.makedirs(out)  # its own name in the work folder is outside the test
    rng = random.Random(args.seed)
    nosync = os.environ.get("RUNGS_POWERLOSS_NOSYNC")
    if nosync:
        print(f"mutation: the shim turns {nosync} into no-ops", flush=True)

    acked_epochs, acked_trials, values = set(), set(), {}
    trials = 0
    for cycle in range(1, args.cycles + 1):
        snapshot = SNAPSHOT_SECONDS[(cycle - 1) % len(SNAPSHOT_SECONDS)]
        study = write_study(args.workdir, out, snapshot)
        log_dir = os.path.join(args.workdir, f"logs{cycle}")
        os.makedirs(log_dir)
        env = clean_env(LD_PRELOAD=args.shim, RUNGS_POWERLOSS_DIR=out, RUNGS_POWERLOSS_LOG=log_dir)
        if nosync:
            env["RUNGS_POWERLOSS_NOSYNC"] = nosync
        run = Run(args, study, env)
        kill_after_an_acknowledgement(run, log_dir, acked_epochs, rng)
        epochs, started = acknowledged(log_dir)
        acked_epochs |= epochs
        acked_trials |= started
        summary = rewind.rewind(out, log_dir, rng)
        print(f"cycle {cycle} (study_seconds {snapshot}): killed with {len(acked_epochs)} "
              f"epochs acknowledged; rewind of {summary['entries']} logged changes: "
              f"{summary['durable']} durable, {summary['kept']} unsynced kept, "
              f"{summary['undone_content']} writes and {summary['undone_names']} name changes "
              f"undone", flush=True)
        for name in summary["names"][:10]:
            print("  undone:", name, flush=True)
        for note in summary["notes"]:
            print("  note:", note, flush=True)
        what = f"cycle {cycle}"
        check(os.path.exists(os.path.join(out, "study.h5")),
              f"{what}: study.h5 exists after the power cut (a worker was answered, so a snapshot was durable)")
        read_study(os.path.join(out, "study.h5"), f"{what}: the rewound study.h5")
        (recovered, trials, _), missing, named = recovered_state(args, study, out, what)
        lost = sorted(acked_epochs - recovered.keys())
        check(not lost, f"{what}: every acknowledged epoch survives the power cut; lost "
                        f"{len(lost)} of {len(acked_epochs)} (trial, epoch): {lost[:12]}")
        check(acked_trials <= set(range(trials)),
              f"{what}: every trial a worker ran survives: {sorted(acked_trials)} of {trials} recorded")
        changed = {k: (v, recovered[k]) for k, v in values.items() if recovered[k] != v}
        check(not changed, f"{what}: acknowledged results keep their values: {changed}")
        check(not missing, f"{what}: every checkpoint the recovered study names survives the "
                           f"power cut; missing {len(missing)} of {named}: {missing[:8]}")
        values.update({k: recovered[k] for k in acked_epochs if k not in values})
        shutil.rmtree(log_dir)  # kept when a check fails, as the evidence

    # The end: no shim, no kill, the budget lowered to the trials already started.
    study = write_study(args.workdir, out, 0.5, trials=trials)
    code = Run(args, study, clean_env()).wait()
    check(code == 0, f"the last resume finishes (exit {code}; see runs.log)")
    final, count, state = read_study(os.path.join(out, "study.h5"), "the finished study")
    check(state == "finished", f"the study finished: state {state}")
    with h5py.File(os.path.join(out, "study.h5"), "r") as f:
        status = f["trials/status"].asstr()[()].tolist()
        reasons = {i: r for i, (st, r) in enumerate(zip(status, f["trials/reason"].asstr()[()]))
                   if st != "completed"}
        epochs_run = f["trials/epochs_run"][()]
    check(count == trials, f"{count} trials, the {trials} started")
    check(not reasons and count > 0, f"every trial completed; not: {reasons}")
    check(bool(np.all(epochs_run == EPOCHS)), f"every trial has its {EPOCHS} epochs: {epochs_run}")
    changed = {k: (v, final.get(k)) for k, v in values.items() if final.get(k) != v}
    check(not changed, f"acknowledged results are in the finished study, unchanged: {changed}")
    print(f"ok powerloss: {args.cycles} power cuts, {len(acked_epochs)} acknowledged epochs "
          f"kept, {count} trials completed", flush=True)


if __name__ == "__main__":
    main()

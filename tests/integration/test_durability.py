#!/usr/bin/python3
"""Durability of a study under kills, signals and bad files, with the real program under
real mpirun; study.h5 is read back with h5py after every step.

Usage: test_durability.py CASE --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR [--kills N]
"""
import argparse
import hashlib
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import SKIP, UNENDING, check, cut_budget  # noqa: E402

STUDY = """\
name: durable
seed: 11
output: {output}
objective: {{model: mlp, metric: val_accuracy, train_samples: {samples}, val_samples: 1000}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
  width: {{type: int, low: 128, high: 256, step: 128}}
fixed: {{layers: 2}}
checkpoints: {{study_seconds: {snapshot}}}
budget: {{max_trials: {trials}, epochs: {epochs}}}
resources: {{threads_per_worker: 1}}
preemption: {{max_attempts: {attempts}}}
"""

EXIT_RESUME = 75


def write_study(workdir, trials=6, epochs=3, attempts=3, name="study.yaml", samples=20000,
                snapshot=0.5, **kw):
    """A study of a few seconds: about 0.1 s per epoch on this trainer."""
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, "out")
    text = STUDY.format(output=output, trials=trials, epochs=epochs, attempts=attempts,
                        samples=samples, snapshot=snapshot)
    for old, new in kw.get("replace", []):
        text = text.replace(old, new)
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path, os.path.join(output, "study.h5")


class Run:
    """`rungs run` under mpirun in its own process group."""

    def __init__(self, args, study, ranks=3):
        cmd = shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study]
        self.log = open(os.path.join(args.workdir, "runs.log"), "a")
        self.log.write("$ " + " ".join(cmd) + "\n")
        self.log.flush()
        self.offset = self.log.tell()  # where this run's output begins
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def ranks(self):
        """pid of each rank, by reading the environment of mpirun's children."""
        found = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid != self.proc.pid:
                    continue
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
                found[int(env[b"OMPI_COMM_WORLD_RANK"])] = int(pid)
            except (OSError, KeyError, ValueError, IndexError):
                continue
        return found

    def session(self):
        """pids of every process of the run's session: mpirun and its ranks (Open MPI puts
        each rank in a process group of its own, so killpg would miss them)."""
        pids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == self.proc.pid and fields[0] != "Z":
                pids.append(int(pid))
        return pids

    def kill_group(self):
        """SIGKILLs the whole run, as a dead node would, and waits until none of it is left."""
        deadline = time.time() + 30
        while time.time() < deadline:
            pids = self.session()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        check(False, f"processes of the run still alive 30 s after SIGKILL: {self.session()}")

    def wait(self, timeout=300):
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.kill_group()  # leave no stray rank behind (a dead node takes them all)
            self.log.close()


def results(path):
    """{(trial, epoch): value} of every recorded epoch, or None before the first snapshot."""
    if not os.path.exists(path):
        return None
    with h5py.File(path, "r") as f:
        c = f["curves"]
        keys = list(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()))
        check(len(keys) == len(set(keys)), f"no duplicate (trial, epoch): {keys}")
        return dict(zip(keys, c["value"][()].tolist()))


def final_checks(path, trials, epochs, max_attempts):
    with h5py.File(path, "r") as f:
        check(f.attrs["state"] == "finished", "the study finished")
        t = f["trials"]
        status = t["status"].asstr()[()].tolist()
        check(len(status) == trials, f"trial count {len(status)} equals the budget {trials}")
        check(status == ["completed"] * trials, f"every trial completed: {status}")
        check(np.all(t["lost"][()] < max_attempts), f"lost runs within the limit: {t['lost'][()]}")
        check(np.all(t["epochs_run"][()] == epochs), "every trial has all its epochs")




def wait_for_start(run, timeout=120):
    """Until rank 0 has opened the study and said so, or the run ended."""
    deadline = time.time() + timeout
    while time.time() < deadline and run.proc.poll() is None:
        with open(run.log.name) as f:
            f.seek(run.offset)
            if "; results in " in f.read():
                return True
        time.sleep(0.1)
    return False


def finish_budget(study, path):
    """Rewrites `study` so that its budget is the trials `path` already has: the next run
    finishes those and starts no other (a smaller max_trials, down to the trials started,
    may be given on resume). Needs a complete study.h5: after an interruption's save."""
    with h5py.File(path, "r") as f:
        check(f.attrs["state"] == "interrupted", "the study was saved as interrupted")
        n = len(f["trials/id"])
    cut_budget(study, n)
    return n


def interrupt(args, study):
    """A run stopped with the preemption signal once it has started; it must save and exit 75."""
    run = Run(args, study)
    check(wait_for_start(run), "the run started")
    time.sleep(1.0)
    os.kill(run.proc.pid, signal.SIGUSR1)  # mpirun forwards USR1 to every rank
    code = run.wait(timeout=120)
    check(code == EXIT_RESUME, f"exit status {code} says 'requeue me' ({EXIT_RESUME})")


def case_kills(args):
    """SIGKILLs of rank 0, a worker or mpirun at random moments. The study's budget cannot be
    spent before the kills are done, whatever the machine's speed; then a preemption signal
    saves it, its budget is cut to the trials it has, and a last run completes them."""
    epochs, attempts = 4, 50
    study, path = write_study(args.workdir, trials=UNENDING, epochs=epochs, attempts=attempts,
                              samples=50000)
    rng = random.Random(7)
    seen = {}
    for kill in range(1, args.kills + 1):
        run = Run(args, study)
        time.sleep(rng.uniform(1.0, 8.0))
        victim = rng.choice(["rank0", "worker", "mpirun"])
        ranks = run.ranks()
        check(run.proc.poll() is None, f"run {kill} ended on its own before its kill "
                                       f"(status {run.proc.returncode}; see {run.log.name})")
        if victim == "mpirun" or not ranks:
            os.kill(run.proc.pid, signal.SIGKILL)
        else:
            pid = ranks.get(0) if victim == "rank0" else ranks.get(rng.choice([1, 2]))
            os.kill(pid or run.proc.pid, signal.SIGKILL)
        print(f"kill {kill}: {victim}", flush=True)
        run.wait()
        now = results(path)
        if now is not None:
            lost = {k: v for k, v in seen.items() if now.get(k) != v}
            check(not lost, f"after kill {kill}: committed results never shrink or change: lost {lost}")
            seen = now
    interrupt(args, study)
    trials = finish_budget(study, path)
    check(Run(args, study).wait() == 0, "the last run finishes the study")
    now = results(path)
    check(all(now.get(k) == v for k, v in seen.items()), "nothing committed before was lost")
    final_checks(path, trials, epochs, attempts)
    print(f"survived {args.kills} kills; {trials} trials, {len(now)} epochs recorded", flush=True)


def case_fault_points(args):
    """Kill rank 0 at the moments that matter: mid snapshot, between the snapshot's rename and
    the journal reset, before a journal sync."""
    for point in ["snapshot.before_rename:3", "snapshot.before_journal_reset:2",
                  "journal.before_sync:10", "journal.before_sync:25"]:
        workdir = os.path.join(args.workdir, point.replace(":", "_"))
        study, path = write_study(workdir, trials=4, epochs=3)
        os.environ["RUNGS_FAULT"] = point
        run = Run(argparse.Namespace(**{**vars(args), "workdir": workdir}), study)
        code = run.wait()
        del os.environ["RUNGS_FAULT"]
        check(code != 0, f"{point}: the fault killed the run")
        before = results(path) or {}
        run = Run(argparse.Namespace(**{**vars(args), "workdir": workdir}), study)
        check(run.wait() == 0, f"{point}: the resumed run finishes")
        after = results(path)
        check(all(after.get(k) == v for k, v in before.items()), f"{point}: nothing recorded was lost")
        final_checks(path, 4, 3, 3)
        print("ok", point, flush=True)


def case_signal(args):
    study, path = write_study(args.workdir, trials=UNENDING, epochs=6, samples=50000, snapshot=5,
                              replace=[("low: 128, high: 256, step: 128", "low: 256, high: 512, step: 256")])
    run = Run(args, study)
    log = os.path.join(args.workdir, "runs.log")
    deadline = time.time() + 120
    while time.time() < deadline and "trial 0 completed" not in open(log).read():
        check(run.proc.poll() is None, "the run is still going")
        time.sleep(0.2)
    time.sleep(1.5)  # into the next trials' first epoch
    sent = time.time()
    os.kill(run.proc.pid, signal.SIGUSR1)  # mpirun forwards USR1 to every rank
    code = run.wait(timeout=120)
    took = time.time() - sent
    check(code == EXIT_RESUME, f"exit status {code} says 'requeue me' ({EXIT_RESUME})")
    with h5py.File(path, "r") as f:
        check(f.attrs["state"] == "interrupted", "the study is saved as interrupted")
        status = f["trials/status"].asstr()[()].tolist()
    before = results(path)
    print(f"signal to exit: {took:.1f} s; {len(before)} epochs recorded; statuses {status}", flush=True)
    check("running" in status, "the signal came while trials ran (they stay resumable)")
    trials = finish_budget(study, path)
    run = Run(args, study)
    check(run.wait() == 0, "the resumed run finishes")
    after = results(path)
    check(all(after.get(k) == v for k, v in before.items()), "no completed epoch was lost")
    final_checks(path, trials, 6, 3)


def case_bad_files(args):
    study, path = write_study(args.workdir)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    other, other_path = write_study(os.path.join(args.workdir, "other"),
                                    replace=[("name: durable", "name: other")])
    check(Run(args, other).wait() == 0, "a study of another name to borrow a file from")
    with open(other_path, "rb") as f:
        real = f.read()
    newer = os.path.join(args.workdir, "newer.h5")
    shutil.copy(other_path, newer)
    with h5py.File(newer, "r+") as f:
        f.attrs["format_version"] = 99
        f.attrs["name"] = "durable"
    with open(newer, "rb") as f:
        newer_bytes = f.read()
    cases = {
        "newer version": newer_bytes,
        "truncated": real[: len(real) // 2],
        "not HDF5": b"just some text\n",
        "another study": real,
    }
    for what, content in cases.items():
        with open(path, "wb") as f:
            f.write(content)
        digest = hashlib.sha256(content).hexdigest()
        p = subprocess.run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study],
                           capture_output=True, text=True, timeout=120)
        ours = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
        print(what, p.returncode, ours, flush=True)
        check(p.returncode == 2, f"{what}: exit status 2, got {p.returncode}")
        check(len(ours) == 1 and path in ours[0], f"{what}: one line naming the file: {ours}")
        with open(path, "rb") as f:
            check(hashlib.sha256(f.read()).hexdigest() == digest, f"{what}: file untouched")
        for leftover in (path + ".lock",):
            check(not os.path.exists(leftover), f"{what}: no {leftover} left behind")


def case_resume_changes(args):
    study, path = write_study(args.workdir, trials=3, epochs=2)
    check(Run(args, study).wait() == 0, "first run")
    changed, _ = write_study(args.workdir, trials=3, epochs=2, name="changed.yaml",
                             replace=[("high: 256, step: 128", "high: 512, step: 128")])
    p = subprocess.run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", changed],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 2 and "search_space.width.high: 256 there, 512 here" in p.stderr,
          f"a changed search space is refused, naming what changed: {p.stderr}")
    bigger, _ = write_study(args.workdir, trials=5, epochs=2, name="bigger.yaml")
    check(Run(args, bigger).wait() == 0, "a larger max_trials resumes")
    with h5py.File(path, "r") as f:
        check(len(f["trials/id"]) == 5, "two more trials ran")
        check(list(f["trials/id"][()]) == list(range(5)), "ids are never reused")


def case_lock(args):
    study, path = write_study(args.workdir, trials=UNENDING, epochs=6, samples=50000)
    first = Run(args, study)
    check(wait_for_start(first), "the first job started")
    p = subprocess.run(shlex.split(args.mpiexec) + ["-n", "2", args.rungs, "run", study],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 2 and "in use by pid" in p.stderr, f"a second job is refused: {p.stderr}")
    check(first.proc.poll() is None, "the first job is not disturbed")
    os.kill(first.proc.pid, signal.SIGUSR1)
    check(first.wait() == EXIT_RESUME, "the first job saves and stops on its signal")


def case_hung_worker(args):
    """A worker that hangs (a fault injected on rank 2: it never answers its second trial)
    is noticed after preemption.report_timeout_seconds: rank 0 saves the study and ends the
    job with 75, naming the trial and the rank; the next run goes on without it."""
    study, path = write_study(args.workdir, trials=UNENDING, epochs=3, samples=5000,
                              replace=[("max_attempts: 3}", "max_attempts: 3, report_timeout_seconds: 5, "
                                                            "grace_seconds: 5}")])
    rungs = [args.rungs, "run", study]
    started = time.time()
    p = subprocess.run(shlex.split(args.mpiexec) + ["-n", "2"] + rungs +
                       [":", "-n", "1", "env", "RUNGS_FAULT=worker.hang:2"] + rungs,
                       capture_output=True, text=True, timeout=180)
    print(p.stdout[-3000:], p.stderr[-3000:], flush=True)
    print(f"job ended after {time.time() - started:.1f} s", flush=True)
    check(p.returncode == EXIT_RESUME, f"exit status {p.returncode}, expected {EXIT_RESUME}")
    ours = rungs_errors(p.stderr)
    check(len(ours) == 1 and "on rank 2 sent no report for 5 s (preemption.report_timeout_seconds)" in ours[0],
          f"one line naming the trial, the rank and the setting: {ours}")
    with h5py.File(path, "r") as f:
        check(f.attrs["state"] == "interrupted", "the study is saved as interrupted")
        status = f["trials/status"].asstr()[()].tolist()
    check("running" in status and "failed" not in status, f"the hung trial stays resumable: {status}")
    before = results(path)
    trials = finish_budget(study, path)
    check(Run(args, study).wait() == 0, "the next run finishes the study")
    after = results(path)
    check(all(after.get(k) == v for k, v in before.items()), "nothing recorded was lost")
    final_checks(path, trials, 3, 3)


class Tmpfs:
    """A tmpfs of `size` mounted at `path` (root only): a file system that fills up."""

    def __init__(self, path, size):
        os.makedirs(path, exist_ok=True)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(f"SKIPPED: cannot mount a small tmpfs to fill up ({p.stderr.strip()})")
            sys.exit(SKIP)
        self.path = path

    def fill(self):
        with open(os.path.join(self.path, "filler"), "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass

    def grow(self, size):
        subprocess.run(["mount", "-o", f"remount,size={size}", self.path], check=True)

    def unmount(self):
        subprocess.run(["umount", "-l", self.path], check=True)


def rungs_errors(text):
    return [line for line in text.splitlines() if line.startswith("rungs:")]


def case_full_disk(args):
    """A full file system is not a trial's fault: rungs stops with exit 75, saying why in one
    line, and loses nothing. Under a worker: checkpoints on a 4 MB tmpfs fill it (each holds
    about 1.4 MB of weights and Adam state). Under rank 0: its output folder full at start."""
    if os.geteuid() != 0:
        print("SKIPPED: mounting a tmpfs needs root")
        sys.exit(SKIP)
    study, path = write_study(args.workdir, trials=UNENDING, epochs=3, samples=5000,
                              replace=[("low: 128, high: 256, step: 128", "low: 128, high: 128")])
    output = os.path.dirname(path)
    disk = Tmpfs(os.path.join(output, "checkpoints"), "4m")
    try:
        p = subprocess.run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study],
                           capture_output=True, text=True, timeout=300)
        print(p.stdout[-3000:], p.stderr[-3000:], flush=True)
        ours = rungs_errors(p.stderr)
        check(p.returncode == EXIT_RESUME, f"a full disk under a worker: exit status {p.returncode}, "
                                           f"expected {EXIT_RESUME}")
        check(len(ours) == 1 and "No space left on device" in ours[0] and "checkpoints/trial_" in ours[0],
              f"one line naming the checkpoint and the cause: {ours}")
        with h5py.File(path, "r") as f:
            check(f.attrs["state"] == "interrupted", "the study is saved as interrupted")
            status = f["trials/status"].asstr()[()].tolist()
            lost = f["trials/lost"][()].tolist()
        check("failed" not in status, f"no trial failed for want of space: {status}")
        check(not any(lost), f"no run counted as lost: {lost}")
        before = results(path)

        # The space is back: the study goes on from where it stopped.
        disk.grow("256m")
        trials = finish_budget(study, path)
        check(Run(args, study).wait() == 0, "with space again, the study finishes")
        after = results(path)
        check(all(after.get(k) == v for k, v in before.items()), "nothing recorded was lost")
        final_checks(path, trials, 3, 3)
    finally:
        disk.unmount()

    # Rank 0's own folder full: the study is not opened, nor touched.
    disk = Tmpfs(os.path.join(args.workdir, "full"), "1m")
    try:
        moved = os.path.join(disk.path, "study.h5")
        shutil.copy(path, moved)
        with open(moved, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        disk.fill()
        p = subprocess.run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study,
                                                          "-o", disk.path],
                           capture_output=True, text=True, timeout=120)
        print(p.stdout[-2000:], p.stderr[-2000:], flush=True)
        ours = rungs_errors(p.stderr)
        check(p.returncode == EXIT_RESUME, f"a full output folder: exit status {p.returncode}, "
                                           f"expected {EXIT_RESUME}")
        check(len(ours) == 1 and "No space left on device" in ours[0], f"one line saying why: {ours}")
        with open(moved, "rb") as f:
            check(hashlib.sha256(f.read()).hexdigest() == digest, "study.h5 untouched")
        check(not os.path.exists(moved + ".lock"), "no lock left behind")
    finally:
        disk.unmount()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--kills", type=int, default=30)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    {"kills": case_kills, "fault_points": case_fault_points, "signal": case_signal,
     "bad_files": case_bad_files, "resume_changes": case_resume_changes,
     "lock": case_lock, "full_disk": case_full_disk, "hung_worker": case_hung_worker}[args.case](args)
    print("ok", args.case, flush=True)


if __name__ == "__main__":
    main()

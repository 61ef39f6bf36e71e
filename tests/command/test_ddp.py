#!/usr/bin/python3
"""Trials of several ranks that run the user's program (resources.ranks_per_trial: 2): real
torch.distributed processes (gloo, CPU) of programs/ddp.py and of examples/ddp/train.py
under real mpirun; study.h5 read back with h5py, and what each rank's process saw read from
the ranks.jsonl it appends to in its trial's folder.

Usage: test_ddp.py CASE --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import itertools
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from testlib import UNENDING, check, cut_budget, run, run_case, strings  # noqa: E402
from test_command import example_study, programs_left, signal_after_first_checkpoint  # noqa: E402

PROGRAM = os.path.join(HERE, "programs", "ddp.py")
FIRST_PORT = 29500  # the first MASTER_PORT rungs tries (docs/programs.md)

STUDY = """\
name: ddp
seed: 7
output: {output}
objective:
  command: [/usr/bin/python3, {program}, --lr, "{{lr}}", --epoch-seconds, "{epoch_seconds}", --squat-trial, "{squat}"]
  metric: val_loss
  timeouts: {{start: 120, epoch: 0, stop: 5}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 0.1, log: true}}
sampler: {sampler}
scheduler: {scheduler}
budget: {{max_trials: {trials}, epochs: {epochs}}}
resources: {{threads_per_worker: 1, ranks_per_trial: 2, device: cpu}}
"""


def write(args, name, trials, epochs, sampler="random", scheduler="fifo", epoch_seconds=0.0, squat=-1):
    workdir = os.path.join(args.workdir, name)
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, "out")
    path = os.path.join(workdir, "study.yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, program=PROGRAM, trials=trials, epochs=epochs,
                             sampler=sampler, scheduler=scheduler, epoch_seconds=epoch_seconds,
                             squat=squat))
    return path, output


def rungs_cmd(args, study, ranks):
    return shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study]


def read(output):
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        t = f["trials"]
        trials = {"status": strings(t["status"]), "reason": strings(t["reason"]),
                  "epochs": t["epochs_run"][()].tolist(), "attempts": t["attempts"][()].tolist(),
                  "state": f.attrs["state"]}
        c = f["curves"]
        trials["curves"] = list(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()))
    return trials


def rank_lines(output, trial):
    path = os.path.join(output, "trials", str(trial), "ranks.jsonl")
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path) if l.strip()]


def environ_of(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        return dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)


def check_every_epoch(t):
    for i, e in enumerate(t["epochs"]):
        check(len([k for k in t["curves"] if k[0] == i]) == e, f"every epoch of trial {i} recorded")


def case_ddp(args):
    """TPE + promotion-based ASHA over trials of 2 ranks, 2 trial groups (mpirun -n 5):
    every epoch in study.h5; on every epoch both ranks' all_reduce'd sum is 1 + 2 and their
    DDP-synchronised parameters agree; paused trials resume on both ranks from rank 0's
    checkpoint; trials running at once never share a MASTER_PORT; the CPU study hides GPUs."""
    study, output = write(args, "ddp", trials=6, epochs=3, sampler="tpe", epoch_seconds=0.3,
                          scheduler="{name: asha, min_resource: 1, reduction_factor: 2, mode: promotion}")
    p = run(rungs_cmd(args, study, 5), timeout=500)
    check(p.returncode == 0, f"exit status {p.returncode}")
    check("in 2 trial groups of 2 ranks" in p.stdout, "the start-up line names the groups")
    t = read(output)
    check(t["state"] == "finished" and "failed" not in t["status"], f"{t['status']} {t['reason']}")
    check(len(t["status"]) == 6, f"6 trials: {t['status']}")
    check_every_epoch(t)
    check(any(a > 1 for a in t["attempts"]), f"a paused trial was resumed: {t['attempts']}")
    runs = []  # (start, end, port, trial) of each run of a trial's rank 0
    for trial, epochs in enumerate(t["epochs"]):
        lines = rank_lines(output, trial)
        for epoch in range(1, epochs + 1):
            ranks = {l["rank"]: l for l in lines if l["epoch"] == epoch}
            check(sorted(ranks) == [0, 1], f"trial {trial} epoch {epoch}: both ranks trained it")
            check(ranks[0]["sum"] == ranks[1]["sum"] == 3.0, f"trial {trial} epoch {epoch}: all_reduce {ranks}")
            check(abs(ranks[0]["checksum"] - ranks[1]["checksum"]) < 1e-9,
                  f"trial {trial} epoch {epoch}: the ranks' parameters agree")
            check(ranks[0]["port"] == ranks[1]["port"], f"trial {trial} epoch {epoch}: one MASTER_PORT")
        check(all(l["cuda_visible_devices"] == "" for l in lines), "device: cpu hides the GPUs")
        for pid, group in itertools.groupby(sorted((l["pid"], l["now"], l) for l in lines if l["rank"] == 0),
                                            key=lambda x: x[0]):
            group = [g[2] for g in group]
            runs.append((group[0]["started"], max(g["now"] for g in group), group[0]["port"], trial))
    overlapping = [(a, b) for a, b in itertools.combinations(runs, 2) if a[0] < b[1] and b[0] < a[1]]
    check(overlapping, f"two trials ran at once: {runs}")
    for a, b in overlapping:
        check(a[2] != b[2], f"trials {a[3]} and {b[3]} ran at once on port {a[2]}")
    print("ports of the runs:", sorted((r[3], r[2]) for r in runs), flush=True)
    check(not programs_left(PROGRAM), "no program outlives its trial")


def case_member_killed(args):
    """The member rank's program SIGKILLed in the middle of a trial: the trial fails with a
    reason naming rank 1, rank 0's program is ended, and the study goes on to the next trial."""
    study, output = write(args, "killed", trials=2, epochs=4, epoch_seconds=2.0)
    proc = subprocess.Popen(rungs_cmd(args, study, 3), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    deadline = time.time() + 200
    victim = None
    while time.time() < deadline and victim is None:
        check(proc.poll() is None, "the study is running")
        if any(l["rank"] == 1 for l in rank_lines(output, 0)):
            for pid in programs_left(PROGRAM):
                env = environ_of(pid)
                if env.get(b"RANK") == b"1" and env.get(b"RUNGS_TRIAL_ID") == b"0":
                    victim = pid
        time.sleep(0.1)
    check(victim is not None, "trial 0's rank 1 program runs")
    os.kill(victim, signal.SIGKILL)
    out, _ = proc.communicate(timeout=300)
    print(out[-4000:], flush=True)
    check(proc.returncode == 0, f"the study finishes: exit status {proc.returncode}")
    t = read(output)
    check(t["status"] == ["failed", "completed"], f"trial 0 failed, trial 1 completed: {t['status']} {t['reason']}")
    check(t["reason"][0].startswith("rank 1 of 2: killed by SIGKILL after epoch"), f"the reason names rank 1: {t['reason'][0]}")
    check(t["epochs"][0] < 4, f"trial 0 went no further: {t['epochs']}")
    check(not programs_left(PROGRAM), "rank 0's program was ended with its trial")


def case_port_taken(args):
    """MASTER_PORT taken: by a process that holds rungs' first port for the whole study (rungs'
    bind check passes it over), and by one that takes the next port between rungs' check and
    the program's bind (rank 0's program fails with "address already in use" before its first
    report: every rank is run again on another port, and the trial is not failed)."""
    holder = socket.socket()
    # A listener blocks every other bind of its port; SO_REUSEADDR lets it take a port that an
    # earlier test's connections left in TIME_WAIT.
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        holder.bind(("", FIRST_PORT))
        holder.listen()
    except OSError:
        holder.close()
        holder = None  # someone else holds it: it is taken all the same
    study, output = write(args, "port", trials=2, epochs=2, squat=0)
    try:
        p = run(rungs_cmd(args, study, 3), timeout=300)
    finally:
        if holder:
            holder.close()
        squatted = os.path.join(output, "trials", "0", "squatted")
        if os.path.exists(squatted):
            try:
                os.kill(int(open(squatted).read().split()[0]), signal.SIGKILL)
            except ProcessLookupError:
                pass
    check(p.returncode == 0, f"exit status {p.returncode}")
    t = read(output)
    check(t["status"] == ["completed", "completed"], f"{t['status']} {t['reason']}")
    check(t["attempts"][0] == 1, f"the relaunch is no new attempt of the trial: {t['attempts']}")
    check_every_epoch(t)
    squat_port = int(open(squatted).read().split()[1])
    check(squat_port != FIRST_PORT, f"the first port, taken, was passed over: {squat_port}")
    ports = {l["port"] for l in rank_lines(output, 0)}
    check(len(ports) == 1 and squat_port not in ports and FIRST_PORT not in ports,
          f"trial 0 ran on another port: {ports}, {squat_port} squatted")
    trial_dir = os.path.join(output, "trials", "0")
    err = open(os.path.join(trial_dir, "attempt_1.err")).read().lower()
    check("address already in use" in err, "the first run failed to bind")
    log = open(os.path.join(trial_dir, "rungs.log")).read()
    check(f"MASTER_PORT {squat_port} was taken" in log, f"rungs.log says why it ran again: {log}")
    check(os.path.exists(os.path.join(trial_dir, "attempt_2.rank1.out")), "rank 1 ran again too")
    check(not programs_left(PROGRAM), "no program left")


def case_preemption(args):
    """SIGUSR1 to a study of 2-rank trials once a trial has committed an epoch: both ranks of
    every running trial learn of it, leave at the same epoch (the program all-reduces the
    flag) and exit 75; rungs exits 75, and the rerun resumes each trial on both ranks from
    rank 0's checkpoint with nothing recorded lost."""
    study, output = write(args, "preempt", trials=UNENDING, epochs=3, epoch_seconds=10.0)
    code, took = signal_after_first_checkpoint(rungs_cmd(args, study, 5),
                                               os.path.join(output, "checkpoints"),
                                               os.path.join(args.workdir, "preempt.log"), wait=200)
    check(code == 75, f"exit status {code}, expected 75")
    check(took < 30, f"the programs ended within the grace period: {took:.1f} s")
    check(not programs_left(PROGRAM), "no program outlives the job")
    before = read(output)
    check(before["state"] == "interrupted" and "failed" not in before["status"], f"saved: {before['status']} {before['reason']}")
    n = len(before["status"])
    cut_budget(study, n)
    p = run(rungs_cmd(args, study, 5), timeout=400)
    check(p.returncode == 0, f"the rerun finishes: {p.returncode}")
    after = read(output)
    check(set(before["curves"]) <= set(after["curves"]), "no recorded epoch lost")
    check(after["status"] == ["completed"] * n, f"every trial completed: {after['status']} {after['reason']}")
    check_every_epoch(after)
    resumed = [i for i, e in enumerate(before["epochs"]) if e > 0]
    for trial in resumed:
        lines = rank_lines(output, trial)
        for rank in (0, 1):
            epochs = sorted(l["epoch"] for l in lines if l["rank"] == rank)
            check(epochs == [1, 2, 3], f"trial {trial} rank {rank}: every epoch once, resumed: {epochs}")


def case_example(args):
    """examples/ddp as its study file says, on less data and fewer trials: two ranks per
    trial learn Fashion-MNIST; the script also runs alone, without rungs."""
    study, output, example = example_study(args, "ddp", (
        ("output: runs/ddp_mlp", "output: {output}"),
        ("command: [python3, \"{study_dir}/train.py\", --train-samples, \"20000\"]",
         "command: [/usr/bin/python3, {example}/train.py, --train-samples, \"4000\", "
         "--val-samples, \"2000\"]"),
        ("max_trials: 8", "max_trials: 3"), ("epochs: 9", "epochs: 2")))
    p = run(rungs_cmd(args, study, 3), timeout=400)
    check(p.returncode == 0, f"exit status {p.returncode}")
    t = read(output)
    check(t["state"] == "finished" and t["status"] and "failed" not in t["status"], f"{t['status']} {t['reason']}")
    check_every_epoch(t)
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        best = max(f["curves"]["value"][()].tolist())
    check(best > 0.6, f"the DDP MLP learned Fashion-MNIST: best val_accuracy {best:.3f}")
    check(os.listdir(os.path.join(output, "checkpoints")), "rank 0 wrote checkpoints")
    check(not any(n.startswith("scratch.") for n in os.listdir(os.path.join(output, "trials", "0"))),
          "rank 1's scratch checkpoint folders are gone")
    alone = os.path.join(args.workdir, "alone")
    os.makedirs(alone)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNGS_")}
    env["PYTHONPATH"] = os.path.join(ROOT, "command", "client")
    p = run(["/usr/bin/python3", os.path.join(example, "train.py"), "--epochs", "1",
             "--train-samples", "2000", "--val-samples", "1000"], cwd=alone, env=env)
    check(p.returncode == 0 and "epoch 1: val_accuracy" in p.stdout, "the example runs without rungs")


if __name__ == "__main__":
    run_case({"ddp": case_ddp, "member_killed": case_member_killed, "port_taken": case_port_taken,
              "preemption": case_preemption, "example": case_example})

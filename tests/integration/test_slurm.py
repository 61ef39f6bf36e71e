#!/usr/bin/python3
"""A study under a real Slurm: submit slurm/rungs.sbatch to a private single-node cluster
(slurm/testcluster.sh), preempt it twice with USR1 (the job requeues itself, the test
releases it at once instead of waiting for Slurm's BeginTime), and check that the study
completes with every trial accounted for and no epoch recorded twice.

Needs root and Debian's slurm-wlm and munge; otherwise it skips (exit 77) with the reason.
Usage: test_slurm.py --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import SKIP, check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

STUDY = """\
name: slurm_study
seed: 5
output: {output}
objective: {{model: mlp, metric: val_accuracy, train_samples: 50000, val_samples: 2000}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
fixed: {{layers: 2, width: 256}}
budget: {{max_trials: 6, epochs: 6}}
resources: {{threads_per_worker: 1}}
"""


def sh(*cmd, env=None, check_rc=True):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    if check_rc and p.returncode != 0:
        print("FAILED:", " ".join(cmd), p.stdout, p.stderr, flush=True)
        sys.exit(1)
    return p.stdout.strip()


def job_state(job, env):
    out = sh("scontrol", "show", "job", job, env=env, check_rc=False)
    for field in out.split():
        if field.startswith("JobState="):
            return field.split("=", 1)[1]
    return "UNKNOWN"


def wait_for(predicate, timeout, what, diagnose=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    if diagnose:
        diagnose()
    check(False, f"timed out waiting for {what}")


def release(job, env, timeout, diagnose):
    """Starts a requeued job in a few seconds instead of after Slurm's BeginTime delay.

    Not at once: the new run's launch credential must be newer than the revocation of the
    old run's (one-second resolution), or slurmd refuses it and the job FAILS ("Job
    credential revoked"). So once the job is PENDING, set StartTime=now+5, and again if it
    is still pending half a minute later (the requeue may have reset it).
    """
    deadline = time.time() + timeout
    released = 0.0
    while time.time() < deadline:
        state = job_state(job, env)
        if state == "PENDING":
            if time.time() - released > 30:
                sh("scontrol", "update", f"JobId={job}", "StartTime=now+5", env=env,
                   check_rc=False)
                released = time.time()
        elif state in ("FAILED", "CANCELLED", "NODE_FAIL", "BOOT_FAIL", "TIMEOUT"):
            break
        elif state not in ("REQUEUED", "COMPLETING"):
            return  # running again (or already done: the caller checks the results)
        time.sleep(1)
    diagnose()
    check(False, f"job {job} did not start again after its requeue: state {job_state(job, env)}")


def epochs_recorded(path):
    if not os.path.exists(path):
        return 0
    try:
        with h5py.File(path, "r") as f:
            return len(f["curves/trial_id"])
    except OSError:
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIPPED: the Slurm test needs root (slurmd runs jobs as their users)")
        return SKIP
    for tool in ("slurmctld", "slurmd", "sbatch", "munged"):
        if not shutil.which(tool):
            print(f"SKIPPED: {tool} not found (apt-get install slurm-wlm munge)")
            return SKIP

    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    env = dict(os.environ, RUNGS_SLURM_DIR=os.path.join(args.workdir, "cluster"),
               RUNGS_SLURM_PORT="16917")
    start = subprocess.run([os.path.join(ROOT, "slurm/testcluster.sh"), "start"],
                           capture_output=True, text=True, env=env, timeout=120)
    if start.returncode != 0:
        print("FAILED: the test cluster did not start:", start.stdout, start.stderr)
        return 1
    env["SLURM_CONF"] = start.stdout.strip().split("=", 1)[1]
    try:
        return run(args, env)
    finally:
        subprocess.run([os.path.join(ROOT, "slurm/testcluster.sh"), "stop"], env=env, timeout=60)


def run(args, env):
    output = os.path.join(args.workdir, "out")
    study = os.path.join(args.workdir, "study.yaml")
    with open(study, "w") as f:
        f.write(STUDY.format(output=output))
    path = os.path.join(output, "study.h5")
    log = os.path.join(args.workdir, "job.out")
    job_env = dict(env, RUNGS=args.rungs, MPIRUN=args.mpiexec, RUNGS_HOME=ROOT)
    job = sh("sbatch", "--parsable", "--ntasks=3", f"--chdir={args.workdir}", f"--output={log}",
             os.path.join(ROOT, "slurm/rungs.sbatch"), study, env=job_env).split(";")[0]
    print("submitted job", job, flush=True)

    def diagnose():
        print(sh("scontrol", "show", "job", job, env=env, check_rc=False), flush=True)
        if os.path.exists(log):
            print(open(log).read()[-3000:], flush=True)

    target = 0
    for preemption in (1, 2):
        target = epochs_recorded(path) + 2
        wait_for(lambda: job_state(job, env) == "RUNNING" and epochs_recorded(path) >= target,
                 240, f"job {job} running with {target} epochs recorded", diagnose)
        print(f"preemption {preemption}: {epochs_recorded(path)} epochs recorded", flush=True)
        sh("scancel", "--signal=USR1", "--batch", job, env=env)
        wait_for(lambda: job_state(job, env) != "RUNNING", 120, "the job to stop", diagnose)
        release(job, env, 180, diagnose)

    wait_for(lambda: job_state(job, env) in ("COMPLETED", "FAILED", "CANCELLED"), 300,
             "the job to end", diagnose)
    text = open(log).read()
    print(text[-3000:], flush=True)
    check(job_state(job, env) == "COMPLETED", f"job state {job_state(job, env)}")
    check("restart 2" in text, "the job ran three times (restart count 2)")
    check(text.count("resuming:") == 2, "two runs resumed the study")
    with h5py.File(path, "r") as f:
        check(f.attrs["state"] == "finished", "the study finished")
        status = f["trials/status"].asstr()[()].tolist()
        check(status == ["completed"] * 6, f"every trial accounted for: {status}")
        keys = list(zip(f["curves/trial_id"][()].tolist(), f["curves/epoch"][()].tolist()))
        check(len(keys) == len(set(keys)) == 36, f"each of the 36 epochs recorded once: {len(keys)}")
    print("ok slurm", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

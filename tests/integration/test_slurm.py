#!/usr/bin/python3
"""A study under a real Slurm: submit a batch template to a private single-node cluster
(slurm/testcluster.sh), preempt it twice (the job requeues itself, the test releases it at
once instead of waiting for Slurm's BeginTime), and check that the study completes with every
trial accounted for and no epoch recorded twice.

The first preemption is the signal the template's own `#SBATCH --signal=B:...` line names
(the time-limit warning), the second SIGTERM (what Slurm's preemption sends the batch shell).
rungs must save the study whichever arrives, whatever the study's preemption.signal says.
  cpu: slurm/rungs.sbatch with a study that sets preemption.signal: USR2, rungs found on
       PATH and the launcher the template picks (srun --mpi=pmix where `srun --mpi=list`
       names pmix, as Debian's slurm-wlm does; mpirun otherwise);
  gpu: slurm/rungs-gpu.sbatch with the default preemption.signal, RUNGS_LAUNCHER=mpirun
       (the tests' mpirun), RUNGS and RUNGS_HOME set, on this cluster's CPUs: its
       --gpus, --ntasks and --cpus-per-task are overridden on the sbatch command line
       (--gpus=0) and the study says resources.device: cpu. GPU placement and NCCL are not
       exercised here; the template's signal, requeue and resume are.
The preempted runs have budget.max_trials: 1000, so the study cannot finish before the
preemptions land; before the last run the study file is rewritten with max_trials equal to
the trials study.h5 holds, and that run completes them.

Needs root and Debian's slurm-wlm and munge; otherwise it skips (exit 77) with the reason.
Usage: test_slurm.py cpu|gpu --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import SKIP, check, strings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EPOCHS = 6

STUDY = """\
name: slurm_study
seed: 5
output: {output}
objective: {{model: mlp, metric: val_accuracy, train_samples: 50000, val_samples: 2000}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
fixed: {{layers: 2, width: 256}}
budget: {{max_trials: {max_trials}, epochs: {epochs}}}
resources: {resources}
"""

# template, sbatch options that override it, study resources, the study's preemption.signal
# (None: not set, USR1 by default), RUNGS_LAUNCHER (None: not set, auto).
CASES = {
    "cpu": ("slurm/rungs.sbatch", ["--ntasks=3"], "{threads_per_worker: 1}", "USR2", None),
    "gpu": ("slurm/rungs-gpu.sbatch", ["--ntasks=3", "--cpus-per-task=1", "--gpus=0"],
            "{threads_per_worker: 1, device: cpu}", None, "mpirun"),
}
PORTS = {"cpu": "16917", "gpu": "16927", "limit": "16937"}

# The time-limit case: a study of sleeping command trials (programs/synthetic.py) whose
# sleep alone outlasts what one job leaves it, so however fast the machine, it needs more
# than one job: each job has a 1-minute limit and rungs stops itself LIMIT_MARGIN s before
# it (preemption.before_limit_seconds), well before the job's own signal (5 s before).
LIMIT_MARGIN = 40
LIMIT_STUDY = """\
name: slurm_limit
seed: 5
output: {output}
objective:
  command: [/usr/bin/python3, {program}, --lr, "{{lr}}", --epoch-seconds, "2"]
  metric: val_accuracy
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-1, log: true}}
budget: {{max_trials: 8, epochs: 4}}
preemption: {{before_limit_seconds: {margin}}}
checkpoints: {{fit_limit: true}}
"""
ENDED = ("COMPLETED", "FAILED", "CANCELLED", "NODE_FAIL", "BOOT_FAIL", "TIMEOUT", "OUT_OF_MEMORY")


def sh(*cmd, env=None, check_rc=True):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    check(not check_rc or p.returncode == 0,
          f"{' '.join(cmd)}: status {p.returncode}: {(p.stdout + p.stderr).strip()}")
    return p.stdout.strip()


def job_state(job, env):
    out = sh("scontrol", "show", "job", job, env=env, check_rc=False)
    for field in out.split():
        if field.startswith("JobState="):
            return field.split("=", 1)[1]
    return "UNKNOWN"


def wait_for(predicate, timeout, what, diagnose):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    diagnose()
    check(False, f"timed out waiting for {what}")


def wait_pending(job, env, timeout, diagnose):
    """Waits until the stopped job is requeued (PENDING); fails at once if it ended instead."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = job_state(job, env)
        if state == "PENDING":
            return
        if state in ENDED:
            diagnose()
            check(False, f"job {job} was not requeued after the preemption: state {state}")
        time.sleep(0.5)
    diagnose()
    check(False, f"job {job} was not requeued after the preemption: state {job_state(job, env)}")


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
        elif state in ENDED:
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
    except (OSError, KeyError):
        return 0


def template_signal(template):
    """The signal the template's `#SBATCH --signal=B:SIG@SECONDS` line asks Slurm for."""
    with open(template) as f:
        found = re.findall(r"^#SBATCH --signal=B:(\w+)@\d+", f.read(), re.M)
    check(len(found) == 1, f"{template}: one #SBATCH --signal=B:SIG@SECONDS line: {found}")
    return found[0]


def preempt_requeue(args, env, case):
    """Submits the case's template, preempts it twice, lets the last run complete the study."""
    template, sbatch_options, resources, study_signal, launcher = CASES[case]
    template = os.path.join(ROOT, template)
    output = os.path.join(args.workdir, "out")
    study = os.path.join(args.workdir, "study.yaml")

    def write_study(max_trials):
        with open(study, "w") as f:
            f.write(STUDY.format(output=output, max_trials=max_trials, epochs=EPOCHS,
                                 resources=resources))
            if study_signal:
                f.write(f"preemption: {{signal: {study_signal}}}\n")

    write_study(1000)  # more than can run before the preemptions
    path = os.path.join(output, "study.h5")
    log = os.path.join(args.workdir, "job.out")
    if launcher:
        # RUNGS and RUNGS_HOME name the binary and the checkout; MPIRUN is the tests' mpirun.
        job_env = dict(env, RUNGS=args.rungs, MPIRUN=args.mpiexec, RUNGS_HOME=ROOT,
                       RUNGS_LAUNCHER=launcher)
        expected_launch = f"{args.mpiexec} -n 3"
    else:
        # As a user with rungs on PATH: the template finds it there and the requeue helper in
        # that build's checkout, and picks the launcher itself: srun --mpi=pmix where this
        # Slurm lists PMIx (Debian's slurm-wlm does), mpirun otherwise.
        job_env = dict(env, PATH=os.path.dirname(os.path.abspath(args.rungs)) + ":" +
                       env["PATH"], MPIRUN=args.mpiexec)
        for name in ("RUNGS", "RUNGS_HOME", "RUNGS_LAUNCHER"):
            job_env.pop(name, None)
        pmix = re.search(r"\bpmix\b", sh("srun", "--mpi=list", env=env, check_rc=False))
        expected_launch = "srun --mpi=pmix" if pmix else f"{args.mpiexec} -n 3"
    print(f"expecting the template to launch with {expected_launch}", flush=True)
    job = sh("sbatch", "--parsable", *sbatch_options, f"--chdir={args.workdir}",
             f"--output={log}", template, study, env=job_env).split(";")[0]
    print("submitted job", job, "from", template, flush=True)

    def diagnose():
        print(sh("scontrol", "show", "job", job, env=env, check_rc=False), flush=True)
        if os.path.exists(log):
            print(open(log).read()[-3000:], flush=True)

    signals = (template_signal(template), "TERM")
    trials = 0
    for preemption, signal in enumerate(signals, 1):
        target = epochs_recorded(path) + 2
        wait_for(lambda: job_state(job, env) == "RUNNING" and epochs_recorded(path) >= target,
                 240, f"job {job} running with {target} epochs recorded", diagnose)
        print(f"preemption {preemption}: SIG{signal} at {epochs_recorded(path)} epochs",
              flush=True)
        sh("scancel", f"--signal={signal}", "--batch", job, env=env)
        wait_pending(job, env, 120, diagnose)
        if preemption == len(signals):
            # rungs saved the study before it exited and the job was requeued: study.h5 holds
            # every trial started; the last run completes exactly those.
            with h5py.File(path, "r") as f:
                trials = len(f["trials/id"])
            print(f"last run: max_trials {trials}", flush=True)
            write_study(trials)
        release(job, env, 180, diagnose)

    wait_for(lambda: job_state(job, env) in ENDED, 300, "the job to end", diagnose)
    text = open(log).read()
    print(text[-3000:], flush=True)
    check(job_state(job, env) == "COMPLETED", f"job state {job_state(job, env)}")
    check("restart 2" in text, "the job ran three times (restart count 2)")
    launched = re.findall(r"^rungs: (\S+), launched with (.*)$", text, re.M)
    check(launched == [(os.path.abspath(args.rungs), expected_launch)] * 3,
          f"each run launched {args.rungs} with {expected_launch}: {launched}")
    # run_with_requeue.sh passes USR1 and USR2 on as they came and TERM as USR1; rungs
    # watches both whatever the study's preemption.signal says.
    arrived = re.findall(r"interrupted by SIG(\w+)", text)
    expected = [s if s != "TERM" else "USR1" for s in signals]
    check(arrived == expected, f"the preemptions reached rungs as {expected} "
          f"(the study says {study_signal or 'USR1 by default'}): {arrived}")
    check(text.count("resuming:") == 2, "two runs resumed the study")
    with h5py.File(path, "r") as f:
        state = f.attrs["state"]
        check(state in ("finished", b"finished"), f"the study finished: {state}")
        status = strings(f["trials/status"])
        check(status == ["completed"] * trials, f"every one of {trials} trials completed: {status}")
        keys = list(zip(f["curves/trial_id"][()].tolist(), f["curves/epoch"][()].tolist()))
        check(len(keys) == len(set(keys)) == trials * EPOCHS,
              f"each of the {trials * EPOCHS} epochs recorded once: {len(keys)} records, "
              f"{len(set(keys))} distinct")
    print(f"ok slurm {case}", flush=True)
    return 0


def time_limit(args, env):
    """slurm/rungs.sbatch with --time=1: each job ends itself LIMIT_MARGIN s before its limit,
    or sooner when checkpoints.fit_limit finds no epoch that ends before then (exit 75,
    requeued), the next resumes, and the study completes with every epoch once."""
    output = os.path.join(args.workdir, "out")
    study = os.path.join(args.workdir, "study.yaml")
    program = os.path.join(ROOT, "tests", "command", "programs", "synthetic.py")
    with open(study, "w") as f:
        f.write(LIMIT_STUDY.format(output=output, program=program, margin=LIMIT_MARGIN))
    log = os.path.join(args.workdir, "job.out")
    job_env = dict(env, RUNGS=args.rungs, MPIRUN=args.mpiexec, RUNGS_HOME=ROOT,
                   RUNGS_LAUNCHER="mpirun",
                   PYTHONPATH=os.path.join(ROOT, "command", "client"))
    job = sh("sbatch", "--parsable", "--ntasks=3", "--time=1", "--signal=B:USR1@5",
             f"--chdir={args.workdir}", f"--output={log}", os.path.join(ROOT, "slurm/rungs.sbatch"),
             study, env=job_env).split(";")[0]
    print("submitted job", job, "with a 1-minute limit", flush=True)

    def diagnose():
        print(sh("scontrol", "show", "job", job, env=env, check_rc=False), flush=True)
        if os.path.exists(log):
            print(open(log).read()[-3000:], flush=True)

    # While a job runs, `rungs status` (as from a login node) shows the time it has left.
    path = os.path.join(output, "study.h5")
    time_left = None
    deadline = time.time() + 600
    while time.time() < deadline and job_state(job, env) not in ENDED:
        if job_state(job, env) == "PENDING":
            release(job, env, 180, diagnose)
        elif time_left is None and os.path.exists(path):
            p = subprocess.run([args.rungs, "status", path], capture_output=True, text=True,
                               env=env, timeout=60)
            time_left = re.search(r"Slurm job \d+, (\S+) before its time limit \(rank 0", p.stdout)
            if time_left:
                print("status:", p.stdout.splitlines()[0], flush=True)
        time.sleep(1)
    text = open(log).read()
    print(text[-4000:], flush=True)
    check(job_state(job, env) == "COMPLETED", f"job state {job_state(job, env)}")
    check(time_left is not None, "rungs status showed the time left in the running job")
    # Each job stops at LIMIT_MARGIN s before its limit, or earlier once no 2-s epoch fits
    # before that moment (checkpoints.fit_limit), whichever comes first.
    stops = (text.count(f"the Slurm job's time limit is {LIMIT_MARGIN} s away") +
             text.count("left before the stop for the job's time limit (checkpoints.fit_limit)"))
    check(stops >= 1, "rungs stopped itself before the limit at least once")
    print(text.count("waits for the next job after epoch"), "runs waited at their checkpoint "
          "for the next job rather than start an epoch that could not end in time", flush=True)
    check(text.count("resuming:") == stops, f"each of the {stops} stops was resumed by the next job")
    check("interrupted by SIG" not in text, "no signal was needed")
    check("DUE TO TIME LIMIT" not in text, "Slurm never killed a run")
    check(text.count("stopped before the Slurm job's time limit; study saved") == stops,
          "each stop says why")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        state = f.attrs["state"]
        check(state in ("finished", b"finished"), f"the study finished: {state}")
        status = strings(f["trials/status"])
        check(status == ["completed"] * 8, f"every one of 8 trials completed: {status}")
        keys = list(zip(f["curves/trial_id"][()].tolist(), f["curves/epoch"][()].tolist()))
        check(len(keys) == len(set(keys)) == 8 * 4,
              f"each of the 32 epochs recorded once: {len(keys)} records, {len(set(keys))} distinct")
    print("ok slurm limit", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES) + ["limit"])
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
               RUNGS_SLURM_PORT=PORTS[args.case])
    start = subprocess.run([os.path.join(ROOT, "slurm/testcluster.sh"), "start"],
                           capture_output=True, text=True, env=env, timeout=120)
    check(start.returncode == 0,
          f"the test cluster did not start: {(start.stdout + start.stderr).strip()}")
    env["SLURM_CONF"] = start.stdout.strip().split("=", 1)[1]
    try:
        if args.case == "limit":
            return time_limit(args, env)
        return preempt_requeue(args, env, args.case)
    finally:
        subprocess.run([os.path.join(ROOT, "slurm/testcluster.sh"), "stop"], env=env, timeout=60)


if __name__ == "__main__":
    sys.exit(main())

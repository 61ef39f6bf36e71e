#!/usr/bin/python3
"""A study over two Slurm nodes: slurm/testcluster.sh start --nodes 2 makes two nodes on this
machine (network + UTS namespaces on a private bridge, a slurmd each); slurm/rungs.sbatch runs
an ASHA study of command trials over 2 nodes x 3 ranks (rank 0 and two workers on node1, three
workers on node2). Checked: the study completes with every epoch once; each trial's program
ran on the node of the worker rank study.h5 records (ranks are placed in blocks of 3); both
nodes ran trials; the start line counts the nodes and the workers on each (node-local
placement); `rungs status` from the cluster's login namespace (a third host) reads the study
while the job runs.
  srun:   the template's default launcher here (srun --mpi=pmix: Debian's slurm-wlm has PMIx)
  mpirun: RUNGS_LAUNCHER=mpirun inside the allocation (Open MPI starts its daemons with srun)
  preempt: three nodes; srun on node1-2, `scancel --signal=USR1` (every rank, not the batch
           shell) stops the study, the requeued job runs on node2-3 and completes it from the
           checkpoints the first run wrote
  refused: where namespaces are not allowed, the cluster does not start and says why

Needs root, slurm-wlm, munge and namespaces; otherwise it skips (exit 77) with the reason.
Usage: test_multinode.py srun|mpirun|preempt|refused --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import SKIP, check, run_case, strings  # noqa: E402
from test_slurm import ENDED, job_state, release, sh, wait_for, wait_pending  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLUSTER = os.path.join(ROOT, "slurm", "testcluster.sh")
PORTS = {"srun": "16957", "mpirun": "16967", "preempt": "16977", "refused": "16987"}
TRIALS, EPOCHS, PER_NODE = 10, 4, 3

# The program prints the host it runs on first, into the trial's attempt_N.out.
STUDY = """\
name: multinode
seed: 3
output: {output}
objective:
  command: [/bin/sh, -c, 'echo "host $(hostname)"; exec /usr/bin/python3 "$0" --lr "$1" --epoch-seconds 0.3 {hold}', {program}, "{{lr}}"]
  metric: val_accuracy
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-1, log: true}}
scheduler: {scheduler}
budget: {{max_trials: {trials}, epochs: {epochs}}}
"""


def last_host(trial_dir):
    """The host of the trial's last attempt, from the program's first line."""
    outs = glob.glob(os.path.join(trial_dir, "attempt_*.out"))
    check(outs, f"{trial_dir}: no attempt_N.out")
    last = max(outs, key=lambda p: int(re.search(r"attempt_(\d+)\.out$", p).group(1)))
    found = re.findall(r"^host (\S+)$", open(last).read(), re.M)
    check(len(found) == 1, f"{last}: one 'host NAME' line: {found}")
    return found[0]


def start_cluster(args, nodes):
    env = dict(os.environ, RUNGS_SLURM_DIR=os.path.join(args.workdir, "cluster"),
               RUNGS_SLURM_PORT=PORTS[args.case])
    p = subprocess.run([CLUSTER, "start", "--nodes", str(nodes)], capture_output=True,
                       text=True, env=env, timeout=120)
    if p.returncode == SKIP:
        print("SKIPPED:", p.stderr.strip())
        sys.exit(SKIP)
    check(p.returncode == 0, f"the test cluster did not start: {(p.stdout + p.stderr).strip()}")
    env["SLURM_CONF"] = p.stdout.strip().split("=", 1)[1]
    return env


def case_study(args):
    with_cluster(args, study_on_two_nodes)


def with_cluster(args, body, nodes=2):
    """body(args, env) on a fresh cluster of `nodes` nodes, stopped afterwards; skips
    without one."""
    if os.geteuid() != 0:
        print("SKIPPED: the Slurm test needs root (slurmd runs jobs as their users)")
        sys.exit(SKIP)
    for tool in ("slurmctld", "slurmd", "sbatch", "munged"):
        if not shutil.which(tool):
            print(f"SKIPPED: {tool} not found (apt-get install slurm-wlm munge)")
            sys.exit(SKIP)
    env = start_cluster(args, nodes)
    try:
        body(args, env)
    finally:
        subprocess.run([CLUSTER, "stop"], env=env, timeout=60)


def submit(args, env, launcher, trials, scheduler="{name: asha, reduction_factor: 2}", hold="",
           sbatch_options=()):
    """Writes the study (max_trials `trials`; `hold`: the program's --hold-file) and submits
    it over 2 nodes x PER_NODE ranks; returns the study file, the job id, its log and a
    diagnose() for failures."""
    output = os.path.join(args.workdir, "out")
    study = os.path.join(args.workdir, "study.yaml")
    program = os.path.join(ROOT, "tests", "command", "programs", "synthetic.py")
    with open(study, "w") as f:
        f.write(STUDY.format(output=output, program=program, trials=trials, epochs=EPOCHS,
                             scheduler=scheduler, hold=f"--hold-file {hold}" if hold else ""))
    log = os.path.join(args.workdir, "job.out")
    job_env = dict(env, RUNGS=args.rungs, RUNGS_HOME=ROOT, MPIRUN=args.mpiexec,
                   RUNGS_LAUNCHER=launcher, PYTHONPATH=os.path.join(ROOT, "command", "client"))
    job = sh("sbatch", "--parsable", "--nodes=2", f"--ntasks={2 * PER_NODE}",
             f"--ntasks-per-node={PER_NODE}", f"--chdir={args.workdir}", f"--output={log}",
             *sbatch_options, os.path.join(ROOT, "slurm", "rungs.sbatch"), study,
             env=job_env).split(";")[0]
    print("submitted job", job, flush=True)

    def diagnose():
        print(sh("scontrol", "show", "job", job, env=env, check_rc=False), flush=True)
        if os.path.exists(log):
            print(open(log).read()[-3000:], flush=True)
    return study, job, log, diagnose


def check_study(output, trials, nodes=("node1", "node2")):
    """The study finished with `trials` trials, each epoch recorded once, each trial's last
    run on the node of the worker study.h5 records (`nodes`: the job's, in rank order), and
    both nodes ran trials."""
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        state = f.attrs["state"]
        check(state in ("finished", b"finished"), f"the study finished: {state}")
        ids = f["trials/id"][()].tolist()
        workers = f["trials/worker"][()].tolist()
        trial_status = strings(f["trials/status"])
        check(len(ids) == trials and all(s in ("completed", "stopped") for s in trial_status),
              f"{trials} trials, each completed or stopped by ASHA: {trial_status}")
        keys = list(zip(f["curves/trial_id"][()].tolist(), f["curves/epoch"][()].tolist()))
        check(len(keys) == len(set(keys)), f"no epoch recorded twice: {len(keys)} records")
        runs = f["trials/epochs_run"][()].tolist()
        check(sum(runs) == len(keys), f"the epochs run ({sum(runs)}) are the epochs recorded")
    hosts = {}
    for trial, worker in zip(ids, workers):
        host = last_host(os.path.join(output, "trials", str(trial)))
        expected = nodes[worker // PER_NODE]
        check(host == expected, f"trial {trial}'s last run was on worker rank {worker}, so on "
              f"{expected} (ranks in blocks of {PER_NODE}): it ran on {host}")
        hosts.setdefault(host, set()).add(worker)
    print("workers by node:", {h: sorted(w) for h, w in sorted(hosts.items())}, flush=True)
    check(sorted(hosts) == sorted(nodes), f"trials ran on both nodes {nodes}: {sorted(hosts)}")


def study_on_two_nodes(args, env):
    output = os.path.join(args.workdir, "out")
    study, job, log, diagnose = submit(args, env, args.case, TRIALS)

    # While it runs, `rungs status` from the login namespace (a host with no slurmd).
    path = os.path.join(output, "study.h5")
    status = None
    deadline = time.time() + 240
    while time.time() < deadline and job_state(job, env) not in ENDED:
        if status is None and os.path.exists(path) and job_state(job, env) == "RUNNING":
            p = subprocess.run([CLUSTER, "login", "sh", "-c", 'hostname; "$0" status "$1"',
                                args.rungs, path], capture_output=True, text=True, env=env,
                               timeout=60)
            if p.returncode == 0 and f"Slurm job {job}" in p.stdout:
                status = p.stdout
                print("status from the login node:", status, flush=True)
        time.sleep(0.5)
    wait_for(lambda: job_state(job, env) in ENDED, 60, "the job to end", diagnose)
    text = open(log).read()
    print(text[-4000:], flush=True)
    check(job_state(job, env) == "COMPLETED", f"job state {job_state(job, env)}")
    check(f"{2 * PER_NODE} ranks on node[1-2]" in text, "the job had 6 ranks on node1 and node2")
    launch = "srun --mpi=pmix" if args.case == "srun" else f"{args.mpiexec} -n {2 * PER_NODE}"
    check(f"rungs: {os.path.abspath(args.rungs)}, launched with {launch}\n" in text,
          f"the job launched rungs with {launch}")
    check(status is not None and status.startswith("login\n") and
          re.search(r"\(rank 0: pid \d+ on node1\)", status),
          f"rungs status ran on the login node and named the job and rank 0's host: {status}")
    check(re.search(r"study multinode: 5 workers on the CPU.*, over 2 nodes \(workers per node: 2, 3\)",
                    text), "the start line counts the workers on each node")
    check_study(output, TRIALS)
    print(f"ok multinode {args.case}", flush=True)


def preempt_two_nodes(args, env):
    """One trial per worker, each holding after its epoch 1 (answered, so recorded and
    checkpointed) until the test lets it go: by construction every worker is in a trial with
    a checkpoint when `scancel --signal=USR1` (without --batch: every rank and program of
    both nodes gets it) stops the job on node1 and node2. rungs saves the study, the job
    requeues itself, and the test moves it to node2 and node3 (node2 now first): every trial
    resumes from its epoch-1 checkpoint, those of node1's workers on another node, and the
    study completes with every epoch recorded once."""
    output = os.path.join(args.workdir, "out")
    hold = os.path.join(args.workdir, "go")
    workers = 2 * PER_NODE - 1
    study, job, log, diagnose = submit(args, env, "srun", workers, scheduler="fifo", hold=hold,
                                       sbatch_options=["--nodelist=node[1-2]"])
    held = os.path.join(output, "trials", "*", "held")
    wait_for(lambda: len(glob.glob(held)) == workers, 180,
             f"{workers} trials holding after epoch 1", diagnose)
    sh("scancel", "--signal=USR1", job, env=env)
    wait_pending(job, env, 120, diagnose)
    sh("scontrol", "update", f"JobId={job}", "ReqNodeList=node[2-3]", env=env)
    open(hold, "w").close()
    release(job, env, 180, diagnose)
    wait_for(lambda: job_state(job, env) in ENDED, 240, "the job to end", diagnose)
    text = open(log).read()
    print(text[-4000:], flush=True)
    check(job_state(job, env) == "COMPLETED", f"job state {job_state(job, env)}")
    runs = re.findall(r"^rungs: job \d+, restart (\d+), 6 ranks on (\S+)$", text, re.M)
    check(runs == [("0", "node[1-2]"), ("1", "node[2-3]")],
          f"the job ran on node1-2, then, requeued, on node2-3: {runs}")
    check(re.search(r"interrupted by SIGUSR1", text), "rungs saw the USR1 and saved the study")
    check(re.search(rf"resuming: {workers} trials recorded, 0 finished, {workers} to restart "
                    "from their checkpoints", text), f"the {workers} trials resumed")
    moved = 0
    for trial in range(workers):
        folder = os.path.join(output, "trials", str(trial))
        first = re.findall(r"^host (\S+)$", open(os.path.join(folder, "attempt_1.out")).read(), re.M)
        log_text = open(os.path.join(folder, "rungs.log")).read()
        check("attempt 2: epochs 1 to 4" in log_text,
              f"trial {trial} resumed from its epoch-1 checkpoint: {log_text}")
        moved += first == ["node1"]
    check(moved == 2, f"node1's two workers' trials resumed on another node: {moved}")
    check_study(output, workers, nodes=("node2", "node3"))
    print("ok multinode preempt", flush=True)


def case_preempt(args):
    with_cluster(args, preempt_two_nodes, nodes=3)


def case_refused(args):
    """Where namespaces are not allowed (here: as root of a user namespace, which may not
    mount /run/netns), start --nodes says why in one line and exits 77, which the cases
    above pass on as their skip."""
    for tool in ("slurmctld", "munged"):
        if not shutil.which(tool):
            print(f"SKIPPED: {tool} not found (apt-get install slurm-wlm munge)")
            sys.exit(SKIP)
    if not shutil.which("unshare") or subprocess.run(
            ["unshare", "--user", "--map-root-user", "true"], capture_output=True).returncode != 0:
        print("SKIPPED: no user namespaces here to refuse the cluster in")
        sys.exit(SKIP)
    env = dict(os.environ, RUNGS_SLURM_DIR=os.path.join(args.workdir, "cluster"),
               RUNGS_SLURM_PORT=PORTS["refused"])
    p = subprocess.run(["unshare", "--user", "--map-root-user", CLUSTER, "start", "--nodes", "2"],
                       capture_output=True, text=True, env=env, timeout=60)
    print(p.stdout, p.stderr, flush=True)
    lines = p.stderr.strip().splitlines()
    check(p.returncode == SKIP and len(lines) == 1 and "namespaces are not allowed here (" in lines[0],
          f"exit {p.returncode} with one line saying why: {p.stderr.strip()}")


if __name__ == "__main__":
    run_case({"srun": case_study, "mpirun": case_study, "preempt": case_preempt,
              "refused": case_refused})

"""What the Python tests share: running a command with its output in the test log, failing
with one line, reading HDF5 text columns, and ctest's skip status."""
import argparse
import os
import shlex
import shutil
import subprocess
import sys

SKIP = 77  # ctest SKIP_RETURN_CODE: the case cannot run here; the reason is printed


def run(cmd, timeout=240, **kw):
    """Runs `cmd` (arguments str()-ed), prints it and the tails of its output."""
    cmd = [str(c) for c in cmd]
    print("$", " ".join(shlex.quote(c) for c in cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    print(p.stdout[-4000:], p.stderr[-4000:], sep="\n", flush=True)
    return p


def check(condition, message):
    if not condition:
        print("FAILED:", message, flush=True)
        sys.exit(1)


UNENDING = 1000  # max_trials of a study that no run can finish before a test stops it


def cut_budget(study, trials):
    """Lowers the study file's max_trials from UNENDING to `trials`, the trials it already
    has: the next run finishes those and starts no other (resuming allows a smaller budget
    down to the trials started)."""
    text = open(study).read()
    check(f"max_trials: {UNENDING}" in text, "the study had the unending budget")
    with open(study, "w") as f:
        f.write(text.replace(f"max_trials: {UNENDING}", f"max_trials: {trials}"))


def strings(dataset):
    return [s.decode() if isinstance(s, bytes) else s for s in dataset[()]]


def run_case(cases):
    """The main of a test script `SCRIPT CASE --rungs RUNGS --mpiexec "MPIEXEC ARGS" --workdir
    DIR`: runs cases[CASE](args) in a fresh DIR and prints PASSED."""
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(cases))
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    cases[args.case](args)
    print("PASSED")

#!/usr/bin/python3
"""`cmake --install BUILD --prefix P` into a temporary prefix, then what a user of P gets:
  - P/bin/rungs runs from the prefix with a bare environment (its RUNPATH names no build
    folder; every library it needs resolves) and prints the build's version;
  - man -l P/share/man/man1/rungs.1 renders without warnings and has a section for every
    subcommand rungs --help lists, with that subcommand's options;
  - P/share/bash-completion/completions/rungs, sourced in bash, registers a function for
    rungs (complete -p) that completes `rungs st` to status, the options of every
    subcommand, and --format's choices;
  - the sbatch templates and run_with_requeue.sh under P/share/rungs/slurm (executable,
    valid bash) and the example studies under P/share/rungs/examples (rungs validate passes);
  - the installed rungs.sbatch, run outside Slurm with a stand-in launcher, picks the
    rungs on PATH over a build folder, its own run_with_requeue.sh from P, and RUNGS over both.
Usage: test_install.py --build BUILD --workdir DIR
"""
import argparse
import os
import shlex
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run  # noqa: E402

TEMPLATES = ("rungs.sbatch", "rungs-gpu.sbatch", "rungs-apptainer.sbatch", "run_with_requeue.sh")
BARE_ENV = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LC_ALL": "C.UTF-8"}


def subcommands_and_options(rungs):
    """{subcommand: [long options]} from the installed binary's own --help."""
    top = run([rungs, "--help"], env=BARE_ENV).stdout
    names = re.findall(r"^  (\w+)  ", top.split("Subcommands:")[1], re.M)
    check(names, f"rungs --help lists subcommands: {top}")
    return {name: sorted(set(re.findall(r"(--[a-z][a-z-]*)", run(
        [rungs, name, "--help"], env=BARE_ENV).stdout.split("Options:")[1].split("\n\n")[0])))
        for name in names}


def complete(script, *words):
    """COMPREPLY of the function `complete -p rungs` names, for the words typed so far."""
    typed = " ".join(f"'{w}'" for w in words)
    program = f"""
source '{script}'
spec=$(complete -p rungs) || exit 3
fn=$(sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p' <<< "$spec")
COMP_WORDS=(rungs {typed}); COMP_CWORD=$(({len(words)}))
COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
"$fn" rungs "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 0, f"completing {words}: status {p.returncode}: {p.stderr}")
    return sorted(w for w in p.stdout.split("\n") if w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--mpiexec", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    prefix = os.path.join(args.workdir, "prefix")
    p = run(["cmake", "--install", args.build, "--prefix", prefix])
    check(p.returncode == 0, "cmake --install")

    # The binary, from the prefix, with nothing of the build around it.
    rungs = os.path.join(prefix, "bin", "rungs")
    p = run([rungs, "--version"], env=BARE_ENV, cwd="/")
    check(p.returncode == 0 and re.fullmatch(r"rungs \d+\.\d+\.\d+\S*", p.stdout.strip()),
          f"{rungs} --version prints the version: {p.stdout!r} {p.stderr!r}")
    build_version = run([os.path.join(args.build, "rungs"), "--version"]).stdout.strip()
    check(p.stdout.strip() == build_version, f"the installed {p.stdout.strip()} is the build's "
          f"{build_version}")
    dynamic = run(["readelf", "-d", rungs]).stdout
    build_dir = os.path.realpath(args.build)
    check(build_dir not in dynamic, f"the installed rungs' RUNPATH names no build folder "
          f"({build_dir})")
    ldd = run(["ldd", rungs], env=BARE_ENV).stdout
    check("not found" not in ldd, "every library of the installed rungs resolves")

    commands = subcommands_and_options(rungs)

    # The man page.
    page = os.path.join(prefix, "share", "man", "man1", "rungs.1")
    check(os.path.isfile(page), f"{page} installed")
    check(shutil.which("man"), "man is installed (scripts/setup.sh --dev installs man-db)")
    p = run(["man", "--warnings", "-l", page],
            env=dict(BARE_ENV, MANWIDTH="100", MANPAGER="cat", PAGER="cat"))
    text = re.sub(r".\x08", "", p.stdout)  # overstrike bold and underline
    check(p.returncode == 0 and "RUNGS(1)" in text, "man -l renders the page")
    check(not p.stderr.strip(), f"man renders without warnings: {p.stderr.strip()}")
    sections = re.split(r"^   (\w+)\n", text, flags=re.M)
    found = dict(zip(sections[1::2], sections[2::2]))
    for name, options in commands.items():
        check(name in found, f"the man page has a section for `rungs {name}`: "
              f"{sorted(found)}")
        check(f"rungs {name} [OPTIONS]" in found[name], f"the {name} section has its usage")
        for option in options:
            check(option in found[name], f"the {name} section names {option}")
    for heading in ("EXIT STATUS", "ENVIRONMENT"):
        check(re.search(rf"^{heading}$", text, re.M), f"the man page has {heading}")

    # The bash completion.
    script = os.path.join(prefix, "share", "bash-completion", "completions", "rungs")
    check(os.path.isfile(script), f"{script} installed")
    got = complete(script, "st")
    check(got == ["status"], f"`rungs st` completes to status: {got}")
    check(complete(script, "") == sorted(commands), "`rungs ` offers every subcommand")
    for name, options in commands.items():
        got = complete(script, name, "--")
        check(set(options) <= set(got), f"`rungs {name} --` offers {options}: {got}")
    got = complete(script, "status", "--format", "")
    check(got == ["csv", "json", "table"], f"`rungs status --format ` offers the formats: {got}")
    got = complete(script, "best", "--fo")
    check(got == ["--format"], f"`rungs best --fo` completes to --format: {got}")

    # The templates and examples.
    slurm = os.path.join(prefix, "share", "rungs", "slurm")
    for name in TEMPLATES:
        path = os.path.join(slurm, name)
        check(os.access(path, os.X_OK), f"{path} installed, executable")
        check(run(["bash", "-n", path]).returncode == 0, f"{path} is valid bash")
    example = os.path.join(prefix, "share", "rungs", "examples", "fashion_mlp.yaml")
    check(os.path.isfile(example), f"{example} installed")
    p = run([rungs, "validate", example], env=BARE_ENV)
    check(p.returncode == 0, f"rungs validate {example}")

    # A trial's own program gets the installed client, not the source tree's.
    client = os.path.join(prefix, "share", "rungs", "client")
    check(os.path.isfile(os.path.join(client, "rungs_trial.py")) and
          os.path.isfile(os.path.join(client, "rungs_trial.h")), f"the clients are in {client}")
    study = os.path.join(args.workdir, "program.yaml")
    with open(study, "w") as f:
        f.write("name: program\n"
                f"output: {os.path.join(args.workdir, 'program_out')}\n"
                "objective:\n  command: [/usr/bin/python3, -c, \"import rungs_trial; "
                "print(rungs_trial.__file__); rungs_trial.init().report(1, val_accuracy=0.5)\"]\n"
                "  metric: val_accuracy\n"
                "search_space:\n  lr: {type: float, low: 0.001, high: 0.1}\n"
                "budget: {max_trials: 1, epochs: 1}\n")
    p = run(shlex.split(args.mpiexec) + ["-n", "2", rungs, "run", study])
    out = open(os.path.join(args.workdir, "program_out", "trials", "0", "attempt_1.out")).read()
    check(p.returncode == 0 and out.strip() == os.path.join(client, "rungs_trial.py"),
          f"the installed rungs gives its program the installed client: {out.strip()}")

    # The installed template outside Slurm: a stand-in launcher prints what it would start.
    submit = os.path.join(args.workdir, "submit")
    os.makedirs(os.path.join(submit, "build"))
    with open(os.path.join(submit, "build", "rungs"), "w") as f:
        f.write("#!/bin/sh\nexit 1\n")
    os.chmod(os.path.join(submit, "build", "rungs"), 0o755)
    job = dict(BARE_ENV, PATH=f"{prefix}/bin:/usr/bin:/bin", SLURM_SUBMIT_DIR=submit,
               SLURM_NTASKS="3", SLURM_JOB_ID="", SLURM_JOB_NODELIST="localhost",
               RUNGS_LAUNCHER="mpirun", MPIRUN="echo LAUNCH")

    def template_launch(env):
        p = run([os.path.join(slurm, "rungs.sbatch"), "study.yaml", "--set", "seed=1"], env=env,
                cwd=submit)
        check(p.returncode == 0, f"the installed rungs.sbatch ran: {p.stderr}")
        lines = [line for line in p.stdout.split("\n") if line.startswith("LAUNCH")]
        check(len(lines) == 1, f"the launcher ran once: {p.stdout}")
        return lines[0]

    got = template_launch(job)
    check(got == f"LAUNCH -n 3 {rungs} run study.yaml --set seed=1",
          f"the template runs the rungs on PATH over {submit}/build/rungs: {got}")
    # RUNGS_HOME: the folder that holds slurm/ (a checkout, or P/share/rungs).
    got = template_launch(dict(job, RUNGS="/opt/other/rungs",
                               RUNGS_HOME=os.path.join(prefix, "share", "rungs")))
    check(got == "LAUNCH -n 3 /opt/other/rungs run study.yaml --set seed=1",
          f"RUNGS overrides PATH: {got}")
    p = run([os.path.join(slurm, "rungs.sbatch"), "study.yaml"],
            env=dict(job, RUNGS_LAUNCHER="pbs"), cwd=submit)
    check(p.returncode == 2 and "RUNGS_LAUNCHER" in p.stderr,
          "an unknown RUNGS_LAUNCHER is one line and status 2")
    print("ok install")
    return 0


if __name__ == "__main__":
    sys.exit(main())

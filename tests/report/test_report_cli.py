#!/usr/bin/python3
"""`rungs status`, `rungs export` and `rungs report` as a user runs them, checked against
study.h5 read with h5py: CSV read back with pandas, the HTML report drawn by headless
Chromium with the network blocked (its DOM checked, a screenshot taken).

Usage: test_report_cli.py CASE --rungs BUILD/rungs --writer BUILD/.../rungs_report_write_study
                          --workdir DIR [--mpiexec "mpirun ..."]
Exit status 77 (ctest: skipped) when a case cannot run here, with the reason printed.
"""
import argparse
import csv
import hashlib
import html.parser
import io
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import SKIP, check, run, strings  # noqa: E402


def read_study(path):
    """The study as h5py sees it: a dict of numpy columns per group, and the params."""
    with h5py.File(path, "r") as f:
        t = f["trials"]
        trials = {k: (strings(d) if h5py.check_string_dtype(d.dtype) else d[()])
                  for k, d in t.items() if isinstance(d, h5py.Dataset)}
        params = {}
        for name, d in t["params"].items():
            values = strings(d) if h5py.check_string_dtype(d.dtype) else list(d[()])
            active = (t["params_active"][name][()] if "params_active" in t and name in t["params_active"]
                      else np.ones(len(values), dtype=bool))
            params[name] = (values, active)
        curves = {k: d[()] for k, d in f["curves"].items() if isinstance(d, h5py.Dataset)}
        curves.update({k: d[()] for k, d in f["curves/metrics"].items()})
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    return attrs, trials, params, curves


def best_of(attrs, trials):
    """(trial id, value) of the best trial that did not fail, as rungs best defines it."""
    values = np.array(trials["best_value"], dtype=float)
    ok = np.array([s != "failed" for s in trials["status"]]) & ~np.isnan(values)
    if not ok.any():
        return None, None
    masked = np.where(ok, values, -np.inf if attrs["direction"] == "maximize" else np.inf)
    i = int(np.argmax(masked) if attrs["direction"] == "maximize" else np.argmin(masked))
    return int(trials["id"][i]), float(values[i])


def file_state(path):
    st = os.stat(path)
    return hashlib.sha256(open(path, "rb").read()).hexdigest(), st.st_mtime_ns, st.st_ino


# --- status ---------------------------------------------------------------------------------

def check_status_output(out, path, attrs, trials, max_trials=None):
    statuses = trials["status"]
    n = len(statuses)
    counts = {s: statuses.count(s) for s in ("completed", "stopped", "failed", "running", "paused")}
    lines = out.splitlines()
    check(lines[0].startswith(f"study {attrs['name']} ({path}): {attrs['state']}"), f"header: {lines[0]}")
    of = f" of {max_trials}" if max_trials else ""
    expected = (f"trials: {n}{of} started; {counts['completed']} completed, {counts['stopped']} stopped, "
                f"{counts['failed']} failed, {counts['running']} running, {counts['paused']} paused")
    check(expected in lines, f"counts line {expected!r}")
    best_id, best_value = best_of(attrs, trials)
    best_line = next(l for l in lines if l.startswith("best: "))
    check(best_line.startswith(f"best: trial {best_id}, {attrs['metric']} "), f"best trial {best_id}: {best_line}")
    shown = float(best_line.split()[4])
    check(math.isclose(shown, best_value, rel_tol=1e-5), f"best value {best_value} shown as {shown}")
    # The rungs' occupancy: one row per rung up to the highest, counting trials by rung.
    rung = list(trials["rung"])
    header = lines.index("  rung  trials  running  paused  completed  stopped  failed")
    for r in range(max(rung) + 1):
        row = lines[header + 1 + r].split()
        check(int(row[0]) == r and int(row[1]) == rung.count(r), f"rung {r} row {row}, {rung.count(r)} trials")
        by = {s: sum(1 for x, st in zip(rung, statuses) if x == r and st == s)
              for s in ("running", "paused", "completed", "stopped", "failed")}
        check([int(x) for x in row[2:]] == list(by.values()), f"rung {r} by status {row} vs {by}")
    return lines


def case_status(args):
    path = os.path.join(args.workdir, "study.h5")
    check(run([args.writer, path, "--trials", "20", "--running"]).returncode == 0, "writer")
    attrs, trials, params, _ = read_study(path)
    before = file_state(path)
    p = run([args.rungs, "status", path])
    check(p.returncode == 0 and p.stderr == "", f"exit status {p.returncode}")
    lines = check_status_output(p.stdout, path, attrs, trials, max_trials=20)
    check(file_state(path) == before, "status leaves study.h5 untouched (content, mtime, inode)")
    check("elapsed" in lines[1] and "at the last save" in lines[1], f"elapsed line: {lines[1]}")
    best_id, _ = best_of(attrs, trials)
    i = list(trials["id"]).index(best_id)
    for name, (values, active) in params.items():
        shown = [l for l in lines if l.startswith(f"  {name}: ")]
        check(len(shown) == (1 if active[i] else 0), f"best trial's {name} shown iff it has one")
        if shown and isinstance(values[i], str):
            check(shown[0] == f"  {name}: {values[i]}", f"{shown[0]} vs {values[i]}")
        elif shown:
            check(math.isclose(float(shown[0].split(": ")[1]), float(values[i]), rel_tol=1e-5), shown[0])
    running = [int(i) for i, s in zip(trials["id"], trials["status"]) if s == "running"]
    for r in running:
        check(any(l.startswith(f"running: trial {r} on rank ") for l in lines), f"running trial {r} listed")
    check("Slurm" not in p.stdout, "no Slurm job shown when the file has none")

    check("; no job holds it now" in lines[0], f"a running study without a lock has no job: {lines[0]}")

    # A study that ran in a Slurm job carries its id as the root attribute slurm_job_id.
    for job, shown in (("4242", True), ("", False)):
        slurm = os.path.join(args.workdir, f"slurm{job}.h5")
        shutil.copy(path, slurm)
        with h5py.File(slurm, "r+") as f:
            f.attrs["slurm_job_id"] = job
        p = run([args.rungs, "status", slurm])
        check(p.returncode == 0, "status of a study with slurm_job_id")
        check((": running, Slurm job 4242;" in p.stdout.splitlines()[0]) == shown,
              f"Slurm job id {job!r} shown: {shown}")
    # While a job runs the study, rank 0 holds study.h5.lock, which names it.
    with open(path + ".lock", "w") as f:
        f.write("host=node17\npid=31337\njob=777\nstarted=1780000000\n")
    p = run([args.rungs, "status", path])
    check(p.returncode == 0 and p.stdout.splitlines()[0] ==
          f"study synthetic ({path}): running, Slurm job 777 (rank 0: pid 31337 on node17)",
          "the lock's job and process are shown")


def case_formats(args):
    """best and status for programs (--format json|csv) say what h5py sees, and every
    command takes the study.h5, its run folder or the study file alike."""
    folder = os.path.join(args.workdir, "out")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "study.h5")
    check(run([args.writer, path, "--trials", "12", "--running"]).returncode == 0, "writer")
    attrs, trials, params, _ = read_study(path)
    best_id, best_value = best_of(attrs, trials)
    i = list(trials["id"]).index(best_id)

    p = run([args.rungs, "best", path, "--format", "json"])
    check(p.returncode == 0, f"best --format json: exit status {p.returncode}")
    best = json.loads(p.stdout)
    check(best["trial"] == best_id and math.isclose(best["value"], best_value),
          f"the best trial and value: {best} vs {best_id} {best_value}")
    check(best["metric"] == attrs["metric"] and best["direction"] == attrs["direction"], "metric")
    for name, (values, active) in params.items():
        got = best[f"params_{name}"]
        if not active[i]:
            check(got is None, f"inactive {name} is null: {got}")
        elif isinstance(values[i], str):
            check(got == values[i], f"{name}: {got} vs {values[i]}")
        else:
            check(math.isclose(float(got), float(values[i]), rel_tol=1e-12), f"{name}: {got} vs {values[i]}")
    with h5py.File(path, "r") as f:  # every metric at the best trial's best epoch
        c = f["curves"]
        rows = [r for r in range(len(c["trial_id"])) if c["trial_id"][r] == best_id]
        at = next(r for r in rows if c["value"][r] == best_value)
        check(best["best_epoch"] == c["epoch"][at], f"best_epoch {best['best_epoch']}")
        for name, column in c["metrics"].items():
            check(math.isclose(best[f"metrics_{name}"], column[at]), f"metrics_{name}: {best}")
        check(len(c["metrics"]) > 0, "the study has metrics")
    p = run([args.rungs, "best", path, "--format", "csv"])
    row = next(csv.DictReader(io.StringIO(p.stdout)))
    check(p.returncode == 0 and int(row["trial"]) == best_id and list(row) == list(best),
          f"best --format csv has the JSON's fields in order: {list(row)}")

    p = run([args.rungs, "status", path, "--format", "json"])
    status = json.loads(p.stdout)
    counts = {s: list(trials["status"]).count(s) for s in ("completed", "stopped", "failed", "running", "paused")}
    check(p.returncode == 0 and all(status[s] == n for s, n in counts.items()) and
          status["trials"] == len(trials["id"]) and status["state"] == "running" and
          status["best_trial"] == best_id, f"status --format json counts: {status} vs {counts}")
    p = run([args.rungs, "status", path, "--format", "csv"])
    check(next(csv.DictReader(io.StringIO(p.stdout)))["best_trial"] == str(best_id), "status csv")
    check(run([args.rungs, "status", path, "--format", "xml"]).returncode == 2, "an unknown format is an error")

    study = os.path.join(args.workdir, "study.yaml")
    with open(study, "w") as f:
        f.write(f"name: synthetic\noutput: {folder}\nobjective: {{model: mlp}}\n"
                "search_space:\n  lr: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}\n"
                "budget: {max_trials: 12, epochs: 4}\n")
    for command in (["best"], ["status", "--format", "json"]):
        outputs = {run([args.rungs] + command + [given]).stdout for given in (path, folder, study)}
        check(len(outputs) == 1, f"{command[0]} of the study.h5, its folder and the study file agree: {outputs}")
    p = run([args.rungs, "best", args.workdir])
    check(p.returncode == 2 and "a folder without a study.h5" in p.stderr, f"a folder without a study: {p.stderr}")


def case_watch(args):
    """status --watch prints until the study is no longer running."""
    path = os.path.join(args.workdir, "study.h5")
    check(run([args.writer, path, "--trials", "3", "--running"]).returncode == 0, "writer")
    watch = subprocess.Popen([args.rungs, "status", path, "--watch", "0.2"], stdout=subprocess.PIPE, text=True)
    seen = 0
    deadline = time.time() + 60
    out = ""
    while seen < 3 and time.time() < deadline:  # until it has printed the running study thrice
        line = watch.stdout.readline()
        out += line
        seen += line.startswith("study synthetic")
    check(seen == 3 and watch.poll() is None, f"it keeps printing while the study runs: {seen}")
    check(run([args.writer, path, "--trials", "3"]).returncode == 0, "the study finishes")
    rest, _ = watch.communicate(timeout=60)
    check(watch.returncode == 0 and ": finished" in rest, "it ends once the study is finished")
    p = run([args.rungs, "status", path, "--watch", "0.2"], timeout=30)
    check(p.returncode == 0 and p.stdout.count("study synthetic") == 1, "a finished study prints once")


def case_status_while_writing(args):
    """status never fails or blocks while rank 0 keeps replacing the file."""
    path = os.path.join(args.workdir, "study.h5")
    stop = os.path.join(args.workdir, "stop")
    check(run([args.writer, path, "--trials", "3", "--running"]).returncode == 0, "first write")
    writer = subprocess.Popen([args.writer, path, "--rewrite-until", stop], stdout=subprocess.PIPE, text=True)
    started = time.time()
    try:
        for _ in range(10):
            identity = lambda: (lambda st: (st.st_ino, st.st_mtime_ns, st.st_size))(os.stat(path))
            before = identity()
            p = subprocess.run([args.rungs, "status", path], capture_output=True, text=True, timeout=60)
            check(p.returncode == 0 and p.stdout.startswith("study synthetic"),
                  f"status during writes: {p.returncode} {p.stderr}")
            # Each read overlaps writes by construction: the next one waits for a new file.
            deadline = time.time() + 60
            while identity() == before and time.time() < deadline:
                check(writer.poll() is None, "the writer is still writing (no write failed)")
                time.sleep(0.01)
            check(identity() != before, "the writer replaced the file")
    finally:
        open(stop, "w").close()
    out, _ = writer.communicate(timeout=60)
    writes = int(out.split()[0])
    print(f"10 status reads during {writes} writes in {time.time() - started:.1f} s")
    check(writer.returncode == 0, "every write succeeded while status read the file")
    check(writes >= 10, f"reads and writes overlapped: {writes} writes")


# --- export ---------------------------------------------------------------------------------

def check_export(args, path, workdir):
    csv, curves_csv = os.path.join(workdir, "trials.csv"), os.path.join(workdir, "curves.csv")
    before = file_state(path)
    p = run([args.rungs, "export", path, "--csv", csv, "--curves", curves_csv])
    check(p.returncode == 0, f"export exit status {p.returncode}")
    check(file_state(path) == before, "export leaves study.h5 untouched")
    attrs, trials, params, curves = read_study(path)
    n = len(trials["id"])
    check(f"{csv}: {n} trials" in p.stdout, "says how many trials it wrote")

    # Numbers are written as the shortest text that reads back exactly; pandas' default
    # parser is off by an ulp now and then, its round_trip parser is exact.
    df = pd.read_csv(csv, keep_default_na=False, na_values=[""], float_precision="round_trip")
    check(list(df.columns[:5]) == ["number", "value", "datetime_start", "datetime_complete", "duration"],
          f"Optuna's first columns: {list(df.columns[:5])}")
    check({c for c in df.columns if c.startswith("params_")} == {f"params_{k}" for k in params},
          "one params_ column per parameter")
    check(len(df) == n and list(df.number) == list(trials["id"]), "one row per trial, in id order")
    check(list(df.state) == trials["status"], "state is the trial's status")
    check(np.allclose(df.value.to_numpy(float), trials["best_value"], equal_nan=True, rtol=0, atol=0),
          "value is study.h5's best_value, exactly")
    check(np.allclose(df.last_value.to_numpy(float), trials["last_value"], equal_nan=True, rtol=0, atol=0),
          "last_value exactly")
    check(list(df.epochs) == list(trials["epochs_run"]) and list(df.rung) == list(trials["rung"]),
          "epochs and rung")
    check([r if isinstance(r, str) else "" for r in df.reason] == trials["reason"],
          "reasons (commas, quotes, line breaks) read back exactly")
    start = pd.to_datetime(df.datetime_start, utc=True).astype("int64") / 1e9
    check(np.allclose(start, trials["start_time"], atol=1e-3), "datetime_start is start_time (UTC)")
    finished = np.array([s in ("completed", "stopped", "failed") for s in trials["status"]])
    complete = pd.to_datetime(df.datetime_complete, utc=True)
    check(complete.isna().to_numpy().tolist() == (~finished).tolist(), "datetime_complete only when finished")
    end = complete[finished].astype("int64") / 1e9
    check(np.allclose(end, trials["end_time"][finished], atol=1e-3), "datetime_complete is end_time")
    check(np.allclose(df.duration[finished], (trials["end_time"] - trials["start_time"])[finished]),
          "duration in seconds")
    for name, (values, active) in params.items():
        col = df[f"params_{name}"]
        check(col.isna().to_numpy().tolist() == (~active).tolist(), f"params_{name} empty exactly where inactive")
        for got, want, on in zip(col, values, active):
            if not on:
                continue
            if isinstance(want, str):
                check(str(got) == want, f"params_{name}: {got!r} vs {want!r}")
            elif isinstance(want, (bool, np.bool_)):
                check(str(got).lower() == str(bool(want)).lower(), f"params_{name}: {got!r} vs {want!r}")
            else:
                check(float(got) == float(want), f"params_{name}: {got!r} vs {want!r} (exact)")
    # val_accuracy and the losses are those of the best epoch (best_epoch).
    for _, row in df.iterrows():
        if pd.isna(row.best_epoch):
            continue
        mask = (curves["trial_id"] == row.number) & (curves["epoch"] == row.best_epoch)
        check(mask.sum() == 1 and curves["value"][mask][0] == row.value, f"trial {row.number}'s best epoch")
        check(curves["val_loss"][mask][0] == row.val_loss, f"trial {row.number}'s val_loss at its best epoch")

    c = pd.read_csv(curves_csv, float_precision="round_trip")
    # Every metric the study recorded, in name order, after the fixed columns.
    metric_names = sorted(k for k in curves if k not in ("trial_id", "epoch", "value", "seconds", "time"))
    check("val_accuracy" in metric_names and list(c.columns) ==
          ["number", "epoch", "value", "seconds", "time"] + metric_names,
          f"curves columns {list(c.columns)}")
    check(len(c) == len(curves["trial_id"]), "one curves row per reported epoch")
    check((c.number.to_numpy() == curves["trial_id"]).all() and (c.epoch.to_numpy() == curves["epoch"]).all(),
          "curves rows in study.h5's order")
    for col in ("value", "val_accuracy", "val_loss", "train_loss", "seconds", "time"):
        check(np.array_equal(c[col].to_numpy(float), curves[col], equal_nan=True), f"curves {col} exactly")
    joined = c.merge(df[["number", "state"]], on="number")
    check(len(joined) == len(c), "curves join trials on number")
    return df


def check_readme_csv_example(workdir):
    """The README's pandas example for the CSV files runs as printed."""
    here = os.path.dirname(os.path.abspath(__file__))
    for doc in ("../../README.md", "../../report/README_SECTION.md"):
        text = open(os.path.join(here, doc)).read()
        blocks = [b.split("```")[0] for b in text.split("```python\n")[1:]]
        example = [b for b in blocks if 'pd.read_csv("trials.csv"' in b]
        if example:
            break
    check(len(example) == 1, "the README has a pandas example for trials.csv")
    code = example[0] + "\nassert len(trials) == 30 and 'params_lr' in trials and len(curves) > 30\n"
    code += "assert str(trials.datetime_start.dtype).startswith('datetime64')\n"
    p = run([sys.executable, "-c", code], cwd=workdir)
    check(p.returncode == 0, "the README's CSV example runs")


def case_export(args):
    path = os.path.join(args.workdir, "study.h5")
    check(run([args.writer, path, "--trials", "30", "--awkward"]).returncode == 0, "writer")
    df = check_export(args, path, args.workdir)
    check_readme_csv_example(args.workdir)
    check(set(df.params_note) == {"plain", "with, comma", 'say "hi"', "caf\u00e9"},
          f"awkward strings read back: {set(df.params_note)}")
    running = os.path.join(args.workdir, "running.h5")
    check(run([args.writer, running, "--trials", "12", "--running"]).returncode == 0, "writer")
    check_export(args, running, os.path.join(args.workdir))
    only = os.path.join(args.workdir, "only_curves.csv")
    p = run([args.rungs, "export", path, "--curves", only])
    check(p.returncode == 0 and os.path.exists(only) and "trials.csv" not in p.stdout, "--curves alone")


# --- errors ---------------------------------------------------------------------------------

def case_errors(args):
    w = args.workdir
    good = os.path.join(w, "study.h5")
    check(run([args.writer, good, "--trials", "5"]).returncode == 0, "writer")
    text = os.path.join(w, "notes.txt")
    open(text, "w").write("not a study\n")
    foreign = os.path.join(w, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["x"] = [1, 2, 3]
    missing = os.path.join(w, "missing.h5")
    cases = [
        (["status", missing], f"rungs: {missing}: No such file or directory"),
        (["export", text, "--csv", os.path.join(w, "t.csv")], f"rungs: {text}: not an HDF5 file"),
        (["report", foreign, "-o", os.path.join(w, "r.html")], f"rungs: {foreign}: not a rungs study file"),
        (["export", good], f"rungs: rungs export {good}: nothing to write; give --csv FILE, --curves FILE or both"),
        (["export", good, "--csv", "/nonexistent-dir/t.csv"], "rungs: /nonexistent-dir/t.csv: cannot write"),
        (["report", good, "-o", "/nonexistent-dir/r.html"], "rungs: /nonexistent-dir/r.html: cannot write"),
    ]
    for argv, message in cases:
        p = run([args.rungs] + argv)
        check(p.returncode == 2, f"{argv}: exit status 2, got {p.returncode}")
        lines = p.stderr.strip().splitlines()
        check(len(lines) == 1 and lines[0].startswith(message), f"{argv}: one line {message!r}: {lines}")
        check(p.stdout == "", f"{argv}: nothing on stdout")
    check(not os.path.exists(os.path.join(w, "t.csv")) and not os.path.exists(os.path.join(w, "r.html")),
          "nothing written on an input error")
    p = run([args.rungs, "report", good])
    check(p.returncode == 2 and "--output" in p.stderr, "report without -o is a usage error")


# --- the HTML report in a browser -------------------------------------------------------------

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag=None, cls=None):
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes())]

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)


class Dom(html.parser.HTMLParser):
    """The serialized DOM as a tree (enough for the checks below)."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in self.VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.text += data

    def by_id(self, ident):
        found = [n for n in self.root.iter() if n.attrs.get("id") == ident]
        check(len(found) == 1, f"one element #{ident}")
        return found[0]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def browse(html_path, workdir, extra):
    """Runs headless Chromium on a local file with every network request failing."""
    profile = os.path.join(workdir, "chromium-profile")
    shutil.rmtree(profile, ignore_errors=True)
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--enable-unsafe-swiftshader",  # WebGL (parcoords) in software
           "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",  # offline
           "--virtual-time-budget=20000", "--hide-scrollbars"] + extra + ["file://" + os.path.abspath(html_path)]
    print("$", " ".join(shlex.quote(c) for c in cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        print(p.stderr[-3000:])
    return p


def check_report_in_browser(args, path, workdir, screenshot):
    html_path = os.path.join(workdir, "report.html")
    p = run([args.rungs, "report", path, "-o", html_path])
    check(p.returncode == 0 and os.path.getsize(html_path) > 1_000_000, "report written with plotly inlined")
    attrs, trials, params, curves = read_study(path)
    statuses = trials["status"]

    p = browse(html_path, workdir, ["--dump-dom"])
    check(p.returncode == 0 and "<body" in p.stdout, f"chromium --dump-dom exit status {p.returncode}")
    dom = Dom(p.stdout)
    body = dom.root.find_all("body")[0]
    errors = dom.by_id("errors").all_text()
    check(body.attrs.get("data-rendered") == "true" and "data-render-error" not in body.attrs,
          f"every plot drawn, no script error: {errors}")

    n = len(statuses)
    check(dom.by_id("trial-count").all_text().startswith(f"{n} "), "trial count")
    for status in set(statuses):
        chip = [c for c in dom.root.find_all("span", "chip") if c.attrs.get("data-status") == status]
        check(len(chip) == 1 and chip[0].all_text() == f"{statuses.count(status)} {status}", f"{status} chip")
    rung = list(trials["rung"])
    rows = dom.by_id("rungs").find_all("tr")
    check(len(rows) == 2 + max(rung), f"a row per rung: {len(rows) - 1}")
    for r in range(max(rung) + 1):
        cells = [c.all_text() for c in rows[1 + r].find_all("td")]
        check(cells[:2] == [str(r), str(rung.count(r))], f"rung {r}: {cells}, {rung.count(r)} trials")
    best_id, best_value = best_of(attrs, trials)
    shown = float(dom.by_id("best-value").all_text().split()[-1])
    check(math.isclose(shown, best_value, rel_tol=1e-3), f"best value {best_value} shown as {shown}")

    # Optimization history: one marker per trial with a value that did not fail.
    with_value = sum(1 for v, s in zip(trials["best_value"], statuses) if s != "failed" and not math.isnan(v))
    points = dom.by_id("history-trials").find_all("path", "point")
    check(len(points) == with_value, f"history over trials: {len(points)} markers, {with_value} trials")
    check(len(dom.by_id("history-time").find_all("path", "point")) >= 1, "history over time drawn")

    # Intermediate values: one marker per reported epoch, one legend entry per final status.
    finite = int(np.isfinite(curves["value"]).sum())
    points = dom.by_id("intermediate").find_all("path", "point")
    check(len(points) == finite, f"intermediate values: {len(points)} markers, {finite} epochs")
    legend = [t.all_text() for t in dom.by_id("intermediate").find_all("text", "legendtext")]
    for status in set(statuses):
        with_curve = sum(1 for s, e in zip(statuses, trials["epochs_run"]) if s == status and e > 0)
        if with_curve:
            check(f"{status} ({with_curve})" in legend, f"legend {status} ({with_curve}) in {legend}")

    # Its picker: the objective first, then every other metric of /curves/metrics.
    with h5py.File(path, "r") as f:
        others = sorted(m for m in f["curves/metrics"] if m != attrs["metric"])
    options = [o.all_text() for o in dom.by_id("intermediate-metric").find_all("option")]
    check(options == [attrs["metric"]] + others, f"the metric picker offers {options}")

    # Parallel coordinates: an axis per parameter and one for the metric.
    titles = [t.all_text() for t in dom.by_id("parallel").find_all("text", "axis-title")]
    for name in params:
        check(name in titles or f"{name} (log)" in titles, f"parallel axis {name} in {titles}")
    check(attrs["metric"] in titles, "parallel axis for the metric")

    # Importance: a bar per parameter present in every trial compared, named on the axis.
    always = [k for k, (_, active) in params.items() if active.all()]
    bars = dom.by_id("importance").find_all("g", "point")
    check(len(bars) == len(always), f"{len(bars)} importance bars for {always}")
    ticks = {t.all_text() for t in dom.by_id("importance").find_all("g", "ytick")}
    check(ticks == set(always), f"importance axis names {ticks}")
    rows = dom.by_id("top-trials").find_all("tr")
    check(len(rows) == 1 + min(10, with_value), "best trials table")
    check(rows[1].find_all("td")[1].all_text() == str(best_id), "the best trial heads the table")

    p = browse(html_path, workdir, ["--window-size=1360,3000", f"--screenshot={screenshot}"])
    check(p.returncode == 0 and os.path.exists(screenshot), "screenshot taken")
    with open(screenshot, "rb") as f:
        check(f.read(8) == b"\x89PNG\r\n\x1a\n", "the screenshot is a PNG")
    check(os.path.getsize(screenshot) > 100_000, f"the screenshot shows plots ({os.path.getsize(screenshot)} bytes)")
    print("screenshot:", screenshot)


def case_browser(args):
    if chromium() is None:
        print("SKIPPED: no chromium (apt-get install chromium; scripts/setup.sh installs it)")
        sys.exit(SKIP)
    path = os.path.join(args.workdir, "study.h5")
    check(run([args.writer, path, "--trials", "40", "--awkward"]).returncode == 0, "writer")
    check_report_in_browser(args, path, args.workdir, os.path.join(args.workdir, "report.png"))

    # A study that has not started a trial yet still gives a page, without script errors.
    empty = os.path.join(args.workdir, "empty.h5")
    check(run([args.writer, empty, "--trials", "0", "--running"]).returncode == 0, "writer")
    html_path = os.path.join(args.workdir, "empty.html")
    check(run([args.rungs, "report", empty, "-o", html_path]).returncode == 0, "report of an empty study")
    p = browse(html_path, args.workdir, ["--dump-dom"])
    dom = Dom(p.stdout)
    body = dom.root.find_all("body")[0]
    check(body.attrs.get("data-rendered") == "true" and "data-render-error" not in body.attrs,
          f"an empty study renders: {dom.by_id('errors').all_text()}")
    check("No trial has a result yet." in dom.by_id("best").all_text(), "says there is no result yet")
    check("needs at least 4 trials" in dom.by_id("importance-method").all_text(), "says why no importance")


# --- a real study -------------------------------------------------------------------------------

STUDY = """\
name: report_demo
seed: 5
output: {output}
objective: {{model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000, val_samples: 500}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 3.0e-2, log: true}}
  optimizer: {{type: categorical, choices: [adam, sgd]}}
  momentum: {{type: float, low: 0.5, high: 0.9, when: {{optimizer: [sgd]}}}}
  width: {{type: int, low: 32, high: 64, step: 32}}
fixed: {{layers: 1}}
enqueue: [{{lr: 0.02, optimizer: sgd}}]
sampler: random
scheduler: {scheduler}
budget: {{max_trials: 8, epochs: 3}}
resources: {{threads_per_worker: 1}}
"""


def check_enqueue_and_retrain(args, path):
    """Trial 0 is the enqueued configuration (its momentum filled in); `rungs best --yaml`
    writes a study file that trains the best configuration again, and running it does."""
    with h5py.File(path, "r") as f:
        ids = list(f["trials/id"][:])
        row = ids.index(0)
        params = f["trials/params"]
        check(params["lr"][row] == 0.02, f"trial 0 has the enqueued lr: {params['lr'][row]}")
        check(strings(params["optimizer"])[row] == "sgd", "trial 0 has the enqueued optimizer")
        check(0.5 <= params["momentum"][row] <= 0.9, "the sampler filled trial 0's momentum")
    p = run([args.rungs, "best", path, "--format", "json"])
    best = json.loads(p.stdout)
    p = run([args.rungs, "best", path, "--yaml"])
    check(p.returncode == 0, f"best --yaml exit status {p.returncode}: {p.stderr}")
    retrain = os.path.join(args.workdir, "best.yaml")
    open(retrain, "w").write(p.stdout)
    p = run(shlex.split(args.mpiexec) + ["-n", "2", args.rungs, "run", retrain], timeout=240)
    check(p.returncode == 0, f"running the best --yaml study: exit status {p.returncode}")
    with h5py.File(os.path.join(args.workdir, "out-best", "study.h5"), "r") as f:
        check(len(f["trials/id"]) == 1, "the retrain study trains one trial")
        check(int(f["trials/epochs_run"][0]) == 3, "for the full epoch budget")
        stored = yaml.safe_load(f["study_yaml"][()].decode())["fixed"]
    for name in [k[len("params_"):] for k, v in best.items() if k.startswith("params_") and v is not None]:
        want = best[f"params_{name}"]
        check(stored[name] == want, f"retrain fixes {name} = {want}, got {stored[name]}")


def case_real_study(args):
    if not args.mpiexec:
        print("SKIPPED: no --mpiexec")
        sys.exit(SKIP)
    output = os.path.join(args.workdir, "out")
    study = os.path.join(args.workdir, "study.yaml")
    # An early-stopping scheduler when this rungs has one, else fifo.
    for scheduler in ("{name: asha, reduction_factor: 3}", "fifo"):
        open(study, "w").write(STUDY.format(output=output, scheduler=scheduler))
        if run([args.rungs, "validate", study]).returncode == 0:
            break
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study], timeout=240)
    check(p.returncode == 0, f"rungs run exit status {p.returncode}")
    path = os.path.join(output, "study.h5")
    attrs, trials, _, _ = read_study(path)
    p = run([args.rungs, "status", path])
    check(p.returncode == 0, "status of a real study")
    lines = check_status_output(p.stdout, path, attrs, trials, max_trials=8)
    check(lines[0].startswith(f"study report_demo ({path}): finished"), "a finished study")
    check_export(args, path, args.workdir)
    check_enqueue_and_retrain(args, path)
    if chromium() is None:
        print("browser part skipped: no chromium")
        return
    check_report_in_browser(args, path, args.workdir, os.path.join(args.workdir, "report.png"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--mpiexec", default="")
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    cases = {
        "status": case_status,
        "status_while_writing": case_status_while_writing,
        "formats": case_formats,
        "watch": case_watch,
        "export": case_export,
        "errors": case_errors,
        "browser": case_browser,
        "real_study": case_real_study,
    }
    cases[args.case](args)
    print("ok", args.case)


if __name__ == "__main__":
    main()

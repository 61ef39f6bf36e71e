#!/usr/bin/python3
"""The docs test: README.md and docs/*.md are checked as a reader would use them.

- Every relative Markdown link [text](path#anchor) names an existing file, and its anchor
  an existing heading of that file (GitHub's slugs).
- Every fenced block whose info string is `sh run` or `python run` runs and exits 0; a
  block `yaml file=NAME` is written to NAME first. The blocks of one page run in order in
  one temporary folder holding links to the checkout's examples/, scripts/, slurm/,
  singularity/ and bench/, with the build's rungs first on PATH.
- No page but CONTRIBUTING speaks about the project's own work instead of to users.

The convention is documented in docs/CONTRIBUTING.md ("Runnable blocks").

usage: test_docs.py --source DIR --bin DIR [--python PYTHON] [--page NAME]...
Stdlib only.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BLOCK_TIMEOUT_S = 120
LINKED_FOLDERS = ("examples", "scripts", "slurm", "singularity", "bench")
# Words of notes addressed to the project rather than to users (the same words as the
# project's before-stop hook checks).
VOICE = re.compile(r"\bbrief\b|\bthe team\b|\bour machine\b", re.IGNORECASE)

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

failures = []


def fail(page, line, message):
    failures.append(f"{page}:{line}: {message}")
    print(f"FAIL {page}:{line}: {message}", flush=True)


def parse(text):
    """Splits a Markdown text into prose lines (number, text) and fenced blocks
    (number of the opening line, info string, body)."""
    prose, blocks = [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            prose.append((i + 1, lines[i]))
            i += 1
            continue
        fence, info, start = m.group(2), m.group(3).strip(), i + 1
        body = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close.group(2)[0] == fence[0] and len(close.group(2)) >= len(fence) \
                    and not close.group(3).strip():
                break
            body.append(lines[i])
            i += 1
        blocks.append((start, info, "\n".join(body) + "\n"))
        i += 1
    return prose, blocks


def slug(heading):
    """GitHub's anchor for a heading: inline markup dropped, lowercase, every character
    that is not a letter, digit, '_', '-' or space removed, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)                        # HTML tags
    text = text.replace("`", "").replace("*", "")
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, result = {}, set()
        prose, _ = parse(open(path, encoding="utf-8").read())
        for _, line in prose:
            m = HEADING.match(line)
            if not m:
                continue
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            result.add(base if n == 0 else f"{base}-{n}")
        cache[path] = result
    return cache[path]


def check_links(source, page):
    path = os.path.join(source, page)
    prose, _ = parse(open(path, encoding="utf-8").read())
    checked = 0
    for number, line in prose:
        line = re.sub(r"`[^`]*`", "", line)  # code spans hold no links
        for m in LINK.finditer(line):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # http:, https:, mailto:
            checked += 1
            file_part, _, anchor = target.partition("#")
            linked = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) \
                if file_part else path
            if not os.path.exists(linked):
                fail(page, number, f"link to {target}: {os.path.relpath(linked, source)} does not exist")
                continue
            if anchor:
                if not linked.endswith(".md") or os.path.isdir(linked):
                    fail(page, number, f"link to {target}: an anchor into a file that is not Markdown")
                elif anchor not in anchors(linked):
                    fail(page, number, f"link to {target}: {os.path.relpath(linked, source)} has "
                                       f"no heading with the anchor #{anchor}")
    return checked


def check_voice(page, text):
    if os.path.basename(page).startswith("CONTRIBUTING"):
        return
    for number, line in enumerate(text.split("\n"), 1):
        m = VOICE.search(line)
        if m:
            fail(page, number, f"'{m.group(0)}': a note about the project's own work, not for users")


def run_blocks(source, bindir, python, page):
    """Runs the page's runnable blocks in order in one temporary folder; returns how many."""
    _, blocks = parse(open(os.path.join(source, page), encoding="utf-8").read())
    runnable = [b for b in blocks if b[1].split()[1:2] in (["run"],)
                or re.search(r"\bfile=\S+", b[1])]
    if not runnable:
        return 0
    work = tempfile.mkdtemp(prefix="rungs-docs-")
    ran = 0
    try:
        for name in LINKED_FOLDERS:
            os.symlink(os.path.join(source, name), os.path.join(work, name))
        env = dict(os.environ)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        for number, info, body in runnable:
            words = info.split()
            lang = words[0] if words else ""
            target = re.search(r"\bfile=(\S+)", info)
            if target:
                with open(os.path.join(work, target.group(1)), "w", encoding="utf-8") as out:
                    out.write(body)
                continue
            if lang in ("sh", "bash", "console"):
                command = ["bash", "-e", "-o", "pipefail", "-c", body]
            elif lang == "python":
                command = [python, "-c", body]
            else:
                fail(page, number, f"'{info}': only sh and python blocks can run")
                continue
            started = time.monotonic()
            try:
                p = subprocess.run(command, cwd=work, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=BLOCK_TIMEOUT_S)
            except subprocess.TimeoutExpired as e:
                fail(page, number, f"'{info}' block ran past {BLOCK_TIMEOUT_S} s:\n{e.output or ''}")
                continue
            seconds = time.monotonic() - started
            ran += 1
            if p.returncode != 0:
                fail(page, number, f"'{info}' block exited with {p.returncode} "
                                   f"after {seconds:.1f} s:\n{body}--- output:\n{p.stdout}")
            else:
                print(f"ok   {page}:{number}: '{info}' block ({seconds:.1f} s)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ran


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", required=True, help="the rungs checkout")
    parser.add_argument("--bin", required=True, help="the folder of the built rungs")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python that runs python blocks (with h5py and pandas)")
    parser.add_argument("--page", action="append", help="check only this page (relative path)")
    args = parser.parse_args()
    source = os.path.abspath(args.source)
    bindir = os.path.abspath(args.bin)
    if not os.access(os.path.join(bindir, "rungs"), os.X_OK):
        print(f"test_docs: {bindir}/rungs is not built", file=sys.stderr)
        return 1
    pages = args.page or ["README.md"] + sorted(
        os.path.relpath(p, source) for p in glob.glob(os.path.join(source, "docs", "*.md")))
    links = ran = 0
    for page in pages:
        text = open(os.path.join(source, page), encoding="utf-8").read()
        check_voice(page, text)
        links += check_links(source, page)
        ran += run_blocks(source, bindir, args.python, page)
    print(f"test_docs: {len(pages)} pages, {links} relative links, {ran} runnable blocks run, "
          f"{len(failures)} failures")
    if not args.page and ran < 5:
        print("test_docs: fewer than 5 runnable blocks: the marker convention may have changed",
              file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

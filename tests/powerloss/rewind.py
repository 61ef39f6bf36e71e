"""Rewinds a folder to a state a power cut could leave, from the logs of powerloss_shim.c.

The model is POSIX's promise and nothing more; a change is durable only when a sync that
*started after it* covers it (the shim stamps every entry with CLOCK_MONOTONIC, which all
processes share, so the logs of every rank merge into one order):

- File contents. A write, or a truncate (ftruncate, or open with O_TRUNC of a file with
  bytes), is durable once an fsync or fdatasync of the same file (the same inode, through
  any descriptor, from any process) or a syncfs follows it. Any other change is lost, except
  that writeback may already have stored some of it: per file, a seeded random prefix (in
  time order) of its unsynced changes is kept, the rest undone newest first: an overwrite
  gets its old bytes back, an extension is cut back to the old size, a truncate gets its cut
  bytes back. Half the time nothing is kept, the harshest case.
- Names. Creating a file (open with O_CREAT of a missing name), rename, unlink, link and
  mkdir change a folder; such a change is durable once an fsync of that folder (or a syncfs)
  follows it. Others are undone newest first, again with a random prefix per folder kept: a
  created name goes, a rename is reversed and the file it replaced comes back (the shim kept a
  hard link to it), an unlinked file comes back, a made folder goes with all it holds.
- The two are independent: fsyncing a new file does not make its name durable, and a durable
  name may lead to a file whose contents are lost. sync_file_range is not a sync.

Not modelled: torn sectors and arbitrary subsets of a file's unsynced writes (writeback is
taken to go in order), metadata other than size, and writes through mmap, stdio or dup'ed
descriptors (rungs uses none for its study files; the shim's docstring says why).
"""
import glob
import os
import random
import shutil
from dataclasses import dataclass, field

O_CREAT = os.O_CREAT


@dataclass
class Entry:
    t: int
    pid: int
    seq: int
    op: str
    f: list  # the fields after OP

    @property
    def key(self):
        return (self.t, self.pid, self.seq)


def read_logs(log_dir):
    """Every entry of every pl.PID.log, failed mutations dropped, in time order; and each
    pid's MPI rank (None for a process that is not a rank)."""
    entries, failed, ranks = [], set(), {}
    for path in glob.glob(os.path.join(log_dir, "pl.*.log")):
        with open(path, "rb") as fh:
            data = fh.read().decode("utf-8", "replace")
        for line in data.split("\n")[:-1]:  # a line without its newline was never written
            parts = line.split("\t")
            e = Entry(int(parts[0]), int(parts[1]), int(parts[2]), parts[3], parts[4:])
            if e.op == "fail":
                failed.add((e.pid, int(e.f[0])))
            elif e.op == "hello":
                ranks[e.pid] = None if e.f[0] == "-" else int(e.f[0])
            else:
                entries.append(e)
    entries = [e for e in entries if (e.pid, e.seq) not in failed]
    entries.sort(key=lambda e: e.key)
    return entries, ranks


def _unhex(text):
    return b"" if text == "-" else bytes.fromhex(text)


@dataclass
class Plan:
    """What the model says about each logged change: durable or not."""
    data: dict = field(default_factory=dict)   # inode -> unsynced content changes, in order
    names: dict = field(default_factory=dict)  # folder inode -> unsynced name changes
    durable_data: int = 0
    durable_names: int = 0


def _folder(e):
    return {"open": lambda: e.f[1], "rename": lambda: e.f[2], "unlink": lambda: e.f[1],
            "link": lambda: e.f[2], "mkdir": lambda: e.f[1]}[e.op]()


def plan(entries):
    last_sync = {}   # inode -> time the last sync of it started
    last_syncfs = -1
    for e in entries:
        if e.op == "sync":
            if e.f[0] == "syncfs":
                last_syncfs = max(last_syncfs, e.t)
            last_sync[e.f[1]] = max(last_sync.get(e.f[1], -1), e.t)
    p = Plan()

    def durable(inode, t):
        return last_sync.get(inode, -1) > t or last_syncfs > t

    for e in entries:
        if e.op in ("write", "trunc"):
            if durable(e.f[0], e.t):
                p.durable_data += 1
            else:
                p.data.setdefault(e.f[0], []).append(e)
        elif e.op in ("rename", "unlink", "link", "mkdir") or (
                e.op == "open" and e.f[2] == "0" and int(e.f[3]) & O_CREAT):
            if durable(_folder(e), e.t):
                p.durable_names += 1
            else:
                p.names.setdefault(_folder(e), []).append(e)
    return p


def _inodes(roots):
    """(dev:ino) -> a path naming it, over the files under `roots`."""
    found = {}
    for root in roots:
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                st = os.lstat(path)
                found.setdefault(f"{st.st_dev}:{st.st_ino}", path)
    return found


def _undo_content(path, e):
    with open(path, "r+b") as fh:
        if e.op == "write":
            offset, length, old_size = int(e.f[1]), int(e.f[2]), int(e.f[3])
            old = _unhex(e.f[4])
            fh.seek(offset)
            fh.write(old)
            if offset + length > old_size:  # every later change is undone already
                fh.truncate(old_size)
        else:  # trunc
            new_size, old_size = int(e.f[1]), int(e.f[2])
            if new_size < old_size:
                fh.truncate(new_size)
                fh.seek(new_size)
                fh.write(_unhex(e.f[3]))
            fh.truncate(old_size)


def _undo_name(e, notes):
    if e.op == "open":  # a created file
        path = e.f[0]
        if os.path.isfile(path):
            os.unlink(path)
    elif e.op == "rename":
        src, dst, saved = e.f[0], e.f[1], e.f[3]
        if not os.path.lexists(dst):
            notes.append(f"rename {src} -> {dst}: {dst} is gone, not undone")
            return
        os.rename(dst, src)
        if saved != "-":
            os.link(saved, dst)
    elif e.op == "unlink":
        path, saved = e.f[0], e.f[2]
        if saved != "-" and not os.path.lexists(path):
            os.link(saved, path)
    elif e.op == "link":
        if os.path.lexists(e.f[1]):
            os.unlink(e.f[1])
    elif e.op == "mkdir":
        shutil.rmtree(e.f[0], ignore_errors=True)


def _kept(rng, changes):
    """How many of a file's (or folder's) unsynced changes writeback already stored."""
    return 0 if rng.random() < 0.5 else rng.randint(0, len(changes))


def rewind(folder, log_dir, rng):
    """Puts `folder` in a state a power cut could have left, given the shim's logs in
    `log_dir` (every process that wrote must be dead). Returns counts and notes to print."""
    entries, _ = read_logs(log_dir)
    p = plan(entries)
    inodes = _inodes([folder, log_dir])
    undo_data, undo_names, kept = [], [], 0
    for inode, changes in p.data.items():
        k = _kept(rng, changes)
        kept += k
        undo_data += [(inode, e) for e in changes[k:]]
    for changes in p.names.values():
        k = _kept(rng, changes)
        kept += k
        undo_names += changes[k:]
    notes = []
    # Contents first, newest first, while every inode still has the name it had at the kill.
    for inode, e in sorted(undo_data, key=lambda x: x[1].key, reverse=True):
        if inode in inodes:
            _undo_content(inodes[inode], e)
    for e in sorted(undo_names, key=lambda x: x.key, reverse=True):
        _undo_name(e, notes)
    return {"entries": len(entries), "durable": p.durable_data + p.durable_names,
            "kept": kept, "undone_content": len(undo_data), "undone_names": len(undo_names),
            "names": [f"{e.op} {' -> '.join(e.f[:2]) if e.op in ('rename', 'link') else e.f[0]}"
                      for e in sorted(undo_names, key=lambda x: x.key)],
            "notes": notes}

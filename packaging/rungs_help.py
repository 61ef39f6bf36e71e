#!/usr/bin/python3
"""The man page and the bash completion of rungs, generated from its own --help.

Runs `rungs --help` and `rungs SUBCOMMAND --help` (CLI11's layout: a description, "Usage:",
then "Positionals:", "Options:" and "Subcommands:" sections of two-column entries, then the
shared closing paragraphs "Exit status: ...", "Environment: ...") and writes
  --man FILE         a man page (section 1): every subcommand with its usage, positionals
                     and options, and each closing paragraph as a section of its own;
  --completion FILE  a bash completion script: subcommands, each one's options, the
                     choices of enumerated options (--format), file names elsewhere.
Nothing but the binary is read; the build runs this after linking rungs.
Usage: rungs_help.py --rungs BUILD/rungs [--man rungs.1] [--completion rungs.bash]
"""
import argparse
import re
import subprocess
import sys

SECTIONS = ("Positionals:", "Options:", "Subcommands:")


def run_help(binary, *args):
    # argv[0] "rungs": the usage lines name the installed command, not the build path.
    p = subprocess.run(["rungs", *args], executable=binary, capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        sys.exit(f"rungs_help.py: {binary} {' '.join(args)}: status {p.returncode}: {p.stderr}")
    return p.stdout


class Entry:
    """One line of a section: `-o,--output TEXT REQUIRED   The HTML file to write`."""

    def __init__(self, spec, text):
        self.spec = spec
        self.text = text
        words = spec.split()
        self.names = words[0].split(",") if words else []
        self.kind = " ".join(words[1:])  # TEXT, INT:POSITIVE=16, ENUM:value in {...}, ...

    def choices(self):
        m = re.search(r"value in \{([^}]*)\}", self.kind)
        if not m:
            return []
        return sorted(item.split("->")[0] for item in m.group(1).split(","))

    def takes_value(self):
        return bool(self.kind) and self.kind != "REQUIRED"


class Help:
    """A parsed --help: description, usage, sections of entries, closing paragraphs."""

    def __init__(self, text):
        lines = text.rstrip("\n").split("\n")
        usage = next(i for i, line in enumerate(lines) if line.startswith("Usage:"))
        self.description = [line for line in lines[:usage] if line.strip()]
        self.usage = lines[usage][len("Usage:"):].strip()
        self.sections = {}
        self.closing = []
        section = None
        for line in lines[usage + 1:]:
            if line in SECTIONS:
                section = self.sections.setdefault(line[:-1], [])
            elif not line.strip():
                section = None
            elif section is not None and line.startswith("  "):
                spec, _, text = line.strip().partition("  ")
                if line.startswith(" " * 20) and section:  # a wrapped description
                    section[-1].text = (section[-1].text + " " + line.strip()).strip()
                else:
                    section.append(Entry(spec.strip(), text.strip()))
            else:
                section = None
                if re.match(r"^[A-Z][A-Za-z ]*: ", line) or not self.closing:
                    self.closing.append(line)
                else:
                    self.closing[-1] += " " + line

    def entries(self, name):
        return self.sections.get(name, [])


def load(binary):
    top = Help(run_help(binary, "--help"))
    subs = {e.names[0]: Help(run_help(binary, e.names[0], "--help"))
            for e in top.entries("Subcommands")}
    version = run_help(binary, "--version").strip()
    return top, subs, version


# --- man page --------------------------------------------------------------------------

def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def man_entries(out, entries):
    for e in entries:
        names = ", ".join(f"\\fB{roff(n)}\\fR" for n in e.names)
        kind = "{" + "|".join(e.choices()) + "}" if e.choices() else e.kind
        kind = f" \\fI{roff(kind)}\\fR" if kind else ""
        out.append(".TP")
        out.append(names + kind)
        out.append(roff(e.text))


def man_page(top, subs, version):
    # .nh, .ad l: option names and paths read better unhyphenated and ragged-right.
    out = [f'.TH RUNGS 1 "" "{roff(version)}" "User Commands"', ".nh", ".ad l", ".SH NAME",
           "rungs \\- " + roff(re.sub(r"^rungs: ", "", top.description[0]).rstrip(".")),
           ".SH SYNOPSIS"]
    out.append(f"\\fBrungs\\fR \\fIsubcommand\\fR [\\fIoptions\\fR]")
    out += [".SH DESCRIPTION"] + [roff(line) for line in top.description]
    out.append(".SH OPTIONS")
    man_entries(out, top.entries("Options"))
    out.append(".SH SUBCOMMANDS")
    for e in top.entries("Subcommands"):
        name = e.names[0]
        sub = subs[name]
        out.append(f".SS {name}")
        out.append(".nf")
        out.append(roff(sub.usage))
        out.append(".fi")
        out.append(".PP")
        out += [roff(line) for line in sub.description]
        for section in ("Positionals", "Options"):
            if sub.entries(section):
                out.append(".PP")
                out.append(f"\\fI{section}:\\fR")
                man_entries(out, sub.entries(section))
    for paragraph in top.closing:
        title, _, body = paragraph.partition(": ")
        heading = {"Documentation": "SEE ALSO"}.get(title, title.upper())
        out += [f".SH {heading}", roff(body)]
    return "\n".join(out) + "\n"


# --- bash completion -------------------------------------------------------------------

def quote_words(words):
    return " ".join(words)


def completion(top, subs):
    commands = [e.names[0] for e in top.entries("Subcommands")]
    top_options = [n for e in top.entries("Options") for n in e.names]
    lines = [
        "# bash completion for rungs, generated from its --help by packaging/rungs_help.py.",
        "_rungs() {",
        "  local cur=${COMP_WORDS[COMP_CWORD]} prev='' command='' i",
        "  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}",
        "  for ((i = 1; i < COMP_CWORD; i++)); do",
        "    case ${COMP_WORDS[i]} in -*) ;; *) command=${COMP_WORDS[i]}; break ;; esac",
        "  done",
        "  COMPREPLY=()",
        "  case $command in",
        "    '')",
        "      if [[ $cur == -* ]]; then",
        f"        COMPREPLY=($(compgen -W '{quote_words(top_options)}' -- \"$cur\"))",
        "      else",
        f"        COMPREPLY=($(compgen -W '{quote_words(commands)}' -- \"$cur\"))",
        "      fi ;;",
    ]
    for name in commands:
        options = subs[name].entries("Options")
        lines.append(f"    {name})")
        # An option's value: its choices, or (a path, a number) the default file names.
        valued = [e for e in options if e.takes_value()]
        if valued:
            lines.append("      case $prev in")
            for e in valued:
                choices = e.choices()
                action = (f"COMPREPLY=($(compgen -W '{quote_words(choices)}' -- \"$cur\")); "
                          if choices else "")
                lines.append(f"        {'|'.join(e.names)}) {action}return ;;")
            lines.append("      esac")
        words = [n for e in options for n in e.names]
        lines.append(f"      [[ $cur == -* ]] && "
                     f"COMPREPLY=($(compgen -W '{quote_words(words)}' -- \"$cur\")) ;;")
    lines += ["  esac", "}", "complete -o default -F _rungs rungs", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--man")
    ap.add_argument("--completion")
    args = ap.parse_args()
    top, subs, version = load(args.rungs)
    if not subs:
        sys.exit(f"rungs_help.py: {args.rungs} --help lists no subcommands")
    if args.man:
        with open(args.man, "w") as f:
            f.write(man_page(top, subs, version))
    if args.completion:
        with open(args.completion, "w") as f:
            f.write(completion(top, subs))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The search space read from a study file's text as rungs types its scalars
(study/yaml_fields.cpp), where PyYAML's own resolver would differ, and parameter values
printed as rungs prints them (study/param.cpp).

Usage: test_space.py space --workdir DIR
"""
from readerlib import check, check_installed, parse_args

from rungs.space import SpaceUnavailable, parse_space, to_text

TEXT = """\
name: s
search_space:
  lr:    {type: float, low: 1e-4, high: 0.1, log: yes}   # 1e-4 is a string to PyYAML
  drop:  {type: float, low: 0, high: 0.5, step: 0.1, grid: [0, 0.25]}
  n:     {type: int, low: 1, high: 9, step: 2}
  depth: {type: int, low: 2, high: 64, log: true}
  width: {type: categorical, choices: [64, "128", auto, 1.5, true, False, 'yes', 0x10, 1e3]}
  mom:
    type: float
    low: 0.5
    high: 0.99
    when: {drop: [0, 0.25]}
  wd:    {type: float, low: 1.0e-6, high: 1.0e-3, when: {width: auto}}
budget: {max_trials: 2, epochs: 1}
"""


def case_space(args):
    space = parse_space(TEXT)
    check(list(space) == ["lr", "drop", "n", "depth", "width", "mom", "wd"], f"order {list(space)}")
    lr = space["lr"]
    check((lr.type, lr.low, lr.high, lr.log, lr.step) == ("float", 1e-4, 0.1, True, None), f"{lr}")
    drop = space["drop"]
    check(drop.step == 0.1 and drop.low == 0.0 and type(drop.low) is float, f"{drop}")
    check(drop.grid == (0.0, 0.25) and type(drop.grid[0]) is float, "an int in a float's grid is a float")
    check((space["n"].low, space["n"].high, space["n"].step) == (1, 9, 2), f"{space['n']}")
    check(space["depth"].log and space["depth"].step == 1, "int step defaults to 1")
    choices = space["width"].choices
    want = (64, "128", "auto", 1.5, True, False, "yes", 16.0, 1000.0)  # strtod reads hex
    check(choices == want and [type(c) for c in choices] == [type(c) for c in want],
          f"choices typed as rungs types them: {choices!r}")
    check(space["mom"].when == ("drop", (0.0, 0.25)), f"block style and when: {space['mom']}")
    check(space["wd"].when == ("width", ("auto",)), "a single when value")

    for text, want in [("name: x\n", "KeyError"), ("search_space: [1, 2]\n", "expected a map"),
                       ("search_space:\n  a: {type: uniform}\n", "unknown parameter type"),
                       ("search_space:\n  a: {type: float, low: 1, high: 2, when: {b: [1]}}\n",
                        "no parameter defined above"),
                       ("search_space: {a: [\n", "ParserError")]:
        try:
            parse_space(text)
            check(False, f"{text!r} is refused")
        except SpaceUnavailable as e:
            check(want in str(e), f"{text!r}: {e}")

    for value, text in [(0.001, "0.001"), (1e-5, "1e-05"), (100000.0, "100000"), (1e6, "1e+06"),
                        (0.1 + 0.2, "0.30000000000000004"), (1.0, "1"), (64, "64"), (True, "true"),
                        (False, "false"), ("adam", "adam"), (float("inf"), "inf"), (-2.5, "-2.5")]:
        check(to_text(value) == text, f"to_text({value!r}) = {to_text(value)!r}, not {text!r}")
    print("ok: search space and value text", flush=True)


CASES = {"space": case_space}

if __name__ == "__main__":
    args = parse_args(CASES)
    check_installed()
    CASES[args.case](args)

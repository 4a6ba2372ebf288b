"""The floor under a replay's start-up (issue 18 item 1, session 24): processes that import
exactly the modules of other packages (Python's own and msgspec's) that ``msgscan scan
--replay`` has loaded when it exits, and none of msgscan's own.

``bench/startup.py`` times them (and counts their instructions with ``--callgrind``) beside
``python -c pass`` of the same interpreter. If the floor alone is above the bound (3 x pass +
the replay's own work), no change inside msgscan's modules can meet the bound while the
replay imports those modules.

- ``floor``: every module of another package a replay has in ``sys.modules`` at its exit,
  less those of ``python -c pass``, imported in the replay's order;
- ``floor without msgspec's chain``: the same less every module ``import msgspec`` loads in a
  fresh interpreter (``typing``, ``re``, ``enum``, ``typing_extensions``, ``inspect``,
  ``uuid``, ``decimal``, ...), imported in the same order: what a replay would still import if
  msgspec were not on its path (with what those modules import themselves: ``argparse`` imports
  ``re`` and ``enum``, which are in msgspec's chain too, but not ``typing``);
- ``import msgspec``: msgspec's chain alone.

The goal msgscan controls (session 25, the lead's decision on issue 18 item 1): msgscan's own
share of a command's start-up, ``own share = command - floor - own work`` (the floor here the
command's own: Python's start and the other packages' modules that command imports), at most
``2 x python -c pass``, the allowance the issue gives start-up beyond the interpreter
(``SHARE_GOAL``; ``share_cell`` prints it beside the old bound in both of ``bench/startup.py``'s
tables: instructions, and medians of paired timed runs).
"""

from __future__ import annotations

import json
import statistics
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

OURS = ("scanner", "checks", "reports")
SHARE_RATIO = 2.0
SHARE_GOAL = "own share = command - floor - own work <= 2 x pass"
SHARE_COLUMN = "own share <= 2 x pass?"
"""The goal msgscan controls (module docstring), and the header of its column in the tables."""

DUMP = """\
import sys
sys.argv = ARGV
try:
    exec(compile(open(sys.argv[0], encoding="utf-8").read(), sys.argv[0], "exec"))
except SystemExit:
    pass
finally:
    sys.__stdout__.flush()
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(chr(10).join(sys.modules))
"""
"""Runs a console script (``ARGV[0]``) as its interpreter would and writes the names of
``sys.modules`` at its end, in their order, to ``OUT``."""


def modules_of(python: str, code: str, env: dict[str, str], cwd: Path) -> list[str]:
    """``sys.modules`` of ``python -c CODE`` after it ran, in their order."""
    probe = f"{code}\nimport sys\nprint(chr(10).join(sys.modules))"
    out = subprocess.run(
        [python, "-c", probe], env=env, cwd=cwd, check=True, capture_output=True, text=True
    )
    return out.stdout.split()


def replay_modules(argv: Sequence[str], python: str, env: dict[str, str], cwd: Path) -> list[str]:
    """The modules of other packages than msgscan's that the console script run as ``argv``
    (``argv[0]`` the script) has loaded at its exit, in their order, less ``python -c pass``'s."""
    out = Path(cwd if cwd.is_dir() else "/tmp", ".msgscan-floor-modules")
    code = DUMP.replace("ARGV", repr(list(argv))).replace("OUT", repr(str(out)))
    try:
        subprocess.run(
            [python, "-c", code], env=env, cwd=cwd, stdout=subprocess.DEVNULL, timeout=120
        )
        names = out.read_text(encoding="utf-8").split()
    finally:
        out.unlink(missing_ok=True)
    start = set(modules_of(python, "pass", env, cwd))
    return [n for n in names if n not in start and n.split(".")[0] not in OURS]


def importer(names: Sequence[str]) -> str:
    """A ``-c`` program that imports ``names`` in their order (each one not yet loaded)."""
    loop = "\n    if m not in sys.modules:\n        __import__(m)\n"
    return f"import sys\nfor m in {list(names)!r}:{loop}"


def floors(
    argv: Sequence[str], python: str, env: dict[str, str], cwd: Path
) -> dict[str, list[str]]:
    """The floor's processes (module docstring) by name, each as the argv that runs it."""
    replay = replay_modules(argv, python, env, cwd)
    chain = set(modules_of(python, "import msgspec", env, cwd)) - set(
        modules_of(python, "pass", env, cwd)
    )
    rest = [n for n in replay if n not in chain]
    return {
        f"floor: the replay's {len(replay)} modules of other packages": [
            python,
            "-c",
            importer(replay),
        ],
        f"floor without msgspec's chain ({len(rest)} modules)": [python, "-c", importer(rest)],
        f"`import msgspec` ({len(chain)} modules)": [python, "-c", "import msgspec"],
    }


def describe(argv: Sequence[str], python: str, env: dict[str, str], cwd: Path) -> str:
    """The floor's module lists, as JSON (``python bench/startup_floor.py`` prints them)."""
    replay = replay_modules(argv, python, env, cwd)
    chain = set(modules_of(python, "import msgspec", env, cwd))
    return json.dumps(
        {
            "replay": replay,
            "msgspec_chain": [n for n in replay if n in chain],
            "without_msgspec_chain": [n for n in replay if n not in chain],
        },
        indent=1,
    )


STDLIB_USED = "import re, enum, typing, datetime, collections, contextlib, argparse, json, math"
"""What msgscan imports from Python's library whether or not msgspec does (``MARGINALS``)."""
MARGINALS = {
    "msgspec": STDLIB_USED,
    "typing_extensions": STDLIB_USED,
    "uuid": STDLIB_USED,
    "decimal": STDLIB_USED,
    "typing": "import re, enum, collections, functools, contextlib, argparse",
    "pathlib": f"{STDLIB_USED}, msgspec",
    "argparse": "pass",
}
"""Each module's own cost, ``--callgrind --marginal``: instructions of ``python -c "BASE;
import MODULE"`` less those of ``python -c "BASE"``, BASE what is loaded before it anyway."""


def floor_table(
    programs: dict[str, list[str]],
    own: float,
    ratio: float,
    runs: int,
    run: Callable[[list[str]], tuple[float, float]],
) -> None:
    """The floor's processes, each in paired runs with ``python -c pass`` (``run``: wall and CPU
    seconds of one run). A replay is its start-up and its own work (``own``), so its bound,
    ``ratio`` x pass + own work, leaves ``ratio`` x pass to its start-up: a floor above that
    (floor + own work above the bound) cannot be met by a replay that imports those modules."""
    base = [programs[next(iter(programs))][0], "-c", "pass"]
    print(
        f"\nThe floor (bench/startup_floor.py): its wall + the replay's own work ({own:.3f} s) "
        f"against the replay's bound, {ratio:g} x pass + own work:\n\n"
        "| process | wall s | CPU s | `python -c pass` wall s | wall ratio "
        "| floor + own work <= bound? |\n|---|---|---|---|---|---|"
    )
    for name, argv in programs.items():
        run(argv)  # its byte code
        walls, cpus, passes = [], [], []
        for _ in range(runs):
            passes.append(run(base)[0])
            wall, cpu = run(argv)
            walls.append(wall)
            cpus.append(cpu)
        bound = ratio * statistics.median(passes) + own
        mine = statistics.median(walls) + own
        verdict = f"{'yes' if mine <= bound else 'NO'} ({mine:.3f} vs {bound:.3f})"
        ratios = [w / p for w, p in zip(walls, passes, strict=True)]
        print(
            f"| {name} | {_row(walls)} | {_row(cpus)} | {_row(passes)} | {_row(ratios, 2)} "
            f"| {verdict} |"
        )


def floor_counts(
    programs: dict[str, list[str]], own: float, passes: float, count: Callable[[list[str]], int]
) -> None:
    """The floor's processes in instructions (``count``), + the replay's own work ``own``,
    against its bound: ``passes`` (the ratio times ``python -c pass``) + ``own``, in millions
    (``floor_table``: the floor is over the bound when it is over ``passes``)."""
    print(
        f"\nThe floor (bench/startup_floor.py) + the replay's own work ({own:.1f} M) against its "
        f"bound, 3 x pass + own work = {passes + own:.1f} M:\n\n"
        "| process | floor M | floor + own work M | over the bound M |\n|---|---|---|---|"
    )
    for name, argv in programs.items():
        floor = count(argv) / 1e6
        print(f"| {name} | {floor:.1f} | {floor + own:.1f} | {floor - passes:+.1f} |")


def marginal_counts(python: str, count: Callable[[list[str]], int]) -> None:
    """``MARGINALS`` in instructions (``count``; each counted once before: its byte code)."""
    print("| module | base | M instructions of its own |\n|---|---|---|")
    for name, (base_argv, with_argv) in marginal_programs(python).items():
        for argv in (base_argv, with_argv):
            count(argv)
        own = count(with_argv) - count(base_argv)
        print(f"| `{name}` | `{MARGINALS[name]}` | {own / 1e6:.1f} |")


def _row(values: Sequence[float], digits: int = 3) -> str:
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f}"


def marginal_programs(python: str) -> dict[str, tuple[list[str], list[str]]]:
    """For each of ``MARGINALS``: the argv of its base and of its base with the module."""
    return {
        name: ([python, "-c", base], [python, "-c", f"{base}\nimport {name}"])
        for name, base in MARGINALS.items()
    }


def own_share(command: float, floor: float, own: float) -> float:
    """msgscan's own share of a command's start-up (``SHARE_GOAL``): the command less its floor
    (Python's start and the other packages' modules it imports) less its own work."""
    return command - floor - own


def share_cell(command: float, floor: float, own: float, passed: float, digits: int) -> str:
    """The ``SHARE_COLUMN`` cell: ``yes`` when the own share is at most ``SHARE_RATIO`` x
    ``passed`` (``python -c pass``), else ``NO``, with both figures (``digits`` decimals)."""
    share, allowance = own_share(command, floor, own), SHARE_RATIO * passed
    verdict = "yes" if share <= allowance else "NO"
    return f"{verdict} ({share:.{digits}f} vs {allowance:.{digits}f})"


def floor_of(argv: Sequence[str], python: str, env: dict[str, str], cwd: Path) -> list[str]:
    """The argv of the command's floor: a process importing the modules of other packages the
    command run as ``argv`` has loaded at its exit (``replay_modules``), in its order."""
    return [python, "-c", importer(replay_modules(argv, python, env, cwd))]

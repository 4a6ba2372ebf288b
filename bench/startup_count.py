"""``bench/startup.py --callgrind``: the instruction counts of msgscan's commands (one run of
each under ``valgrind --tool=callgrind``, after and before), of ``python -c pass`` and of the
floors (``bench/startup_floor.py``), with both goals: the old bound (3 x pass + own work) and
the one msgscan controls (``startup_floor.SHARE_GOAL``: the command less its floor less its own
work at most 2 x pass). Counts are a figure the load does not move."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench import startup_floor as floor
from bench.startup import COMMANDS, GOAL_RATIO, REPLAY, ROOT, WARM, Launch, baseline, in_tree

HEADER = (
    "| command | before M | after M | after / before | own work M "
    f"| goal: after <= 3 x pass + own work M | floor M | {floor.SHARE_COLUMN} |"
)


def instructions(argv: Sequence[str], env: dict[str, str], cwd: Path) -> int:
    """Instructions one run of ``argv`` executes (``valgrind --tool=callgrind``, all threads)."""
    with tempfile.TemporaryDirectory(prefix="msgscan-callgrind-") as tmp:
        out = Path(tmp, "callgrind.out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
            env=env,
            cwd=cwd,
            check=False,  # a scan's exit code says what it found
            capture_output=True,
            timeout=1200,
        )
        line = next(x for x in out.read_text().splitlines() if x.startswith("summary:"))
        return int(line.split()[1])


def count_row(
    name: str, theirs: float | None, mine: float, own: float, passed: float, floor_m: float
) -> str:
    """One row of the table, in millions: the old goal (``mine`` <= ``GOAL_RATIO`` x ``passed``
    + ``own``) and the own share's (``floor.share_cell``) side by side."""
    bound = GOAL_RATIO * passed + own
    met = mine <= bound
    old = f"{'met' if met else 'NOT met'} ({mine:.1f} {'<=' if met else '>'} {bound:.1f})"
    share = floor.share_cell(mine, floor_m, own, passed, 1)
    ratio = "" if theirs is None else f"{mine / theirs:.3f}"
    before = "" if theirs is None else f"{theirs:.1f}"
    cells = (f"`{name}`", before, f"{mine:.1f}", ratio, f"{own:.1f}", old, f"{floor_m:.1f}", share)
    return f"| {' | '.join(cells)} |"


def count(
    after: Launch,
    before: Launch | None,
    env: dict[str, str],
    cwd: Path,
    before_cwd: Path,
    installed_python: str,
) -> None:
    """The ``--callgrind`` table: instructions of each command after (and before), in millions;
    first those of ``python -c pass`` of this venv (with its editable-install finder: sessions
    19-22's baseline) and of the venv msgscan runs in (the baseline now: Python's own start).
    Own work is the same command in a warm process; each command's floor is its own
    (``floor.floor_of``). It ignores what the kernel spends (exec, mapping the libraries), which
    the timed runs include."""
    passes = []
    for python in (sys.executable, installed_python):
        subprocess.run(baseline(python), env=env, cwd=cwd, check=True)  # its byte code
        passes.append(instructions(baseline(python), env, cwd) / 1e6)
        print(f"`{python} -c pass`: {passes[-1]:.1f} M instructions")
    base = passes[-1]  # the interpreter msgscan runs in
    owns: dict[str, float] = {}
    print(f"\nGoals: the old bound, and {floor.SHARE_GOAL}\n\n{HEADER}\n{'|---' * 8}|")
    for name, args in COMMANDS.items():
        mine = instructions(after(args), env, cwd) / 1e6
        own = owns[name] = own_instructions(args, env) / 1e6
        program = floor.floor_of(after(args), installed_python, env, cwd)
        subprocess.run(program, env=env, cwd=cwd, check=True)  # its byte code
        floor_m = instructions(program, env, cwd) / 1e6
        theirs = None if before is None else instructions(before(args), env, before_cwd) / 1e6
        print(count_row(name, theirs, mine, own, base, floor_m))
    ps = floor.floors(after(COMMANDS[REPLAY]), installed_python, env, cwd)
    floor.floor_counts(ps, owns[REPLAY], GOAL_RATIO * base, lambda a: instructions(a, env, cwd))


def own_instructions(args: Sequence[str], env: dict[str, str], runs: int = 3) -> float:
    """Instructions of the command's own work: a warm process running it ``runs`` more times,
    less the same process running it not again, per run (``valgrind --tool=callgrind``)."""
    counts = []
    for n in (0, runs):
        code = WARM.split("times = []")[0] + f"for _ in range({n}):\n    once()\n"
        if n == 0:  # its byte code first: the first command's count would include compiling
            subprocess.run([sys.executable, "-c", code, *in_tree(args)], env=env, cwd=ROOT)
        counts.append(instructions([sys.executable, "-c", code, *in_tree(args)], env, ROOT))
    return (counts[1] - counts[0]) / runs

"""Start-up of msgscan's commands against Python's own (issue 18 item 1), in paired runs.

    python bench/startup.py [--runs 15] [--against DIR] [--editable] [--callgrind [--marginal]]
    python bench/startup.py --modules

For each command (``msgscan --help``, ``msgscan checks``, ``msgscan scan --replay`` of the
shipped Android 16 recording, as text and as the JSON report) the script starts it and
``python -c pass`` in turn, A B A B ..., and reports wall and CPU time (min, median) and the
ratio A/B pair by pair. The goal is that a command takes at most 3x the wall time of
``python -c pass`` plus its own work; "own work" is the median time of the same command run
again inside a warm process (every module already imported), measured here too. It also reads
``python -X importtime -c "import scanner.app.cli"`` (goal: at most 100 ms).

msgscan runs as a user installs it (README: ``pip install .``, not editable): the tree is
installed into a throwaway venv in a temporary folder (``pip install --no-deps`` of a copy of
its packages), whose ``msgscan`` console script is measured; the libraries come from this venv
(a ``.pth`` line; this venv's editable-install finder is not loaded). ``--editable`` measures
this venv's own ``msgscan`` script instead (the editable install: its import finder costs every
command ~10-25 ms that an installed copy does not pay).

``--against DIR`` (another tree of msgscan, e.g. ``git archive main | tar -x -C DIR``) installs
that tree the same way and runs its ``msgscan`` in the same rounds, for the before/after table
(wall and CPU of both, and their ratio). With ``--editable`` the tree before runs as ``python -m
scanner.app.cli`` from its folder instead.

``--callgrind`` counts instead the instructions of one run of each command (and of ``python -c
pass``) under ``valgrind --tool=callgrind``, after and before: a figure the load does not move
(``bench/startup_count.py``).

Both tables print beside the old goal the one msgscan controls (``startup_floor.SHARE_GOAL``):
each command's own share (the command less its floor, the process importing the other packages'
modules it loads, less its own work) at most 2 x pass; timed, on medians of the paired runs (the
floor runs in each round too).

Both also measure the floor under a replay (``bench/startup_floor.py``, its lists printed by
``--modules``) against the replay's bound; ``--callgrind --marginal`` counts what a few modules
cost on top of what is loaded before them anyway (``startup_floor.MARGINALS``).

The baseline ``python -c pass`` is the interpreter msgscan runs in: the installed copy's venv
(whose only ``.pth`` file is the libraries' path line), or with ``--editable`` this venv. Until
session 22 it was always this venv's interpreter, whose editable-install finder (a ``.pth`` hook
that imports ``pathlib``, ``re``, ``importlib.util``: 88 M instructions against 36 M) ran in the
baseline but not in the installed msgscan it was compared with; its figures and bound are still
printed beside, as "this venv's pass". A fresh ``python3.11 -m venv`` (pip and setuptools,
``distutils-precedence.pth``) starts in 38 M.

Byte code is cached as in an installed copy (``PYTHONDONTWRITEBYTECODE`` is dropped and
``PYTHONPYCACHEPREFIX`` points at a temporary folder, warmed by one run of each command first).
The machine is shared: read medians and pair ratios, not single runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as python bench/startup.py

from bench import startup_floor as floor  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
A16 = "{root}/scanner/recordings/android16-personal-whatsapp-telegram.json"
COMMANDS = {
    "msgscan --help": ["--help"],
    "msgscan checks": ["checks"],
    "msgscan scan --replay android16": ["scan", "--replay", A16],
    "msgscan scan --replay android16 --format json": ["scan", "--replay", A16, "--format", "json"],
}
"""Each command's arguments; ``{root}`` is the tree it runs from."""
REPLAY = "msgscan scan --replay android16"
"""The command whose floor is measured (``startup_floor``)."""
GOAL_RATIO = 3.0
GOAL_IMPORT_MS = 100.0

WARM = """\
import contextlib, io, statistics, sys, time
from scanner.app.cli import main
argv = sys.argv[1:]
def once():
    out = io.TextIOWrapper(io.BytesIO())
    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(out):
        main(argv)
once()
times = []
for _ in range(RUNS):
    t = time.perf_counter(); once(); times.append(time.perf_counter() - t)
print(statistics.median(times))
"""


def msgscan() -> list[str]:
    """The console script beside this interpreter, as a user runs it; else ``-m``."""
    script = Path(sys.executable).with_name("msgscan")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scanner.app.cli"]


def install(tree: Path, into: Path) -> Path:
    """``tree`` installed into a new venv at ``into`` as a user installs it (not editable), with
    this venv's libraries on its path; returns the venv's ``msgscan`` console script."""
    src = into / "src"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(tree / name, src / name)
    for package in ("checks", "scanner", "reports"):  # a copy: no stale build/ of the tree
        shutil.copytree(tree / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    venv = into / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    libraries = sysconfig.get_paths()["purelib"]  # this venv's: adb-shell, cryptography, ...
    Path(site, "_msgscan_bench_libraries.pth").write_text(libraries + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    subprocess.run([*pip, str(src)], check=True, timeout=600)
    return venv / "bin" / "msgscan"


Launch = Callable[[Sequence[str]], list[str]]
"""A command's arguments -> the argv that runs it."""


def script(msgscan_script: Path, root: Path) -> Launch:
    """An installed ``msgscan`` console script, with ``{root}`` in the arguments set to ``root``."""

    def launch(args: Sequence[str]) -> list[str]:
        return [str(msgscan_script), *in_tree(args, root)]

    return launch


def editable(against: Path | None) -> tuple[Launch, Launch]:
    """This venv's ``msgscan`` script (after), and ``python -m scanner.app.cli`` of ``against``
    (before; run with that tree as the working directory)."""

    def after(args: Sequence[str]) -> list[str]:
        return [*msgscan(), *in_tree(args)]

    def before(args: Sequence[str]) -> list[str]:
        return as_module(against or ROOT, args)

    return after, before


def in_tree(args: Sequence[str], root: Path = ROOT) -> list[str]:
    return [a.replace("{root}", str(root)) for a in args]


def as_module(root: Path, args: Sequence[str]) -> list[str]:
    """``python -m scanner.app.cli ARGS`` of the tree ``root`` (run with ``root`` as the working
    directory, so its modules come first)."""
    return [sys.executable, "-m", "scanner.app.cli", *in_tree(args, root)]


def timed(argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds (user + sys of the child, from wait4) of one run of ``argv``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4
    return wall, usage.ru_utime + usage.ru_stime


def own_work(args: Sequence[str], env: dict[str, str], runs: int) -> float:
    """Median seconds of the command run inside a warm process (its work without start-up)."""
    out = subprocess.run(
        [sys.executable, "-c", WARM.replace("RUNS", str(runs)), *in_tree(args)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return float(out.stdout.strip().splitlines()[-1])


def import_ms(python: str, env: dict[str, str]) -> float:
    """Cumulative microseconds of ``import scanner.app.cli`` under ``-X importtime``, in ms."""
    out = subprocess.run(
        [python, "-X", "importtime", "-c", "import scanner.app.cli"],
        env=env,
        cwd=ROOT.parent,  # not the tree: its modules would come first
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(x for x in out.stderr.splitlines() if x.rstrip().endswith("| scanner.app.cli"))
    return int(line.split("|")[1]) / 1000


def baseline(python: str) -> list[str]:
    """``python -c pass`` of the interpreter msgscan runs in: the bound's baseline."""
    return [python, "-c", "pass"]


def row(values: Sequence[float], scale: float = 1.0, digits: int = 3) -> str:
    return f"{min(values) * scale:.{digits}f} / {statistics.median(values) * scale:.{digits}f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="paired runs per command (default 15)")
    ap.add_argument("--against", type=Path, metavar="DIR", help="another tree to compare with")
    ap.add_argument(
        "--editable", action="store_true", help="this venv's (editable) msgscan, not an install"
    )
    ap.add_argument(
        "--callgrind", action="store_true", help="count instructions (valgrind), not time"
    )
    ap.add_argument(
        "--marginal", action="store_true", help="with --callgrind: only the modules' own costs"
    )
    ap.add_argument(
        "--modules", action="store_true", help="print the floor's module lists (JSON) and stop"
    )
    opts = ap.parse_args()
    against: Path | None = opts.against.resolve() if opts.against else None
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONDONTWRITEBYTECODE", "MSGSCAN_SIGNING_KEY")
    }
    with tempfile.TemporaryDirectory(prefix="msgscan-startup-") as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp, "pyc"))
        env["COLUMNS"] = "100"
        if opts.editable:
            after, before = editable(against)
            python, how = sys.executable, "this venv's editable install"
        else:
            mine = install(ROOT, Path(tmp, "after"))
            theirs = install(against, Path(tmp, "before")) if against is not None else mine
            after, before = script(mine, ROOT), script(theirs, against or ROOT)
            python, how = str(mine.with_name("python")), "installed (pip install --no-deps)"
        cwd = ROOT.parent  # neither tree: only the installed (or editable) modules are found
        base = baseline(python)  # the interpreter msgscan runs in
        dev = baseline(sys.executable) if python != sys.executable else None  # sessions 19-22
        for args in COMMANDS.values():  # warm-up: writes the byte code cache
            timed(after(args), env, cwd)
            if against is not None:
                timed(before(args), env, against if opts.editable else cwd)
        if opts.modules:
            print(floor.describe(after(COMMANDS[REPLAY]), python, env, cwd))
            return 0
        if opts.callgrind:
            from bench.startup_count import count, instructions

            if opts.marginal:
                floor.marginal_counts(python, lambda a: instructions(a, env, cwd))
                return 0
            theirs_cwd = against if opts.editable and against is not None else cwd
            count(after, before if against is not None else None, env, cwd, theirs_cwd, python)
            return 0
        imports = [import_ms(python, env) for _ in range(opts.runs)]
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {opts.runs} paired runs "
            f"each; msgscan {how}; figures are min / median"
        )
        met = "met" if statistics.median(imports) <= GOAL_IMPORT_MS else "NOT met"
        print(
            f"\n`import scanner.app.cli` (-X importtime, cumulative): {row(imports, 1, 1)} ms "
            f"(goal <= {GOAL_IMPORT_MS:.0f} ms: {met})\n"
        )
        floors = {n: floor.floor_of(after(a), python, env, cwd) for n, a in COMMANDS.items()}
        for program in floors.values():  # warm-up: its byte code
            timed(program, env, cwd)
        print(
            f"Goals: the old bound, and {floor.SHARE_GOAL} (medians of the paired runs)\n\n"
            "| command | wall s | CPU s | `python -c pass` wall s | wall ratio | own work s "
            f"| goal: wall <= 3 x pass + own work | floor wall s | {floor.SHARE_COLUMN} |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        pairs: dict[str, tuple[list[float], list[float], list[float], list[float]]] = {}
        earlier: list[str] = []
        owns: dict[str, float] = {}
        for name, args in COMMANDS.items():
            a_wall, a_cpu, b_wall, ratios = [], [], [], []
            o_wall, o_cpu, d_wall, f_wall = [], [], [], []
            for _ in range(opts.runs):
                if dev is not None:
                    d_wall.append(timed(dev, env, cwd)[0])
                bw, _ = timed(base, env, cwd)
                f_wall.append(timed(floors[name], env, cwd)[0])
                aw, ac = timed(after(args), env, cwd)
                a_wall.append(aw)
                a_cpu.append(ac)
                b_wall.append(bw)
                ratios.append(aw / bw)
                if against is not None:  # before, in the same round
                    ow, oc = timed(before(args), env, against if opts.editable else cwd)
                    o_wall.append(ow)
                    o_cpu.append(oc)
            pairs[name] = (o_wall, o_cpu, a_wall, a_cpu)
            own = owns[name] = own_work(args, env, max(5, opts.runs // 3))
            bound = GOAL_RATIO * statistics.median(b_wall) + own
            ok = statistics.median(a_wall) <= bound
            met, sign = ("met", "<=") if ok else ("NOT met", ">")
            medians = [statistics.median(x) for x in (a_wall, f_wall, b_wall)]
            share = floor.share_cell(medians[0], medians[1], own, medians[2], 3)
            print(
                f"| `{name}` | {row(a_wall)} | {row(a_cpu)} | {row(b_wall)} | {row(ratios, 1, 2)} "
                f"| {own:.3f} | {met} ({statistics.median(a_wall):.3f} {sign} {bound:.3f}) "
                f"| {row(f_wall)} | {share} |"
            )
            if d_wall:
                old_bound = GOAL_RATIO * statistics.median(d_wall) + own
                old_met = "met" if statistics.median(a_wall) <= old_bound else "NOT met"
                earlier.append(f"| `{name}` | {row(d_wall)} | {old_met} ({old_bound:.3f}) |")
        ps = floor.floors(after(COMMANDS[REPLAY]), python, env, cwd)
        floor.floor_table(ps, owns[REPLAY], GOAL_RATIO, opts.runs, lambda a: timed(a, env, cwd))
        if earlier:
            print(
                f"\nThis venv's `{sys.executable} -c pass` (with its editable-install finder), "
                "in the same rounds: sessions 19-22's baseline\n\n"
                "| command | this venv's pass wall s | goal against it (bound s) |\n|---|---|---|"
            )
            print("\n".join(earlier))
        if against is not None:
            print(
                f"\nBefore ({against}) and after (this tree), both {how}, in the same rounds:"
                "\n\n| command | before wall s | before CPU s | after wall s | after CPU s "
                "| after / before CPU (medians) |\n|---|---|---|---|---|---|"
            )
            for name, (o_wall, o_cpu, m_wall, m_cpu) in pairs.items():
                cpu = statistics.median(m_cpu) / statistics.median(o_cpu)
                print(
                    f"| `{name}` | {row(o_wall)} | {row(o_cpu)} | {row(m_wall)} | {row(m_cpu)} "
                    f"| {cpu:.2f} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

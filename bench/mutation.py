"""Mutation testing: would the tests notice if the code were subtly wrong?

    python -m bench.mutation checks/rules                    # every mutant, tests/checks
    python -m bench.mutation scanner/parse/dumpsys_package.py --sample 60 --seed 1
    python -m bench.mutation checks --list                   # the mutants, nothing run
    python -m bench.mutation checks --jobs 2 --json out.json

mutmut skips decorated functions, so every ``@check`` rule; this small AST mutator does not.
Each mutant is one change to one node of the original source:

- comparison flips (``==``/``!=``, ``<``/``>=``, ``<``/``<=``, ``in``/``not in``, ``is``/``is not``);
- ``and``/``or`` swapped; ``not x`` made ``x``; an ``if``/``while``/conditional test negated
  (tests that are comparisons get the flips instead);
- constants: ``True``/``False`` swapped, a number plus one, a string that the code compares,
  matches, looks up, splits or searches on changed (texts for people are left alone);
- ``return x`` made ``return None``; a statement (call, assignment, raise, break, continue)
  removed; an enum member (``Status.FAIL``) swapped for the next one of its enum.

Docstrings, annotations, decorators and log calls are not mutated. For each mutant the work tree
(without .git, .venv, caches) is copied to a temporary directory, the one file is replaced by the
mutant there (the work tree is never written), and the selected tests run in a fresh process
(``pytest -x -q -p no:cacheprovider``) with a time limit: a failing run kills the mutant, a run
past the limit is a timeout (counted as killed, reported apart), a passing run is a survivor,
reported with its location. Judged-equivalent mutants (``bench/mutation-equivalent.txt``: one id
per line, ``# why`` after it) are left out of the score. ``--sample N --seed S`` picks N mutants
uniformly at random (reproducibly) when a full run costs too much on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.mutants import ROOT, Mutant, enum_members, find_mutants, mutate

EQUIVALENT = Path(__file__).with_name("mutation-equivalent.txt")
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".pytest_cache", "*.egg-info", ".mypy_cache", ".ruff_cache"
)

# --- running the tests -------------------------------------------------------------------------


def default_tests(path: str) -> list[str]:
    """The test files that exercise a module: its own in tests/scanner/parse,
    all of tests/checks for
    checks/ (rules are tested through ``evaluate``), else its package's mirror in tests/."""
    p = Path(path)
    if str(p) in _TESTED_ELSEWHERE:
        return _TESTED_ELSEWHERE[str(p)]
    if p.parts[:2] == ("scanner", "parse"):
        # Its own tests only: tests/scanner/parse/test_hostile.py bounds time and memory, so on a busy
        # machine it can fail for no mutant (add it with --tests to count crash-finding too).
        own = [
            f"tests/scanner/parse/test_{p.stem}.py",
            f"tests/scanner/parse/test_pins_{p.stem}.py",
            "tests/scanner/parse/test_pinned_mutants.py",
            "tests/scanner/test_parse_pins.py",
            "tests/scanner/parse/test_block_reader.py",
            "tests/scanner/parse/test_whole_blocks.py",
        ]
        if (ROOT / own[0]).is_file():
            found = [t for t in own if (ROOT / t).is_file()]
            pins = _package_pins() if str(p) in _PACKAGE_MODULES else []
            later = sorted(  # the later pins: test_pins_<module>_s21.py and the like
                str(t.relative_to(ROOT))
                for t in (ROOT / "tests/scanner/parse").glob(f"test_pins_{p.stem}_s*.py")
            )
            return [*pins, *found, *later, *_HOSTILE.get(str(p), []), *_UNTIMED]
        mirror = ROOT / "tests/scanner/parse"
        return [
            *sorted(
                str(t.relative_to(ROOT))
                for t in mirror.glob("test_*.py")
                if t.name != "test_hostile.py"
            ),
            own[3],
            *_UNTIMED,
        ]
    if p.parts[0] == "checks":
        return checks_tests()
    mirror = Path("tests", *p.parts[1:-1])
    return [str(mirror)] if (ROOT / mirror).is_dir() else ["tests"]


_PACKAGE_MODULES = {
    "scanner/parse/dumpsys_package.py",
    "scanner/parse/package_facts.py",
    "scanner/parse/package_fields.py",
    "scanner/parse/package_sections.py",
}
"""The ``dumpsys package`` parser: its behaviour is pinned in ``test_pins_package_*.py`` too."""


def _package_pins() -> list[str]:
    return sorted(
        str(t.relative_to(ROOT))
        for t in (ROOT / "tests/scanner/parse").glob("test_pins_package_*.py")
    )


_UNTIMED = [
    "--deselect=tests/scanner/parse/test_dumpsys_package.py::TestHuaweiAndroid7::test_parse_time"
]
"""A time bound (0.5 s for the 3.8 MB dump) that a busy machine breaks for no mutant."""

_NOT_TEXT = "tests/scanner/parse/test_hostile.py::test_a_byte_that_is_not_text_is_always_noticed"
_HOSTILE = {
    "scanner/parse/text.py": [
        _NOT_TEXT,
        f"--deselect={_NOT_TEXT}[isdi-huawei-frd-android7/dumpsys-all.txt]",
    ],
}
"""The hostile-input tests a parser module's mutants run too: those that bound no time (a bad
byte in every real capture is noticed by ``text.implausible``), without the 3.8 MB Huawei dump
(27 s of the test's 33 s; the other six captures hold UTF-8 and UTF-16)."""

_SLOW_PRIVACY = (
    "tests/checks/test_recordings.py::TestShippedRecordings::test_no_file_names_in_evidence"
)
"""Builds every shipped recording's phone again (about 30 s each on a busy machine) to look
for file names in evidence: a privacy test of the recording builders, left out of mutant runs
(``--tests`` puts it back)."""


def checks_tests() -> list[str]:
    """Every test file of tests/checks, the pins first (they kill most mutants soonest under
    ``-x``), without the slow privacy test."""
    files = sorted(str(t.relative_to(ROOT)) for t in (ROOT / "tests/checks").glob("test_*.py"))
    files.sort(key=lambda f: not Path(f).name.startswith(("test_pinned", "test_pins_")))
    return [*files, f"--deselect={_SLOW_PRIVACY}"]


_TESTED_ELSEWHERE = {
    "checks/drift.py": [
        "tests/scanner/app/agent/test_drift.py",
        "tests/scanner/app/agent/test_pinned_drift.py",
        *sorted(  # test_pins_drift.py and the later test_pins_drift_*.py
            str(t.relative_to(ROOT)) for t in (ROOT / "tests/checks").glob("test_pins_drift*.py")
        ),
    ],  # the lifecycle is the agent's
    "scanner/parse/package_facts.py": [  # split out of dumpsys_package.py: tested through it
        *_package_pins(),
        "tests/scanner/parse/test_dumpsys_package.py",
        "tests/scanner/parse/test_pinned_mutants.py",
        "tests/scanner/parse/test_whole_blocks.py",
        *_UNTIMED,
    ],
    "checks/evaluate.py": [*checks_tests(), "tests/reports/test_report.py"],  # scores, verdicts
}


@dataclass(slots=True)
class Outcome:
    mutant: Mutant
    status: str
    """killed, survived, timeout, or error (the mutant did not even compile)."""
    seconds: float


def _environment(tree: Path) -> dict[str, str]:
    fixtures = os.environ.get("MSGSCAN_FIXTURES") or str(
        ROOT.parent / "shared" / "fixtures" / "android"
    )
    return {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MSGSCAN_FIXTURES": fixtures,
    }


def run_tests(tree: Path, tests: list[str], timeout_s: float) -> tuple[str, float]:
    """``passed``, ``failed`` or ``timeout`` for the tests run in ``tree``."""
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(
            command,
            cwd=tree,
            env=_environment(tree),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    return ("passed" if done.returncode == 0 else "failed"), time.monotonic() - started


def run_mutant(
    mutant: Mutant, tests: list[str], timeout_s: float, enums: dict[str, list[str]]
) -> Outcome:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="msgscan-mutant-") as tmp:
        tree = Path(tmp) / ROOT.name
        shutil.copytree(ROOT, tree, ignore=IGNORE, symlinks=True)
        target = tree / mutant.path
        try:
            target.write_text(mutate(target.read_text(encoding="utf-8"), mutant, enums))
        except (SyntaxError, ValueError, AssertionError):
            return Outcome(mutant, "error", time.monotonic() - started)
        result, _ = run_tests(tree, tests, timeout_s)
    status = {"passed": "survived", "failed": "killed"}.get(result, result)
    return Outcome(mutant, status, time.monotonic() - started)


def check_isolation() -> None:
    """The copy's code is what the tests import, not the work tree's (editable installs)."""
    with tempfile.TemporaryDirectory(prefix="msgscan-mutant-") as tmp:
        tree = Path(tmp) / ROOT.name
        shutil.copytree(ROOT / "checks", tree / "checks", ignore=IGNORE)
        where = subprocess.run(
            [sys.executable, "-c", "import checks; print(checks.__file__)"],
            cwd=tree,
            env=_environment(tree),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not where.startswith(str(tree)):
            raise SystemExit(f"mutants would not be tested: `import checks` gives {where}")


def load_equivalent(path: Path = EQUIVALENT) -> dict[str, str]:
    """``{mutant id: why}`` judged equivalent (same behaviour as the original)."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        mutant_id, _, why = line.partition("#")
        if mutant_id.strip():
            out[mutant_id.strip()] = why.strip()
    return out


def targets(args: list[str]) -> list[Path]:
    files: list[Path] = []
    for arg in args:
        p = (ROOT / arg).resolve()
        if p.is_dir():
            files += sorted(
                f for f in p.rglob("*.py") if f.name != "__init__.py" or f.stat().st_size
            )
        elif p.is_file():
            files.append(p)
        else:
            raise SystemExit(f"{arg}: no such file or directory under {ROOT}")
    return files


def summary(outcomes: list[Outcome], equivalent: dict[str, str]) -> dict[str, object]:
    counted = [o for o in outcomes if o.mutant.id not in equivalent and o.status != "error"]
    killed = sum(o.status in ("killed", "timeout") for o in counted)
    return {
        "mutants": len(outcomes),
        "killed": sum(o.status == "killed" for o in counted),
        "timeout": sum(o.status == "timeout" for o in counted),
        "survived": sum(o.status == "survived" for o in counted),
        "equivalent": sum(o.mutant.id in equivalent for o in outcomes),
        "error": sum(o.status == "error" for o in outcomes),
        "score": round(100 * killed / len(counted), 1) if counted else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mutation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("paths", nargs="+", help="files or directories, relative to the repository")
    parser.add_argument("--tests", nargs="+", help="test files to run (default: per module)")
    parser.add_argument("--sample", type=int, help="run this many mutants, chosen at random")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--timeout", type=float, help="seconds per mutant (default: 3 x baseline + 10)"
    )
    parser.add_argument("--only", nargs="+", help="run just these mutant ids (as printed)")
    parser.add_argument("--list", action="store_true", help="list the mutants; run nothing")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    args = parser.parse_args(argv)

    enums = enum_members([ROOT / "checks", ROOT / "scanner", ROOT / "reports"])
    mutants = [m for f in targets(args.paths) for m in find_mutants(f, enums)]
    if args.only:
        mutants = [m for m in mutants if m.id in args.only]
    total = len(mutants)
    if args.sample is not None and args.sample < total:
        mutants = sorted(
            random.Random(args.seed).sample(mutants, args.sample),
            key=lambda m: (m.path, m.index, m.op),
        )
    if args.list:
        for m in mutants:
            print(f"{m.id}  {m.detail}")
        print(f"{len(mutants)} of {total} mutants")
        return 0
    check_isolation()
    plan = {m.path: args.tests or default_tests(m.path) for m in mutants}
    timeouts: dict[tuple[str, ...], float] = {}
    for tests in {tuple(t) for t in plan.values()}:
        result, seconds = run_tests(ROOT, list(tests), 600)
        if result != "passed":  # once more: a busy machine can fail a time-bound test
            result, seconds = run_tests(ROOT, list(tests), 600)
        if result != "passed":
            raise SystemExit(f"the tests fail without any mutant: {' '.join(tests)}")
        timeouts[tests] = args.timeout or 3 * seconds + 10
    equivalent = load_equivalent()
    outcomes: list[Outcome] = []

    def one(m: Mutant) -> Outcome:
        tests = plan[m.path]
        return run_mutant(m, tests, timeouts[tuple(tests)], enums)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for n, outcome in enumerate(pool.map(one, mutants), 1):
            outcomes.append(outcome)
            m = outcome.mutant
            if outcome.status != "killed":
                note = "  (judged equivalent)" if m.id in equivalent else ""
                print(
                    f"[{n}/{len(mutants)}] {outcome.status:8} {m.id}  {m.detail}{note}", flush=True
                )
    result = summary(outcomes, equivalent)
    sampled = (
        f" (sample of {len(mutants)} from {total}, seed {args.seed})"
        if len(mutants) < total
        else ""
    )
    print(f"{' '.join(args.paths)}{sampled}: " + ", ".join(f"{k} {v}" for k, v in result.items()))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "summary": result,
                    "outcomes": [
                        {
                            **asdict(o.mutant),
                            "id": o.mutant.id,
                            "status": o.status,
                            "seconds": round(o.seconds, 2),
                        }
                        for o in outcomes
                    ],
                },
                indent=2,
            )
            + "\n"
        )
    return 0 if result["survived"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

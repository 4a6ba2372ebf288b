"""Where msgscan's own share of a replay's start-up goes, module by module (issue 18 item 1,
session 25): instruction counts, deterministic under any load.

    python bench/startup_modules.py [--top 30] [--command checks]

It installs this tree as ``bench/startup.py`` does, runs the command once with a hook that
records each of msgscan's modules when its body has finished (post-order: a module after the
modules it imports), then runs one process under ``valgrind --tool=callgrind`` that imports the
command's floor (the other packages' modules, ``startup_floor``), then msgscan's modules in that
order, with ``os.getppid()`` (a call nothing else makes) at the start of each module's loading and
at its end; ``--dump-before=os_getppid*`` cuts the count there, and each part is charged to the
module whose loading is innermost (``own_costs``): reading and unmarshalling its byte code,
running its body (its classes, enums, Structs, regexes compiled at import), finding the modules
it imports; not the modules it imports. Nothing of the command's own work runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1])
)  # run as python bench/startup_modules.py

from bench import startup_floor as floor  # noqa: E402
from bench.startup import COMMANDS, REPLAY, ROOT, install  # noqa: E402

ORDER = """\
import importlib._bootstrap_external as ext, sys
done = []
plain = ext._LoaderBasics.exec_module
def exec_module(self, module):
    plain(self, module)
    done.append(module.__name__)
ext._LoaderBasics.exec_module = exec_module
sys.argv = ARGV
try:
    exec(compile(open(sys.argv[0], encoding="utf-8").read(), sys.argv[0], "exec"))
except SystemExit:
    pass
finally:
    sys.__stdout__.flush()
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(chr(10).join(m for m in done if m.split(".")[0] in OURS))
"""
"""Runs a console script and writes msgscan's modules in the order their bodies finished."""


def own_modules(argv: list[str], python: str, env: dict[str, str], cwd: Path) -> list[str]:
    out = Path(tempfile.mkdtemp(prefix="msgscan-order-"), "order")
    code = (
        ORDER.replace("ARGV", repr(argv))
        .replace("OUT", repr(str(out)))
        .replace("OURS", repr(floor.OURS))
    )
    subprocess.run([python, "-c", code], env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=False)
    return out.read_text(encoding="utf-8").split()


MARKED = """\
import importlib._bootstrap_external as ext, json, os, sys
events = []
plain = ext._LoaderBasics.exec_module
def exec_module(self, module):
    name = module.__name__
    if name.split(".")[0] not in OURS:
        return plain(self, module)
    events.append(name)
    os.getppid()
    try:
        plain(self, module)
    finally:
        events.append("")
        os.getppid()
ext._LoaderBasics.exec_module = exec_module
"""
"""Marks the start and the end of each of msgscan's modules' loading (reading and
unmarshalling its byte code, running its body) with a call to ``os.getppid()``, and records
the events: the module's name at its start, ``""`` at its end."""


def program(others: list[str], ours: list[str], out: Path) -> str:
    """Imports ``others`` (the floor), then ``ours`` with each module's loading marked
    (``MARKED``), inside ``regex_cache.kept()`` as ``core.main`` runs a command (msgscan's
    patterns built from kept programs, the file warmed by the run before the counted one),
    then writes the events to ``out``."""
    return "\n".join(
        [
            floor.importer(others),
            MARKED.replace("OURS", repr(floor.OURS)),
            "from scanner.app.cli.regex_cache import kept",
            "with kept():",  # as core.main runs a command (session 26)
            *(f"    import {name}" for name in ours),
            f"open({str(out)!r}, 'w').write(json.dumps(events))",
        ]
    )


MACHINERY = "(finding and creating the modules the program imports)"
"""The parts outside every module's loading: the import system finding each module of the
program's own ``import`` lines, making its spec and module object, before its loading starts."""


def own_costs(events: list[str], counts: list[int]) -> dict[str, int]:
    """Each module's own instructions: every part between two marks belongs to the module
    whose loading is innermost there (a module's body less the modules it imports; finding a
    module is its importer's), a part outside every loading to ``MACHINERY``. ``counts[0]`` is
    the start and the floor, the part after the last mark the program's end: neither counts."""
    if len(counts) != len(events) + 1:
        raise ValueError(f"{len(counts)} parts for {len(events)} marks")
    stack: list[str] = []
    own: dict[str, int] = {}
    for event, n in zip(events[:-1], counts[1:-1], strict=True):
        if event:
            stack.append(event)
        else:
            stack.pop()
        key = stack[-1] if stack else MACHINERY
        own[key] = own.get(key, 0) + n
    return own


def parts(python: str, code: str, env: dict[str, str], cwd: Path) -> list[int]:
    """Instructions of each part between the marker calls (callgrind's dumps, in order)."""
    with tempfile.TemporaryDirectory(prefix="msgscan-cg-") as tmp:
        out = Path(tmp, "cg")
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                "--dump-before=os_getppid*",
                python,
                "-c",
                code,
            ],
            env=env,
            cwd=cwd,
            check=True,
            capture_output=True,
            timeout=1800,
        )
        found: dict[int, int] = {}
        for path in Path(tmp).glob("cg*"):
            text = path.read_text()
            part = int(next(x for x in text.splitlines() if x.startswith("part:")).split()[1])
            found[part] = int(
                next(x for x in text.splitlines() if x.startswith("summary:")).split()[1]
            )
        return [found[k] for k in sorted(found)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=30, help="modules listed (default 30)")
    ap.add_argument("--command", default=REPLAY, choices=list(COMMANDS), help="default the replay")
    ap.add_argument("--json", action="store_true", help="every module's count as JSON")
    opts = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    with tempfile.TemporaryDirectory(prefix="msgscan-modules-") as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp, "pyc"))
        script = install(ROOT, Path(tmp, "copy"))
        python, cwd = str(script.with_name("python")), ROOT.parent
        argv = [str(script), *(a.replace("{root}", str(ROOT)) for a in COMMANDS[opts.command])]
        subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)  # byte code
        others = floor.replay_modules(argv, python, env, cwd)
        ours = own_modules(argv, python, env, cwd)
        out = Path(tmp, "events.json")
        code = program(others, ours, out)
        subprocess.run([python, "-c", code], env=env, cwd=cwd, check=True)  # byte code
        counts = parts(python, code, env, cwd)
        each = own_costs(json.loads(out.read_text()), counts)
    if opts.json:
        print(json.dumps(each, indent=1))
        return 0
    total = sum(each.values())
    print(
        f"`{opts.command}`: start + floor {counts[0] / 1e6:.1f} M; msgscan's {len(each)} modules "
        f"{total / 1e6:.1f} M (their imports alone, each its own part)\n\n"
        "| module | M instructions | share of the modules |\n|---|---|---|"
    )
    for name, n in sorted(each.items(), key=lambda kv: -kv[1])[: opts.top]:
        print(f"| `{name}` | {n / 1e6:.2f} | {n / total:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``dumpsys package`` parsing, old against new, side by side in one run (issue 18, item 2).

    python bench/parse_speed.py [--runs 15] [--base ad9db04]

Timed: old tree against new tree. The old side is the whole tree at ``--base`` (default: main
before the speed work), taken with ``git archive`` into a temporary folder and imported there
in a process of its own; the new side is this work tree, in another process. So whatever the
parser builds on (the ``checks.facts`` model, ``scanner.names`` …) is each side's own. The
parent sends each the same text in turn, alternately, ``--runs`` times each; each reports the
CPU time of its parse. Before timing, each process reads both texts and the two readings
(packages and damage, as plain data) must be equal: no times when they differ. Both parse the
same two texts:

- the largest real capture, the Huawei FRD (Android 7) ISDI dump of 3.8 MB, read in place from
  ../shared/fixtures/android (or ``MSGSCAN_FIXTURES``) and decoded as msgscan decodes it;
- the ``dumpsys package packages`` the simulated phone answers for the constructed 300-package,
  3-user phone (``scanner.recordings.build.large_phone``), as bench/scan_cost.py builds it.

Times are CPU times of the parsing process (``time.process_time``: the machine is shared, wall
time would measure the neighbours). ``--variants N`` then compares the parsers on N random
variants of the texts (lines cut, deleted, re-indented, garbled, headers and fields inserted)
and exits 1 if any is read differently; for that, the old parser is
``scanner/parse/dumpsys_package.py`` at ``--base`` with the ``scanner/parse/package_fields.py``
it imported then (``git show BASE:path`` into temporary modules, so no old code ships), in this
process next to the new one.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODULE = "scanner/parse/dumpsys_package.py"
FIELDS = "scanner/parse/package_fields.py"
BASE = "ad9db04"  # main before issue 18 item 2
HUAWEI = "isdi-huawei-frd-android7/dumpsys-all.txt"


def fixtures() -> Path:
    override = os.environ.get("MSGSCAN_FIXTURES")
    return Path(override) if override else ROOT.parent / "shared" / "fixtures" / "android"


def _load(base: str, path: str, name: str, tmp: Path) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{base}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    file = tmp / f"{name}.py"
    file.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def old_parser(base: str, tmp: Path) -> ModuleType:
    """The parser at ``base`` with the field readers it imported at ``base``
    (``FIELDS``), so work moved into those readers is not counted for both."""
    import scanner.parse.package_fields as current

    fields = _load(base, FIELDS, "package_fields_old", tmp)
    sys.modules["scanner.parse.package_fields"] = fields  # while the old parser imports
    try:
        return _load(base, MODULE, "dumpsys_package_old", tmp)
    finally:
        sys.modules["scanner.parse.package_fields"] = current


def texts() -> dict[str, str]:
    from scanner.parse.text import decode
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build

    rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    [listing] = [c for c in rec.commands if " ".join(c.argv) == "dumpsys package packages"]
    return {
        f"Huawei FRD dumpsys ({HUAWEI})": decode((fixtures() / HUAWEI).read_bytes()),
        "simulated phone, 300 packages x 3 users": decode(listing.stdout),
    }


_INSERTS = (
    "DUMP OF SERVICE package:", "DUMP OF SERVICE activity:",
    "--------- 0.1s was the duration of dumpsys package", "Packages:", "Shared users:",
    "Hidden system packages:", "Queries:", "  Package [com.whatsapp] (1):", "Package [x] (1):",
    "    User 0: installed=true", "  SharedUser [a.b] (1):", "", "   ", "\r",
    "    install permissions:", "      runtime permissions:", "      a.b.C: granted=true",
    "      a: granted=tru", "      firstInstallTime=2020-01-01 10:00:00",
    "    versionCode=12 targetSdk=22", "    userId=5", "x overlay paths:", "      installReason=0",
)  # fmt: skip


def variant(rng: random.Random, text: str) -> str:
    """Up to 400 lines of ``text`` with a few lines cut, deleted, re-indented, garbled (U+FFFD)
    or inserted (section and block headers, boundaries, fields, rows)."""
    lines = text.split("\n")
    start = rng.randrange(len(lines))
    part = lines[start : start + rng.randrange(1, 400)] or [""]
    for _ in range(rng.randrange(8)):
        j, op = rng.randrange(len(part)), rng.randrange(5)
        if op == 0:
            part[j] = part[j][: rng.randrange(len(part[j]) + 1)]
        elif op == 1:
            part[j] = " " * rng.randrange(8) + part[j].lstrip()
        elif op == 2:
            part[j] += "\ufffd"
        elif op == 3 and len(part) > 1:
            del part[j]
        else:
            part.insert(j, rng.choice(_INSERTS))
    return "\n".join(part) + rng.choice(("", "\n"))


def same(a: object, b: object) -> bool:
    """The two parsers' listings agree (packages, damage). ``Package.grants_read`` is newer than
    the base: the old parser never sets it (always True), so the new one's packages are
    compared with it set aside (``plain``); ``tests/scanner/parse/test_shared_user_grants.py``
    pins it."""
    if plain(a) == plain(b):
        return True
    return _only_newer_damage(a, b)


NEWER_DAMAGE = frozenset({
    "package listed twice",
    "package block outside the package sections",
    "section listed twice",
    "hidden system package without its active entry",
})  # fmt: skip
"""Damage the base never noted (review 6: a block forged into an app's raw ``versionName``, or
one a forged section line displaced); a variant the new parser reads with only these added
still reads the same packages and every damage the base noted."""


def _only_newer_damage(a: object, b: object) -> bool:
    pa, pb = plain(getattr(a, "packages", None)), plain(getattr(b, "packages", None))
    da, db = getattr(a, "damage", None), getattr(b, "damage", None)
    if pa != pb or da is None or db is None:
        return False
    extra = set(db.kinds) - set(da.kinds)
    return (
        bool(extra) and extra <= NEWER_DAMAGE
        and all(db.kinds[k] == n for k, n in da.kinds.items())
        and set(da.blocks) <= set(db.blocks) and db.lines >= da.lines
    )  # fmt: skip


def compare(old: ModuleType, new: ModuleType, samples: list[str], n: int, seed: int) -> int:
    """How many of ``n`` random variants the two parsers read differently (packages, damage;
    with and without a package named, with and without a second output)."""
    rng = random.Random(seed)
    differ = 0
    for _ in range(n):
        text = variant(rng, rng.choice(samples))
        then = variant(rng, rng.choice(samples)) if rng.random() < 0.2 else None
        for package in (None, "com.xxx"):
            a = old.read_dumpsys_package(text, package=package, then=then)
            b = new.read_dumpsys_package(text, package=package, then=then)
            differ += not same(a, b)
    return differ


def cpu(parse: Callable[[str], object], text: str) -> float:
    started = time.process_time()
    parse(text)
    return time.process_time() - started


def plain(value: object) -> object:
    """``value`` (a listing, its packages, damage …) as plain data in a stable order, so that
    two processes' readings can be compared; ``Package.grants_read``, ``Listing.hidden`` and
``Damage.blocks_seen`` (``blocks`` as a set), which the base does not have, are left out (see
``same``).
    Facts may be dataclasses (the old tree) or ``msgspec`` structs (``__struct_fields__``)."""
    names = getattr(type(value), "__struct_fields__", None)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in fields(value)]
    if names is not None:
        newer = ("grants_read", "hidden", "blocks_seen")
        return {name: plain(getattr(value, name)) for name in names if name not in newer}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, Mapping):
        return sorted((plain(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


WORKER = """
import json, sys, time
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
sys.path.insert(0, sys.argv[1])
import scanner.parse.dumpsys_package
from scanner.parse.dumpsys_package import read_dumpsys_package
texts = [open(p, encoding="utf-8", errors="surrogatepass").read() for p in sys.argv[2:]]
print(scanner.parse.dumpsys_package.__file__, flush=True)
PLAIN
for line in sys.stdin:
    command, i = line.split()
    if command == "time":
        started = time.process_time()
        read_dumpsys_package(texts[int(i)])
        print(time.process_time() - started, flush=True)
    else:
        print(json.dumps(plain(read_dumpsys_package(texts[int(i)])), default=repr), flush=True)
"""
"""A parsing process: ``argv[1]`` is the tree it imports the parser from (and nothing from
this tree: ``plain`` is put in as source); it first says which parser module it loaded."""


class Tree:
    """A process that parses the texts with the parser of the tree at ``root``."""

    def __init__(self, root: Path, files: list[Path]) -> None:
        worker = WORKER.replace("PLAIN\n", inspect.getsource(plain))
        self.process = subprocess.Popen(
            [sys.executable, "-c", worker, str(root), *map(str, files)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": ""},
        )
        assert self.process.stdout is not None
        self.module = Path(self.process.stdout.readline().strip())
        if not self.module.is_relative_to(root):
            raise SystemExit(f"the parsing process for {root} loaded {self.module}")

    def ask(self, command: str, text: int) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{command} {text}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit(f"the parsing process in {command} {text} ended")
        return answer.strip()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def old_tree(base: str, tmp: Path) -> Path:
    """The whole tree at ``base``, unpacked from ``git archive`` into ``tmp``."""
    root = tmp / "old-tree"
    root.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", base], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    return root


def trees(base: str, tmp: Path, inputs: dict[str, str]) -> tuple[Tree, Tree]:
    """The old tree's and the new tree's parsing processes, each given ``inputs``."""
    files = []
    for i, text in enumerate(inputs.values()):
        file = tmp / f"text-{i}.txt"
        file.write_text(text, encoding="utf-8", errors="surrogatepass")
        files.append(file)
    return Tree(old_tree(base, tmp), files), Tree(ROOT, files)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--base", default=BASE, help="git revision of the old parser")
    ap.add_argument(
        "--variants",
        type=int,
        default=0,
        help="also compare the parsers on this many random variants of the texts",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from scanner.parse import dumpsys_package as new

    with tempfile.TemporaryDirectory(prefix="msgscan-parse-speed-") as tmp:
        inputs = texts()
        old_side, new_side = trees(args.base, Path(tmp), inputs)
        try:
            print(
                f"old: the tree at {args.base} (git archive), new: the work tree, each in its own "
                f"process; {args.runs} runs each, alternating, CPU time of the parse"
            )
            print(
                "| text | size | packages | old min | old median | new min | new median | "
                "speed-up (min) | speed-up (median) |"
            )
            print("|---|---|---|---|---|---|---|---|---|")
            for i, (name, text) in enumerate(inputs.items()):
                if old_side.ask("read", i) != new_side.ask("read", i):
                    raise SystemExit(f"{name}: the parsers disagree; no times")
                old_t: list[float] = []
                new_t: list[float] = []
                for _ in range(args.runs):  # alternate, so both see the same neighbours
                    old_t.append(float(old_side.ask("time", i)))
                    new_t.append(float(new_side.ask("time", i)))
                o_min, o_med = min(old_t), statistics.median(old_t)
                n_min, n_med = min(new_t), statistics.median(new_t)
                packages = len(new.read_dumpsys_package(text).packages)
                print(
                    f"| {name} | {len(text.encode()) / 1e6:.2f} MB | {packages} | "
                    f"{o_min * 1e3:.1f} ms | {o_med * 1e3:.1f} ms | {n_min * 1e3:.1f} ms | "
                    f"{n_med * 1e3:.1f} ms | {o_min / n_min:.2f}x | {o_med / n_med:.2f}x |"
                )
        finally:
            old_side.close()
            new_side.close()
        if args.variants:
            old = old_parser(args.base, Path(tmp))
            differ = compare(old, new, list(inputs.values()), args.variants, args.seed)
            print(
                f"random variants (seed {args.seed}): {args.variants}, read differently: {differ}"
            )
            return 1 if differ else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

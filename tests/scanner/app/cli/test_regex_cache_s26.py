"""msgscan's regex programs kept beside the byte code (``scanner.app.cli.regex_cache``; issue 18
item 1, bench/RESULTS.md "Start-up", session 26): a pattern built from a kept program is the
pattern ``re`` compiles (same code words, groups, matches), a file of another build or a damaged
one is ignored, nothing is written where Python would not write byte code, and patterns made
from data or compiled by other packages are not kept."""

from __future__ import annotations

import json
import marshal
import os
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scanner.app.cli import regex_cache
from tests.scanner.app.cli.test_startup import A16, ROOT

PIECES = st.sampled_from(
    [
        "a",
        "b",
        ".",
        r"\d",
        r"\s",
        r"\S",
        r"\w",
        "[a-f]",
        "[^x\n]",
        "[0-9A-Fa-f]",
        "(?:ab|c)",
        "(x)",
        "(?P<n>y)",
        "^",
        "$",
        r"\b",
        "(?=a)",
        "(?!b)",
        "(?<=c)",
        "[ -~]",
        "[\u00e9-\u00ff]",
        r"\[",
        r"\(",
        "é",
        " ",
        "\t",
    ]
)
QUANTIFIERS = st.sampled_from(["", "*", "+", "?", "{1,3}", "*?", "+?", "*+", "{2}"])
PATTERNS = st.lists(st.tuples(PIECES, QUANTIFIERS), min_size=1, max_size=8).map(
    lambda parts: "".join(
        p + (q if p not in "^$" and not p.startswith("(?") and p != r"\b" else "") for p, q in parts
    )
)
FLAGS = st.sampled_from(
    [0, re.IGNORECASE, re.MULTILINE, re.DOTALL, re.ASCII, re.VERBOSE, re.IGNORECASE | re.MULTILINE]
)


def kept_pattern(pattern: str | bytes, flags: int = 0) -> re.Pattern[Any]:
    compiled = regex_cache._plain(pattern, flags)
    found = regex_cache.program(pattern, flags, compiled)
    assert found is not None
    # Through marshal, as the file holds it.
    return regex_cache.build(pattern, marshal.loads(marshal.dumps(found)))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(PATTERNS, FLAGS, st.lists(st.text(alphabet="abcxy019 \t\n[(é-ÿ", max_size=12), max_size=6))
def test_a_pattern_from_a_kept_program_is_the_compiled_pattern(
    pattern: str, flags: int, texts: list[str]
) -> None:
    try:
        compiled = regex_cache._plain(pattern, flags)
    except re.error:
        assume(False)
    built = kept_pattern(pattern, flags)
    assert built == compiled  # flags, pattern and every code word
    assert (built.groups, built.groupindex, built.flags) == (
        compiled.groups,
        compiled.groupindex,
        compiled.flags,
    )
    for text in texts:
        for at in range(len(text) + 1):
            a, b = built.match(text, at), compiled.match(text, at)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))
        assert built.findall(text) == compiled.findall(text)
        assert built.sub("-", text) == compiled.sub("-", text)


def replay_patterns() -> list[tuple[str | bytes, int]]:
    """Every pattern msgscan's modules compile in a replay of the shipped recording."""
    probe = f"""
import json, re, sys
from scanner.app.cli import regex_cache, core
seen = []
plain = regex_cache._plain
def spy(p, f=0):
    seen.append((p.decode("latin-1") if isinstance(p, bytes) else p, isinstance(p, bytes), int(f)))
    return plain(p, f)
regex_cache._plain = spy
regex_cache._state["loaded"] = True  # no programs file read: a kept program would hide a pattern
import os
out = os.dup(1); os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
core.main(["scan", "--replay", {str(A16)!r}])
sys.stdout.flush(); os.dup2(out, 1)
print(json.dumps(seen))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    return [(p.encode("latin-1") if b else p, f) for p, b, f in seen]


def test_every_pattern_of_a_replay_is_kept_and_equal() -> None:
    found = replay_patterns()
    assert len(found) >= 30  # msgscan's parsers' patterns (start10 counted 37 of its 39)
    for pattern, flags in found:
        assert kept_pattern(pattern, flags) == regex_cache._plain(pattern, flags), pattern


def run_replay(
    tmp_path: Path, *extra: str, env_more: dict[str, str] | None = None, prefix: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    }
    env["PYTHONPYCACHEPREFIX"] = str(prefix or tmp_path / "prefix")
    env["HOME"] = str(tmp_path / "home")
    env.update(env_more or {})
    return subprocess.run(
        [
            sys.executable,
            *extra,
            "-m",
            "scanner.app.cli",
            "scan",
            "--replay",
            str(A16),
            "--format",
            "json",
        ],
        cwd=tmp_path / "cwd",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def programs_file(prefix: Path) -> list[Path]:
    return sorted(prefix.rglob("regex_cache.*.re"))


def verdicts(out: str) -> object:
    report = json.loads(out)
    return [(f["check_id"], f["status"], f["package"], f["evidence"]) for f in report["findings"]]


def test_a_replay_keeps_its_programs_beside_the_byte_code_only(tmp_path: Path) -> None:
    for folder in ("home", "cwd"):
        (tmp_path / folder).mkdir()
    (tmp_path / "home").chmod(0o555)
    first = run_replay(tmp_path)
    assert first.returncode in (0, 1), first.stderr
    kept = programs_file(tmp_path / "prefix")
    assert len(kept) == 1
    assert kept[0].parent == next((tmp_path / "prefix").rglob("regex_cache.cpython-*.pyc")).parent
    assert files_under(tmp_path / "home") == set() and files_under(tmp_path / "cwd") == set()
    umask = os.umask(0o022)
    os.umask(umask)
    assert kept[0].stat().st_mode & 0o777 == 0o644 & ~umask  # as a .pyc: readable, not run
    head, checksum, payload = marshal.loads(kept[0].read_bytes())
    assert head == regex_cache.header()
    programs = marshal.loads(payload)
    assert len(programs) >= 30
    assert all(isinstance(key[1], (str, bytes)) for key in programs)
    before = kept[0].read_bytes()
    second = run_replay(tmp_path)  # built from the programs: the same verdicts, file untouched
    assert second.returncode == first.returncode, second.stderr
    assert verdicts(second.stdout) == verdicts(first.stdout)
    assert kept[0].read_bytes() == before


def test_no_programs_are_written_without_byte_code(tmp_path: Path) -> None:
    (tmp_path / "cwd").mkdir()
    (tmp_path / "home").mkdir()
    run = run_replay(tmp_path, "-B")
    assert run.returncode in (0, 1), run.stderr
    assert not (tmp_path / "prefix").exists()
    run = run_replay(tmp_path, env_more={"PYTHONDONTWRITEBYTECODE": "1"})
    assert not (tmp_path / "prefix").exists()


@contextmanager
def read_only(prefix: Path, folders: list[Path]) -> Iterator[None]:
    """The folders read-only: by their mode, or for root (whom modes do not stop: CI runs as
    root) by a read-only bind mount of the whole prefix, so no write into it can succeed."""
    if os.geteuid() != 0:
        for folder in folders:
            folder.chmod(0o555)
        try:
            yield
        finally:
            for folder in folders:
                folder.chmod(0o755)
        return
    bind = subprocess.run(["mount", "--bind", str(prefix), str(prefix)], capture_output=True)
    ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(prefix)], capture_output=True)
    if bind.returncode or ro.returncode:
        if bind.returncode == 0:
            subprocess.run(["umount", str(prefix)], check=False)
        why = f"root cannot bind-mount read-only here: {(bind.stderr + ro.stderr).decode()}"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    try:
        yield
    finally:
        subprocess.run(["umount", str(prefix)], check=True)


def test_a_read_only_cache_folder_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "cwd").mkdir()
    (tmp_path / "home").mkdir()
    prefix = tmp_path / "prefix"
    assert run_replay(tmp_path).returncode in (0, 1)
    for kept in programs_file(prefix):
        kept.unlink()
    folders = sorted({p.parent for p in prefix.rglob("*.pyc")})
    with read_only(prefix, folders):
        run = run_replay(tmp_path)
        assert run.returncode in (0, 1), run.stderr
        assert programs_file(prefix) == []


def test_a_missing_folder_is_not_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regex_cache, "programs", {(False, "a", 0): (0, [1], 0, {}, (None,))})
    regex_cache.save(str(tmp_path / "gone" / "x.re"), regex_cache.header())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["header", "checksum", "truncated", "entry", "not a dict"])
def test_a_file_of_another_build_or_damaged_is_not_used(tmp_path: Path, damage: str) -> None:
    pattern = r"^  Uid (\d{1,10}):\s*$"
    good = regex_cache.program(pattern, 0, regex_cache._plain(pattern, 0))
    assert good is not None
    key = (False, pattern, 0)
    forged: dict[Any, Any] = {key: (good[0], [1, 2, 3], good[2], good[3], good[4])}
    head: Any = regex_cache.header()
    if damage == "header":
        head, forged = (*head[:1], "3.11.0 (another build)", *head[2:]), {key: good}
    payload = marshal.dumps(forged if damage != "not a dict" else [key])
    checksum = regex_cache._crc(payload) ^ (damage == "checksum")
    data = marshal.dumps((head, checksum, payload))
    file = tmp_path / "programs.re"
    file.write_bytes(data[: len(data) // 2] if damage == "truncated" else data)
    loaded = regex_cache.load(str(file), regex_cache.header())
    if damage == "entry":  # whole and of this build, but _sre refuses the code: compiled
        assert loaded == forged
        saved = dict(regex_cache.programs)
        try:
            regex_cache.programs.clear()
            regex_cache.programs.update(loaded)
            built = regex_cache._compile(pattern, 0)
        finally:
            regex_cache.programs.clear()
            regex_cache.programs.update(saved)
        assert built == regex_cache._plain(pattern, 0)
    else:
        assert loaded == {}


def test_patterns_made_from_data_or_by_other_packages_are_not_kept() -> None:
    probe = """
import json, re, textwrap
from scanner.app.cli import regex_cache
with regex_cache.kept():
    serial = "R58M" + str(len(json.dumps([1])))
    re.compile(re.escape(serial), re.IGNORECASE)  # a pattern made from data, here in __main__
    import scanner.parse.users  # a module body: kept
print(json.dumps([k[1] if isinstance(k[1], str) else "" for k in regex_cache.programs]))
"""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    kept = json.loads(out.stdout)
    assert any("UserInfo" in p for p in kept)
    assert not any("R58M" in p for p in kept)
    assert not any("coding" in p for p in kept)  # tokenize's, textwrap's: other packages'
    assert not any("WHITESPACES" in p for p in kept)


def test_a_function_s_pattern_from_data_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """``reports.report`` compiles a pattern of the phone's serial: never kept (no phone's
    data in the file); a literal of a function of the same module is."""
    import reports.report as report_module

    source = (
        "def serial(s):\n    return re.compile(re.escape(s), re.IGNORECASE)\n"
        "def literal():\n    return re.compile(r'R58-const-(\\d+)')\n"
    )
    namespace = vars(report_module)
    serial, literal = (
        types.FunctionType(code, namespace)
        for code in compile(source, "x", "exec").co_consts
        if isinstance(code, types.CodeType)
    )
    monkeypatch.setattr(regex_cache, "programs", {})
    # The programs file of an earlier run (a checkout's __pycache__) is not read: only what
    # these two calls keep is asked about.
    monkeypatch.setitem(regex_cache._state, "loaded", True)
    monkeypatch.setattr(regex_cache, "_where", [None, "unused"])
    monkeypatch.setattr(regex_cache._compiler, "compile", regex_cache._compile)
    serial("R58M12345XYZ")
    literal()
    kept = [k[1] for k in regex_cache.programs]
    assert kept == [r"R58-const-(\d+)"]


def test_a_nested_block_leaves_the_outer_one_s_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` called inside ``main`` (the tests do): the inner block neither installs nor
    removes the hook, nor saves; the outer one removes it at its end."""
    monkeypatch.setattr(regex_cache, "_cached", lambda: "/nonexistent/regex_cache.pyc")
    monkeypatch.setattr(regex_cache, "_state", {"loaded": True, "added": True, "depth": 0})
    monkeypatch.setattr(regex_cache, "_where", [None, None])  # nothing to save to
    saves: list[object] = []
    monkeypatch.setattr(regex_cache, "save", lambda *a: saves.append(a))
    assert regex_cache._compiler.compile is regex_cache._plain
    with regex_cache.kept():
        assert regex_cache._compiler.compile is regex_cache._compile
        with regex_cache.kept():
            assert regex_cache._compiler.compile is regex_cache._compile
        assert regex_cache._compiler.compile is regex_cache._compile
        assert regex_cache._state["depth"] == 1
    assert regex_cache._compiler.compile is regex_cache._plain
    assert regex_cache._state["depth"] == 0
    assert saves == []


def test_no_more_than_the_limit_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    full: dict[Any, Any] = {
        (False, f"x{i}", 0): (0, [1], 0, {}, (None,)) for i in range(regex_cache.LIMIT - 1)
    }
    monkeypatch.setattr(regex_cache, "programs", full)
    monkeypatch.setattr(regex_cache, "_state", {"loaded": True, "added": False, "depth": 0})
    monkeypatch.setattr(regex_cache, "_where", [None, "/nonexistent/x.re"])
    monkeypatch.setattr(regex_cache, "_static", lambda depth, pattern: True)
    regex_cache._compile(r"last (\d+)", 0)
    assert len(full) == regex_cache.LIMIT  # the last one that fits
    regex_cache._compile(r"one more (\d+)", 0)
    assert len(full) == regex_cache.LIMIT and (False, r"one more (\d+)", 0) not in full


def test_programs_are_saved_once_for_each_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regex_cache, "_cached", lambda: "/nonexistent/regex_cache.pyc")
    monkeypatch.setattr(regex_cache, "_state", {"loaded": True, "added": True, "depth": 0})
    monkeypatch.setattr(regex_cache, "_where", [("head",), "/nonexistent/x.re"])
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    saves: list[object] = []
    monkeypatch.setattr(regex_cache, "save", lambda *a: saves.append(a))
    with regex_cache.kept():
        pass
    with regex_cache.kept():  # nothing new: not written again
        pass
    assert saves == [("/nonexistent/x.re", ("head",))]
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    regex_cache._state["added"] = True
    with regex_cache.kept():
        pass
    assert len(saves) == 1

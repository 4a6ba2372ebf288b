"""README's "Layout" draws the folders as they are: every folder and module it names exists, and
every package folder of scanner/, checks/ and reports/ (and every folder of tests/) is named."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scanner", "checks", "reports")


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]


def _named() -> set[str]:
    return set(re.findall(r"`([\w./-]+)`", _section()))


def test_every_path_it_names_exists() -> None:
    """A folder (``x/``) or file (``x.py``, ``x.toml``) in backticks is there: as a path from the
    root, or as the end of one (``app/cli/`` of tests/scanner/, ``scan.py`` of scanner/app/)."""
    there = {
        p.relative_to(ROOT).as_posix() + ("/" if p.is_dir() else "")
        for top in (*PACKAGES, "tests", "docs")
        for p in (ROOT / top).rglob("*")
        if "__pycache__" not in p.parts
    } | {f"{top}/" for top in (*PACKAGES, "tests", "docs")}
    missing = [
        name
        for name in _named()
        if name.endswith(("/", ".py", ".toml"))
        and not any(p == name or p.endswith("/" + name) for p in there)
    ]
    assert missing == []


def test_every_package_folder_is_named() -> None:
    """Each folder of scanner/, checks/ and reports/ that holds code or data (not caches, not the
    catalog's language subfolders) is in the section; so is each folder of tests/."""
    named = _named()
    folders = [
        p.relative_to(ROOT).as_posix() + "/"
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*")
        if p.is_dir() and "__pycache__" not in p.parts and "locale" not in p.parts[:-1]
    ]
    tests = [
        p.name + "/" for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name != "__pycache__"
    ]
    missing = [f for f in folders if f not in named and f.split("/", 1)[1] not in named]
    missing += [t for t in tests if t not in named and f"tests/{t}" not in named]
    assert missing == []

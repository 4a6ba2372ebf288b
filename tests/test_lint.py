"""The static checks .ci/run runs before the tests: the layer contracts, ruff and mypy --strict.

``.ci/lint imports`` must pass; a copy of the code with one import across a layer must fail it
(so the contracts can fail at all); the device-side contract must name every scanner module but
``scanner.app``. ruff and mypy run over the whole code base and no file may fail them; a copy with
one bad line in one module fails ``.ci/lint`` and the failure names that module (so the check, and
the parsing of its output, can fail at all).
"""

from __future__ import annotations

import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import scanner

ROOT = Path(__file__).resolve().parent.parent
LINT = ROOT / ".ci" / "lint"
BIN = Path(sys.executable).parent
DEVICE_SIDE = "the device side of scanner imports neither reports nor the composition layer"


def _run(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **(env or {}),
    }
    return subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=600)


def _contracts() -> list[dict[str, list[str]]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, list[str]]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_layer_contracts_hold() -> None:
    run = _run(str(LINT), "imports")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 3 kept, 0 broken." in run.stdout
    for name in (
        "checks is pure: it imports neither scanner nor reports",
        "reports never imports scanner",
    ):
        assert f"{name} KEPT" in run.stdout


def test_the_device_side_contract_names_every_scanner_module_but_the_app() -> None:
    (device,) = [c for c in _contracts() if str(c["name"]).startswith(DEVICE_SIDE)]
    children = {f"scanner.{m.name}" for m in pkgutil.iter_modules(scanner.__path__)}
    assert "scanner.app" in children
    assert set(device["source_modules"]) == children - {"scanner.app"}
    assert set(device["forbidden_modules"]) == {"reports", "scanner.app"}


def _copy(tmp_path: Path) -> Path:
    for package in ("checks", "scanner", "reports"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.json"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        ("checks/facts.py", "import scanner.names", "checks is pure"),
        ("checks/result.py", "from reports import report", "checks is pure"),
        ("reports/render/csv.py", "import scanner.replay", "reports never imports scanner"),
        ("scanner/parse/text.py", "import reports.report", DEVICE_SIDE),
        ("scanner/transport/tcp.py", "from scanner.app import scan", DEVICE_SIDE),
    ],
)
def test_an_import_across_a_layer_breaks_a_contract(
    tmp_path: Path, module: str, bad_import: str, broken: str
) -> None:
    copy = _copy(tmp_path)
    target = copy / module
    target.write_text(
        target.read_text(encoding="utf-8") + f"\n{bad_import}  # noqa\n", encoding="utf-8"
    )
    run = _run(
        "lint-imports",
        "--config",
        str(copy / "pyproject.toml"),
        cwd=copy,
        env={"PYTHONPATH": str(copy)},
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert " 0 broken." not in run.stdout
    flat = " ".join(run.stdout.split())
    assert re.search(re.escape(broken) + r"[^\n]*? BROKEN", flat), run.stdout


def _failing_files(output: str) -> set[str]:
    return {
        m.group(1)
        for m in re.finditer(r"(?:^|--> )((?:scanner|checks|reports)/[\w/]+\.py):\d+", output, re.M)
    }


@pytest.mark.parametrize("tool", ["ruff", "mypy"])
def test_no_file_fails(tool: str) -> None:
    run = _run(str(LINT), tool)
    assert _failing_files(run.stdout) == set(), run.stdout + run.stderr
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("tool", "module", "bad_line"),
    [
        ("ruff", "reports/render/csv.py", "# " + "a line longer than the limit " * 4),
        ("ruff", "scanner/parse/text.py", "for l in (): pass"),
        ("mypy", "checks/facts.py", 'NOT_AN_INT: int = "1"'),
    ],
)
def test_a_bad_line_fails_the_lint_and_is_named(
    tmp_path: Path, tool: str, module: str, bad_line: str
) -> None:
    copy = _copy(tmp_path)
    (copy / ".ci").mkdir()
    shutil.copy(LINT, copy / ".ci" / "lint")
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{bad_line}\n", encoding="utf-8")
    run = _run(str(copy / ".ci" / "lint"), tool, cwd=copy)
    assert run.returncode == 1, run.stdout + run.stderr
    assert _failing_files(run.stdout) == {module}, run.stdout + run.stderr


# Modules whose texts still cite the project's reference folder (../shared), which a user of the
# package never has; their owners this session point them at docs/ (or the lead after merging).
# scanner/recordings/construct.py's is in every recording's metadata: changing it rebuilds them.
CITES_SHARED = frozenset(
    {
        "checks/catalog.py",
        "checks/findings.py",
        "checks/rules/_common.py",
        "reports/i18n/statements.py",
        "scanner/parse/dumpsys_package.py",
        "scanner/parse/package_facts.py",  # split from dumpsys_package.py, same citation
        "scanner/recordings/construct.py",
        "scanner/simphone/__init__.py",
    }
)


def test_the_code_cites_documents_that_ship() -> None:
    modules = sorted(p for d in ("checks", "scanner", "reports") for p in (ROOT / d).rglob("*.py"))
    shared = re.compile(r"\.\./shared/|shared/(?:reference|fixtures|article)\b")
    citing = {str(p.relative_to(ROOT)) for p in modules if shared.search(p.read_text("utf-8"))}
    assert citing <= CITES_SHARED, sorted(citing - CITES_SHARED)
    cited = {m for p in modules for m in re.findall(r"\bdocs/[\w-]+\.md", p.read_text("utf-8"))}
    assert "docs/sources.md" in cited
    assert sorted(d for d in cited if not (ROOT / d).is_file()) == []

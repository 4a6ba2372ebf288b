"""The guide's rule for the product's code: each module small enough to read in one sitting,
at most 400 lines (tests, which are read one case at a time, are not held to it)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400
PACKAGES = ("scanner", "checks", "reports", "bench", "packaging")


def _in(package: str) -> list[Path]:
    """The package's own modules (not a virtual environment kept inside it, e.g. bench's)."""
    return [p for p in (ROOT / package).rglob("*.py") if not any(".venv" in x for x in p.parts)]


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in _in(package))


def test_the_packages_have_modules() -> None:
    assert len(_modules()) > 200  # the rule below is not vacuous


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_is_at_most_400_lines(package: str) -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _in(package)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not long, f"modules over {LIMIT} lines (split them by job): {long}"

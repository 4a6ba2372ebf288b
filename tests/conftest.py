"""Fixtures shared by all tests: the real Android captures in ``../shared/fixtures/android``.

The captures are never copied into this repository (licences and provenance live beside them,
see ``PROVENANCE.md`` there). ``MSGSCAN_FIXTURES`` points somewhere else; without the folder the
tests that need it are skipped locally and fail on CI (``CI=true``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest


def _fixtures_dir() -> Path:
    override = os.environ.get("MSGSCAN_FIXTURES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "android"


def _shared_text(relative: str) -> str:
    """A text from ../shared (found beside fixtures/android); skip locally, fail on CI."""
    path = _fixtures_dir().resolve().parents[1] / relative
    if not path.is_file():
        reason = (
            f"{relative} not found at {path}: check out shared/ beside the repository or set "
            "MSGSCAN_FIXTURES to shared/fixtures/android"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def checklist() -> str:
    """The text of ``shared/reference/checklist.md``, the authority on ids and names."""
    return _shared_text("reference/checklist.md")


@pytest.fixture(scope="session")
def checklist_ids(checklist: str) -> list[str]:
    """The rule ids of checklist.md, in its order."""
    import re

    return re.findall(r"^\|\s*((?:MSG|ORG|DEV)-\d\d)\s", checklist, re.MULTILINE)


@pytest.fixture(scope="session")
def article() -> str:
    """The text of the source article the rules cite."""
    return _shared_text("article/whatsapp-business-use-de.txt")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The folder holding the real captures; skips (fails on CI) when it is missing."""
    folder = _fixtures_dir()
    if not folder.is_dir():
        reason = (
            f"Android captures not found at {folder}: check out shared/ beside the repository "
            "or set MSGSCAN_FIXTURES to the folder holding PROVENANCE.md"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return folder


@pytest.fixture(scope="session")
def capture(fixtures_dir: Path) -> Callable[[str], bytes]:
    """``capture("tekartik-wearos-android11/dumpsys-package-1.txt")`` -> the file's bytes."""

    def read(name: str) -> bytes:
        return (fixtures_dir / name).read_bytes()

    return read


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands pick their language from the locale; tests expect English unless they ask."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(autouse=True, scope="session")
def _quiet_logs() -> None:
    """Library code logs through structlog; tests keep only warnings."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

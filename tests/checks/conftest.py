"""Fixtures for the rule tests: the checklist and the article in ``../shared``.

They are found the way ``tests/conftest.py`` finds the Android captures: beside the repository,
or relative to ``MSGSCAN_FIXTURES`` (which points at ``shared/fixtures/android``). Missing files
skip the tests locally and fail them on CI (``CI=true``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _shared_dir() -> Path:
    override = os.environ.get("MSGSCAN_FIXTURES")
    if override:
        return Path(override).resolve().parents[1]
    return Path(__file__).resolve().parents[2].parent / "shared"


def _shared_text(relative: str) -> str:
    path = _shared_dir() / relative
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
def article() -> str:
    """The text of the source article the rules cite."""
    return _shared_text("article/whatsapp-business-use-de.txt")

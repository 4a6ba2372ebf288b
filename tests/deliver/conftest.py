"""Fixtures for the delivery tests: real receivers and a state database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.agent.state import State
from tests.deliver.peers import Receiver, Rsyslog, need


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[Rsyslog]:
    """A running rsyslogd of the test's own (skips locally without it, fails on CI)."""
    server = Rsyslog(need("rsyslogd", "rsyslog"), tmp_path / "rsyslog")
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[State]:
    db = State.open(tmp_path / "state" / "msgscan.db")
    yield db
    db.close()

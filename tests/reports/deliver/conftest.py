"""Fixtures for the delivery tests: real receivers and a state database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.app.agent.state import State
from tests.scanner.app.agent.test_agent import phones, signer  # noqa: F401 - fixtures shared with the agent tests
from tests.reports.deliver.peers import Receiver, Rsyslog, need


@pytest.fixture(autouse=True)
def _logs_to_a_live_stream() -> None:
    """The CLI tests point structlog at a captured stderr that is closed by now; senders log
    warnings from their own threads, so each test here starts from a stream that exists."""
    import logging

    import structlog

    structlog.reset_defaults()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


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

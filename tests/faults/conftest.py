"""Fixtures for the fault matrix: simulated phones and an adb key, shared with the agent tests."""

from __future__ import annotations

from tests.scanner.app.agent.test_agent import phones, signer  # noqa: F401 - fixtures

"""Review 7: a policy that switches a rule off (``[rules.X] disabled = true``) made the agent
record every open finding of that rule as *resolved* at the next complete scan: the fleet
summary listed them under "resolved" and the SIEM got a Close with workflow Resolved ("no longer
present in a complete scan"), as if the phones had been fixed. Nothing on the phone changed; the
organisation chose not to check. Those findings are now suppressed (as a waiver suppresses a
failure: Close with workflow Suppressed, never counted as failed), and open again as before when
the rule is switched back on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.drift import Lifecycle
from scanner.app.agent.service import Agent
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A16, phones, signer, start, write_config  # noqa: F401

RULE = "MSG-07"
"""Telegram's cloud chats: manual on the Android 16 recording, so open after the first scan."""


def _summary(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (tmp_path / "state" / "reports" / "fleet-summary.json").read_text()
    )
    return data


def _with_policy(config: Path, policy: Path) -> None:
    text = config.read_text().replace("[agent]\n", f'[agent]\npolicy = "{policy}"\n', 1)
    config.write_text(text)


def test_switching_a_rule_off_resolves_nothing(
    tmp_path: Path, phones: list[PhoneServer], signer: Any,  # noqa: F811
) -> None:
    phone = start(phones, phone_server(A16, index=0))
    policy = tmp_path / "policy.toml"
    policy.write_text("[policy]\nname = \"all rules\"\n")
    config = write_config(tmp_path, [phone.address])
    _with_policy(config, policy)
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
        [device] = agent.state.devices()
        before = {str(r.tracked.key): r.tracked for r in agent.state.open_findings(device.id)}
        keys = [k for k in before if k.startswith(RULE + "|")]
        assert keys, sorted(before)

        policy.write_text(
            f"[policy]\nname = \"{RULE} off\"\n[rules.{RULE}]\ndisabled = true\n"
            "reason = \"Telegram is blocked by the MDM\"\n"
        )
        agent.reload()
        agent.scan_round()

        row = _summary(tmp_path)["devices"][0]
        assert not [k for k in row["drift"]["resolved"] if k.startswith(RULE + "|")], row["drift"]
        rows = {str(t.key): t for t in agent.state.previous(device.id).values()}
        for key in keys:
            assert rows[key].lifecycle is not Lifecycle.RESOLVED, rows[key]
            assert rows[key].waived, rows[key]

        # switched on again: the findings are there again, open and no longer suppressed
        policy.write_text("[policy]\nname = \"all rules\"\n")
        agent.reload()
        agent.scan_round()
        rows = {str(t.key): t for t in agent.state.previous(device.id).values()}
        for key in keys:
            assert rows[key].open and not rows[key].waived, rows[key]
    finally:
        agent.close()


def test_the_siem_gets_a_suppressed_close_that_says_why() -> None:
    from datetime import UTC, datetime

    from checks.drift import FindingKey, Tracked, diff
    from checks.findings import Severity, Status
    from scanner.app.agent.delivery import lifecycle

    at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    key = FindingKey(RULE, "org.telegram.messenger", 0)
    before = Tracked(key, Status.MANUAL, Severity.MEDIUM, "Telegram", Lifecycle.NEW, at, at)
    drift = diff({key: before}, (), complete=True, at=at, switched_off=frozenset({RULE}))
    assert (drift.resolved, drift.changed) == ((), (key,))
    [(_, event)] = lifecycle({"findings": []}, drift, {key: before})
    assert event.suppressed and event.activity.name == "CLOSE"
    assert event.finding["status"] == "manual"
    assert event.finding["evidence"][0]["text"] == "switched off by the policy"
    # without the policy's word, the same absence is a resolution (the app is gone)
    assert diff({key: before}, (), complete=True, at=at).resolved == (key,)

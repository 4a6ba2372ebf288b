"""Retention is configurable and stated in each report: "kept until"."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from scanner.app.agent.retention import prune_reports
from scanner.app.agent.service import Agent
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A16, phones, signer, start, write_config  # noqa: F401


def test_reports_state_until_when_they_are_kept(
        tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    server = start(phones, phone_server(A16, index=0))
    config = write_config(tmp_path, [server.address])
    config.write_text(config.read_text().replace(
        "heartbeat_seconds = 1", "heartbeat_seconds = 1\nretention_days = 30\nreports_retention_days = 14"))
    old = tmp_path / "state" / "reports" / "gone-phone.json"
    old.parent.mkdir(parents=True)
    old.write_text('{"schema_version": "1.3"}')  # a report (other JSON is never pruned)
    os.utime(old, (1, 1))
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
    finally:
        agent.close()
    reports = [p for p in (tmp_path / "state" / "reports").glob("*.json") if p.name != "fleet-summary.json"]
    assert len(reports) == 1 and not old.exists()  # the stale file went, the fresh one stayed
    retention = json.loads(reports[0].read_text())["retention"]
    day = date.fromisoformat(json.loads(reports[0].read_text())["scan"]["started"][:10])
    assert retention == {"kept_until": date.fromordinal(day.toordinal() + 14).isoformat(),
                         "history_days": 30, "reports_days": 14}
    assert (tmp_path / "state" / "reports" / "fleet-summary.json").exists()


def test_prune_never_touches_the_summary_or_symlinks(tmp_path: Path) -> None:
    (tmp_path / "fleet-summary.json").write_text("{}")
    (tmp_path / "target").write_text("x")
    (tmp_path / "link.json").symlink_to(tmp_path / "target")
    for p in ("fleet-summary.json",):
        os.utime(tmp_path / p, (1, 1))
    assert prune_reports(tmp_path, 1, {"fleet-summary.json"}) == 0
    assert (tmp_path / "fleet-summary.json").exists() and (tmp_path / "link.json").is_symlink()

"""The agent and signed attestations: the fleet shows what waits for attestation, per phone and
item; `msgscan attest --config` records one in the agent's state and the next round applies it."""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from reports.i18n import Lang
from reports.render.fleet_html import render_fleet
from reports.signing import generate
from scanner.app.agent.service import Agent
from scanner.app.cli import main
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A16, phones, signer, start, write_config  # noqa: F401


def _summary(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tmp_path / "state" / "reports" / "fleet-summary.json").read_text())
    return data


def test_waiting_then_attested(tmp_path: Path, phones: list[PhoneServer], signer: Any,  # noqa: F811
                               capsys: pytest.CaptureFixture[str]) -> None:
    phone = start(phones, phone_server(A16, index=0))
    config = write_config(tmp_path, [phone.address])
    generate(tmp_path / "org.key")
    text = config.read_text().replace("[agent]\n", '[agent]\nsigning_key = "org.key"\n', 1)
    config.write_text(text)

    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
        first = _summary(tmp_path)
        row = first["devices"][0]
        waiting = {w["check_id"]: w["why"] for w in row["awaiting_attestation"]}
        assert "not attested" == waiting["MSG-07"] and "ORG-01" in waiting
        assert first["totals"]["awaiting_attestation"] == len(row["awaiting_attestation"])
        page = html.unescape(render_fleet(first, Lang.EN).decode())
        section = page[page.index("Waiting for attestation"):]
        assert row["device"] in section and "MSG-07" in section
        assert "Wartet auf Bestätigung" in render_fleet(first, Lang.DE).decode()

        until = (date.today() + timedelta(days=30)).isoformat()
        code = main(["attest", "MSG-07", "--device", row["device"], "--by", "Team lead",
                     "--until", until, "--config", str(config)])
        assert 0 == code, capsys.readouterr().err
        agent.scan_round()
        second = _summary(tmp_path)
    finally:
        agent.close()

    row = second["devices"][0]
    assert "MSG-07" not in {w["check_id"] for w in row["awaiting_attestation"]}
    assert "attested" == row["checks"]["MSG-07"]
    report = json.loads((tmp_path / "state" / "reports" / row["last_scan"]["report_file"]).read_text())
    f = next(f for f in report["findings"] if f["check_id"] == "MSG-07")
    assert ("manual", "Team lead", until) == (f["status"], f["attested"]["by"], f["attested"]["until"])
    assert "agent state" in f["attested"]["note"]

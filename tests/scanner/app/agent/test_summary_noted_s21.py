"""The round's summary takes what awaits attestation from what the scan noted when it wrote the
report (session 21: reading every report back was most of the agent's own CPU), and only while
the file is the one written; otherwise it reads the file, as before."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from scanner.app.agent import summary
from scanner.app.agent.attestations import awaiting
from scanner.app.agent.service import Agent
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A16, phones, signer, start, write_config  # noqa: F401


def _summary(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (tmp_path / "state" / "reports" / "fleet-summary.json").read_text()
    )
    return data


def test_noted_items_are_the_files_and_a_changed_file_is_read(
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
    signer: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    phone = start(phones, phone_server(A16, index=0))
    agent = Agent(write_config(tmp_path, [phone.address]), signer=signer)

    def read_back(path: str | None, key: Any = None) -> dict[str, Any]:
        raise AssertionError(f"the summary read {path} back")

    try:
        with monkeypatch.context() as m:
            m.setattr(summary, "_read_back", read_back)
            agent.scan_round()
        row = _summary(tmp_path)["devices"][0]
        path = tmp_path / "state" / "reports" / row["last_scan"]["report_file"]
        noted = summary._noted(str(path))
        assert noted is not None and noted[1] is not None  # the summary did not read the file
        from_file = awaiting(json.loads(path.read_bytes()))
        assert from_file and noted[1] == from_file == row["awaiting_attestation"]

        # The report replaced behind the agent's back: what it says now counts, not the note.
        report = json.loads(path.read_bytes())
        for f in report["findings"]:
            if f["status"] == "manual":
                f["attested"] = {"by": "someone"}
        path.write_text(json.dumps(report))
        os.utime(path, ns=(1, 1))
        assert summary._noted(str(path)) is None
        assert summary._view(str(path))[1] == [] != from_file
    finally:
        agent.close()


def test_awaiting_sees_the_item_as_the_file_has_it() -> None:
    finding = {
        "check_id": "MSG-07",
        "status": "manual",
        "attested": None,
        "package": "com.whats\x1b[2Japp",
        "profile": None,
        "evidence": [{"text": "attestation not\x1b[0m applied"}],
    }
    assert awaiting({"findings": [finding]}) == [
        {"check_id": "MSG-07", "package": "com.whatsapp", "profile": None, "why": "not applied"}
    ]
    assert awaiting({"findings": [{**finding, "attested": {"by": "x"}}]}) == []
    assert awaiting({"findings": "nonsense"}) == [] and awaiting([]) == []

"""A fleet page that never hides risk: an unreachable phone keeps its last known failures,
marked stale with their date, and stays in the verdict; a first round marks nothing "new"."""

from __future__ import annotations

import json
from pathlib import Path

from reports.i18n import Lang
from reports.integrity import Outcome, verify
from reports.render.fleet_html import render_fleet
from scanner.app.agent.service import Agent
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A14, A16, phones, signer, start, write_config  # noqa: F401


def _summary(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((tmp_path / "state" / "reports" / "fleet-summary.json").read_text())


def test_unreachable_failing_phone_stays_counted_and_stale(
        tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    failing = start(phones, phone_server(A16, index=0))
    other = start(phones, phone_server(A14, index=1))
    agent = Agent(write_config(tmp_path, [failing.address, other.address]), signer=signer)
    try:
        agent.scan_round()
        first = _summary(tmp_path)
        failing.stop()
        agent.scan_round()
        second = _summary(tmp_path)
    finally:
        agent.close()

    # Round 1: every phone is on its first scan; nothing is "new".
    assert first["totals"]["first_scans"] == 2 and first["totals"]["new"] == 0
    assert all(d["first_scan"] and d["drift"]["new"] == [] for d in first["devices"])
    before = first["totals"]["non_compliant"]
    assert before >= 1

    # Round 2: the failing phone is unreachable, still counted, marked stale with its date.
    row = next(d for d in second["devices"] if d["device"] == failing.address)
    assert row["state"] == "unreachable"
    assert row["stale"] is True and row["known_failed"] > 0
    assert row["results_from"] == first["devices"][[d["device"] for d in first["devices"]].index(
        failing.address)]["last_scan"]["finished"]
    assert "fail" in row["checks"].values()
    assert second["totals"]["non_compliant"] == before and second["totals"]["stale"] == 1
    assert row["model"] and row["last_scan"]["report_file"].endswith(".json")
    assert second["totals"]["per_check"]["MSG-01"] or second["totals"]["per_check"]

    page = render_fleet(second, Lang.EN).decode()
    assert f"NOT COMPLIANT: {before} of 2 phones" in page
    assert "stale: results of " + row["results_from"][:10] in page
    assert f'href="{row["last_scan"]["report_file"]}"' in page
    assert '<ol class="notes src">' in page and 'href="#note-1"' in page  # the error as a footnote
    assert "<tfoot>" in page
    # The summary carries its digest (unsigned here: no [agent] signing_key).
    data = (tmp_path / "state" / "reports" / "fleet-summary.json").read_bytes()
    assert verify(data).outcome is Outcome.CANNOT_TELL and "not signed" in verify(data).message

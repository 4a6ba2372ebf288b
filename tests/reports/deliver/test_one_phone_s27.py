"""boot12 (session 27): what a SIEM behind rsyslog receives for one phone reached two ways.

One running phone on two endpoints (one simulated responder, one boot id) is one phone: its
findings are created once, under one set of finding uids, and the Closes of the scan after it
was fixed (and rebooted) carry the same uids. Clones under one serial (two responders) send
nothing, as twins always did (docs/siem.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from scanner.app.agent.service import Agent
from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.phone import RecordedPhone
from tests.reports.deliver.peers import Rsyslog, assert_ocsf
from tests.scanner.app.agent.test_agent import A16, start, write_config
from tests.scanner.app.agent.test_identity import with_serial
from tests.scanner.app.agent.test_twins_gone_s26 import CLEAN_CLONE

OWN = "R5CX27SIEMONE"


def _server(phone: RecordedPhone) -> PhoneServer:
    return PhoneServer(phone, serial="ignored", product="pa3q", model="SM-S936B",
                       device="pa3q", auth=AuthPolicy(accept_any_key=True))  # fmt: skip


def _config(tmp: Path, endpoints: list[str], rsyslog: Rsyslog) -> Path:
    config = write_config(tmp, endpoints)
    config.write_text(
        config.read_text()
        + f"""
[destinations.siem]
type = "syslog"
host = "127.0.0.1"
port = {rsyslog.tcp}
protocol = "tcp"
format = "ocsf"
"""
    )
    return config


def _events(rsyslog: Rsyslog, count: int, wait: float = 10.0) -> list[dict]:  # type: ignore[type-arg]
    parsed = [json.loads(line) for line in rsyslog.lines("parsed", count=count, timeout=wait)]
    events = [json.loads(p["msg"].lstrip("\ufeff")) for p in parsed]
    return [e for e in events if e["class_uid"] == 2003]  # not the agent's health


def _round(tmp: Path, signer, servers: list[PhoneServer], rsyslog: Rsyslog) -> int:  # type: ignore[no-untyped-def]
    """One round; returns the open findings the state holds for the phone."""
    agent = Agent(_config(tmp, [s.address for s in servers], rsyslog), signer=signer)
    try:
        agent.scan_round()
        assert agent.delivery.flush(10)
        return len(agent.state.open_findings(OWN))
    finally:
        agent.close()


def test_one_phone_on_two_links_is_one_phone_in_the_siem(  # type: ignore[no-untyped-def]
    tmp_path: Path, phones, signer, rsyslog: Rsyslog
) -> None:
    phone = RecordedPhone(with_serial(A16, OWN))
    open_now = _round(tmp_path, signer, [start(phones, _server(phone)) for _ in range(2)], rsyslog)
    first = _events(rsyslog, open_now)
    assert open_now and len(first) == open_now == assert_ocsf(first)
    assert {e["activity_id"] for e in first} == {1}
    uids = [e["finding_info"]["uid"] for e in first]
    assert len(set(uids)) == len(uids)  # each finding once, not once per link
    fixed = RecordedPhone(with_serial(CLEAN_CLONE, OWN))  # fixed, and rebooted: a new boot id
    _round(tmp_path, signer, [start(phones, _server(fixed)) for _ in range(2)], rsyslog)
    later = _events(rsyslog, len(first) + 9)[len(first) :]
    closed = {e["finding_info"]["uid"] for e in later if e["activity_id"] == 3}
    assert len(closed) >= 9 and closed <= set(uids)  # closed under the uids they were created
    for boot in (phone._shell.boot_id.strip(), fixed._shell.boot_id.strip()):  # never sent
        assert len(boot) == 36 and boot not in rsyslog.raw.read_text(encoding="utf-8")


def test_clones_send_nothing(tmp_path: Path, phones, signer, rsyslog: Rsyslog) -> None:  # type: ignore[no-untyped-def]
    clones = [start(phones, _server(RecordedPhone(with_serial(A16, OWN)))) for _ in range(2)]
    assert _round(tmp_path, signer, clones, rsyslog) == 0
    assert _events(rsyslog, 1, wait=2.0) == []  # the agent flushed: none is on its way


def _page_failed(tmp: Path) -> int:
    summary = json.loads((tmp / "state" / "reports" / "fleet-summary.json").read_text())
    [row] = [d for d in summary["devices"] if d["device"] == OWN]
    return int(row["known_failed"])


def test_a_vanished_twins_failures_stay_open_in_the_siem(  # type: ignore[no-untyped-def]
    tmp_path: Path, phones, signer, rsyslog: Rsyslog
) -> None:
    """The clean clone left answering closes in the SIEM none of the failing clone's failures
    (nothing closes until `msgscan agent --adopt`: the lead, session 27)."""
    failing = RecordedPhone(with_serial(A16, OWN))
    clean = RecordedPhone(with_serial(CLEAN_CLONE, OWN))  # a clone: same serial, own boot
    alone = start(phones, _server(failing))
    opened = _round(tmp_path, signer, [alone], rsyslog)
    created = _events(rsyslog, opened)
    fails = {e["finding_info"]["uid"] for e in created if e["status_id"] == 1}
    twin = start(phones, _server(clean))
    _round(tmp_path, signer, [alone, twin], rsyslog)  # two phones as OWN: nothing is sent
    alone.stop()
    for _ in range(2):  # the failing clone is gone: held, then the history moves on
        _round(tmp_path, signer, [twin], rsyslog)
    assert _page_failed(tmp_path) >= 9  # the page keeps the vanished twin's failures
    later = _events(rsyslog, len(created) + 1, wait=3.0)[len(created) :]
    closed = {e["finding_info"]["uid"] for e in later if e["activity_id"] == 3}
    assert not closed & fails, "the SIEM closed what no scan of the failing phone resolved"

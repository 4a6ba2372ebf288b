"""A swapped phone's SIEM identity (session 24): the earlier phone's findings and the new
phone's behind the same id never share a finding uid, so that a Close for one cannot close the
other in a SIEM, and the earlier phone's findings keep the uid the SIEM already has."""

from __future__ import annotations

from pathlib import Path

from scanner.app.agent.service import Agent
from scanner.simphone import AuthPolicy, PhoneServer
from tests.scanner.app.agent.test_agent import (  # noqa: F401
    A14,
    A16,
    SwitchablePhone,
    phones,
    signer,
    start,
    write_config,
)
from tests.scanner.app.agent.test_identity_s23 import _events, _with_file_destination


def _round(config: Path, signer, tmp_path: Path) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]  # noqa: F811
    before = len(_events(tmp_path))
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
        assert agent.delivery.flush(10)
    finally:
        agent.close()
    return _events(tmp_path)[before:]


def _uids(events: list[dict]) -> set[str]:  # type: ignore[type-arg]
    return {e["finding_info"]["uid"] for e in events}


def test_the_new_phone_never_shares_a_finding_uid_with_the_one_it_replaced(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    phone = SwitchablePhone(A16)
    server = start(phones, PhoneServer(phone, serial="x", product="pa2q", model="SM-S936B",
                                       device="pa2q", auth=AuthPolicy(accept_any_key=True)))
    config = _with_file_destination(write_config(tmp_path, [server.address]))
    old = _round(config, signer, tmp_path)
    assert old
    old_scan = {e["metadata"]["correlation_uid"] for e in old}
    phone.switch(A14)  # a Pixel answers at the address now
    swap = _round(config, signer, tmp_path)
    resent = [e for e in swap if e["metadata"]["correlation_uid"] in old_scan]
    new = [e for e in swap if e["metadata"]["correlation_uid"] not in old_scan]
    assert resent and new
    # the earlier phone's open findings keep the uid the SIEM has for them: stable, not closed
    assert _uids(resent) <= _uids(old) and all(e["activity_name"] != "Close" for e in resent)
    assert all(f"{server.address}~1" in " ".join(e["compliance"]["status_details"])
               for e in resent)  # where the agent keeps them
    # ... and the new phone's findings have uids of their own, events ids too
    assert _uids(new).isdisjoint(_uids(old)), "a Close of the new phone would close the old one's"
    assert {e["metadata"]["uid"] for e in new}.isdisjoint({e["metadata"]["uid"] for e in old})
    assert all(e["unmapped"]["msgscan"]["lineage"] == 1 for e in new)
    assert all(e["device"]["uid"] == server.address for e in swap)  # the id the SIEM knows
    # the Samsung comes back: a swap again, a third phone behind the id, a third set of uids
    phone.switch(A16)
    back = _round(config, signer, tmp_path)
    pixel_scan = {e["metadata"]["correlation_uid"] for e in new}
    again = [e for e in back if e["metadata"]["correlation_uid"] in pixel_scan]
    third = [e for e in back if e["metadata"]["correlation_uid"] not in pixel_scan]
    assert again and third and _uids(again) <= _uids(new)
    assert all(f"{server.address}~2" in " ".join(e["compliance"]["status_details"])
               for e in again)
    assert _uids(third).isdisjoint(_uids(old) | _uids(new)), "two phones' findings share a uid"
    assert all(e["unmapped"]["msgscan"]["lineage"] == 2 for e in third)


# -- the pieces -------------------------------------------------------------------------------


def test_a_finding_uid_names_the_phone_behind_the_id() -> None:
    from reports.render.ocsf import finding_uid

    first = finding_uid("S", "MSG-03", "S/0/com.whatsapp")
    assert finding_uid("S", "MSG-03", "S/0/com.whatsapp", 0) == first  # as it always was
    later = {finding_uid("S", "MSG-03", "S/0/com.whatsapp", n) for n in (1, 2, 3)}
    assert len(later) == 3 and first not in later
    assert finding_uid("S", "MSG-03", "S/0/com.whatsapp", 1) == finding_uid(
        "S", "MSG-03", "S/0/com.whatsapp", 1)  # stable


def _state_with_history(tmp_path: Path):  # type: ignore[no-untyped-def]
    from checks.findings import Status
    from scanner.app.agent.state import State
    from tests.scanner.app.agent.test_drift import finding
    from tests.scanner.app.agent.test_lineage_s23 import _scan

    state = State.open(tmp_path / "s.db")
    _scan(state, "S", 0, [finding(Status.FAIL)])
    return state


def test_retired_names_and_lineages_are_never_reused(tmp_path: Path) -> None:
    from scanner.app.agent import lineage
    from tests.scanner.app.agent.test_lineage_s23 import T0, T1

    with _state_with_history(tmp_path) as state:
        with state.transaction() as tx:
            assert lineage.number(tx, "S") == 0 and lineage.number(tx, "nobody") == 0
            assert lineage.retire(tx, "S", why="one", at=T0) == "S~1"
            assert lineage.number(tx, "S") == 1 and lineage.number(tx, "S~1") == 0
            # the history is forgotten (`msgscan agent history --forget`): its name stays spent
            tx.execute("DELETE FROM findings WHERE device_id = 'S~1'")
            tx.execute("DELETE FROM scans WHERE device_id = 'S~1'")
            tx.execute("DELETE FROM devices WHERE id = 'S~1'")
            assert lineage.retire(tx, "S", why="two", at=T1) == "S~2"
            assert lineage.number(tx, "S") == 2 and lineage.number(tx, "S~2") == 1
        rows = {d.id: d for d in state.devices()}
        assert rows["S~2"].siem_name == "S" and rows["S"].siem_name is None
        # a device that happens to be called like a retired history is skipped, not merged
        from scanner.app.agent.rows import DeviceState, Via

        state.seen_device("S~3", via=Via.USB, state=DeviceState.SCANNED, at=T1)
        with state.transaction() as tx:
            assert lineage.retire(tx, "S", why="three", at=T1) == "S~4"
            assert lineage.number(tx, "S") == 4


def test_a_schema_4_state_file_loads_and_loses_nothing(tmp_path: Path) -> None:
    """A state of session 23 with a history retired then (created again under its own name):
    every row is kept, each id is its first phone, and the retired one keeps its name."""
    import sqlite3

    from scanner.app.agent import lineage
    from scanner.app.agent.migrations import MIGRATIONS, SCHEMA_VERSION, statements
    from scanner.app.agent.state import State
    from tests.scanner.app.agent.test_drift import KEY
    from tests.scanner.app.agent.test_lineage_s23 import T0

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        for statement in statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    at = T0.isoformat()
    for device, state, trait in (("S", "scanned", "a\x1fb\x1fc\x1fd"), ("S~1", "replaced", "x")):
        conn.execute("INSERT INTO devices VALUES (?, 'tcp', ?, ?, ?, NULL, 'M', NULL, ?, 7)",
                     (device, at, at, state, trait))
        conn.execute("INSERT INTO scans (id, device_id, started, finished, state, complete,"
                     " verdict) VALUES (?, ?, ?, ?, 'scanned', 1, 'fail')",
                     (f"s-{device}", device, at, at))
        conn.execute("UPDATE devices SET last_scan_id = ? WHERE id = ?", (f"s-{device}", device))
        conn.execute("INSERT INTO findings VALUES (?, ?, 'MSG-03', 'com.whatsapp', 0, 'fail',"
                     " 'high', 't', 'new', ?, ?, NULL, 0, ?)", (device, str(KEY), at, at,
                                                             f"s-{device}"))
    conn.commit()
    conn.close()
    with State.open(path) as state:
        assert SCHEMA_VERSION >= 5  # and 6: tests/scanner/app/agent/test_retired_mark_s25.py
        rows = {d.id: d for d in state.devices()}
        assert set(rows) == {"S", "S~1"}
        for device in rows:
            d = rows[device]
            assert (d.last_scan_id, d.model, d.ambiguous_round, d.lineage, d.siem_name) == (
                f"s-{device}", "M", 7, 0, None), d
            assert state.previous(device)[KEY].open
        assert rows["S"].trait == "a\x1fb\x1fc\x1fd" and rows["S~1"].trait == "x"
        with state.transaction() as tx:  # a swap after the upgrade: the next free name
            assert lineage.retire(tx, "S", why="again", at=T0) == "S~2"
            assert lineage.number(tx, "S") == 2


def test_ecs_carries_the_lineage_only_when_there_is_one() -> None:
    from datetime import UTC, datetime

    from reports.render.ecs import ecs_from_ocsf as ecs_document
    from reports.render.ocsf import Activity, Occurrence, ocsf_event
    from reports.render.ocsf_context import ScanContext

    ctx = ScanContext("s1", datetime(2026, 12, 3, tzinfo=UTC), "1", "S", "default", None, False)
    f = {"check_id": "MSG-03", "status": "fail", "severity": "high", "package": "com.whatsapp",
         "profile": 0, "title": "t", "evidence": [], "remediation": [],
         "article_ref": {"section": "", "ref": ""}, "waived": None}
    report = {"device": {}, "scan": {"complete": True}}
    first = ocsf_event(ctx, report, Occurrence(f, Activity.CREATE))
    from dataclasses import replace

    third = ocsf_event(replace(ctx, lineage=2), report, Occurrence(f, Activity.CREATE))
    assert "lineage" not in first["unmapped"]["msgscan"]
    assert third["unmapped"]["msgscan"]["lineage"] == 2
    assert first["finding_info"]["uid"] != third["finding_info"]["uid"]
    assert first["metadata"]["uid"] != third["metadata"]["uid"]
    assert "lineage" not in ecs_document(first)["msgscan"]["finding"]
    assert ecs_document(third)["msgscan"]["finding"]["lineage"] == 2


# -- a swap for another unit of the same model -------------------------------------------------


def test_a_same_model_swap_behind_an_address_is_told_by_the_phones_own_serial(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """A DHCP lease moves to an identical fleet phone: over TCP the agent keys a phone by its own
    ``ro.serialno`` (read in the getprop every scan runs), so the new phone is another device and
    its clean scan resolves nothing of the earlier one's. No hashed serial is kept beside the id:
    it would say what the id says (README, "Fleet agent")."""
    from scanner.app.agent.identity import describe
    from tests.scanner.app.agent.test_agent import with_telegram
    from tests.scanner.app.agent.test_identity import with_serial

    phone = SwitchablePhone(with_serial(with_telegram(), "PIXEL7A0001"))
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    telegram = "MSG-07|org.telegram.messenger|0"

    def round_open() -> dict[str, dict[str, str]]:
        agent = Agent(config, signer=signer)
        try:
            agent.scan_round()
            return {d.id: {str(k): t.lifecycle.value for k, t in agent.state.previous(d.id).items()}
                    for d in agent.state.devices()} | {
                "_traits": {d.id: describe(d.trait) for d in agent.state.devices()}}
        finally:
            agent.close()

    assert round_open()["PIXEL7A0001"][telegram] == "new"
    phone.switch(with_serial(A14, "PIXEL7A0002"))  # the same model, without Telegram
    after = round_open()
    assert after["PIXEL7A0001"][telegram] == "new", "the other unit resolved it"
    assert telegram not in after["PIXEL7A0002"]
    assert after["_traits"] == {"PIXEL7A0001": "Google Pixel 7a (lynx)",
                                "PIXEL7A0002": "Google Pixel 7a (lynx)"}
    # the limit, as the README states it: units sharing AOSP's placeholder serial are known by
    # their address, and one of them swapped for another of the same model is not noticed
    other = tmp_path / "placeholder"
    other.mkdir()
    phone.switch(with_serial(with_telegram(), "0123456789ABCDEF"))
    config = write_config(other, [server.address])
    assert round_open()[server.address][telegram] == "new"
    phone.switch(with_serial(A14, "0123456789ABCDEF"))
    assert round_open()[server.address][telegram] == "resolved"  # unnoticed: the README says so


def test_open_events_sends_the_keys_asked_for_as_the_finding_was_sent(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """``lineage.open_events`` (a twin's Close put back, a retired history): a Create for each
    key asked for and no other, with the article the finding cites, under its own uid."""
    import json
    from datetime import UTC, datetime

    from scanner.app.agent import lineage
    from reports.render.ocsf_context import ScanContext

    server = start(phones, PhoneServer(SwitchablePhone(A16), serial="x", product="pa2q",
                                       model="SM-S936B", device="pa2q",
                                       auth=AuthPolicy(accept_any_key=True)))
    config = _with_file_destination(write_config(tmp_path, [server.address]))
    sent = {e["finding_info"]["uid"]: e for e in _round(config, signer, tmp_path)}
    agent = Agent(config, signer=signer)
    try:
        keys = sorted(str(r.tracked.key) for r in agent.state.open_findings(server.address))
        assert len(keys) > 2
        ctx = ScanContext("later", datetime.now(UTC), "1", server.address, "p", None, False)
        with agent.state.transaction() as tx:
            tx.execute("DELETE FROM outbox")
            n = lineage.open_events(tx, agent.delivery, server.address, ctx, "why", ctx.finished,
                                    keys[:2])
            queued = [json.loads(r[0]) for r in tx.execute("SELECT payload FROM outbox")]
    finally:
        agent.close()
    assert n == 2 and len(queued) == 2
    for ev in queued:
        before = sent[ev["finding_info"]["uid"]]  # the uid the SIEM has
        assert ev["activity_name"] == "Create" and ev["compliance"]["status_details"] == ["why"]
        assert ev["compliance"]["requirements"] == before["compliance"]["requirements"]
        assert ev["compliance"]["requirements"][0] != ": "  # an article section and its quote

"""Whose history a scan continues, piece by piece: the trait (``identity``), a scan that may
close nothing (``drift.diff(resolve=False)``), the state's side (``lineage``), twin serials at
discovery (``targets``), and a state file of schema 3 opened by this msgscan."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from checks.drift import FindingKey, Lifecycle, diff
from checks.facts import DeviceIdentity, Encryption
from checks.findings import Status
from scanner.app.agent import lineage
from scanner.app.agent import targets as found
from scanner.app.agent.identity import describe, differs, legacy, trait_of
from scanner.app.agent.migrations import MIGRATIONS, SCHEMA_VERSION, statements
from scanner.app.agent.rows import DeviceState, ScanRow, Via
from scanner.app.agent.state import State
from tests.scanner.app.agent.test_drift import KEY, OPEN_FAIL, T1, finding
from tests.scanner.transport.fake_usb import FakeBackend
from tests.scanner.transport.fake_usb import phone as usb_phone

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def identity(**parts: Any) -> DeviceIdentity:
    base: dict[str, Any] = dict(
        manufacturer="samsung", brand="samsung", model="SM-S936B", device="pa2q", release="16",
        sdk=36, security_patch=date(2026, 6, 5), encryption=Encryption.FILE_BASED,
        build_fingerprint="samsung/pa2q/pa2q:16/MSGSCAN.36/1:user/release-keys",
    )
    return DeviceIdentity(**(base | parts))


# -- the trait -------------------------------------------------------------------------------


def test_the_trait_is_the_model_not_the_build() -> None:
    a = trait_of(identity())
    assert a is not None and describe(a) == "samsung SM-S936B (pa2q)"
    # an update changes the fingerprint, the patch and the release: the same phone
    updated = identity(build_fingerprint="samsung/pa2q/pa2q:17/X/2:user/release-keys",
                       release="17", sdk=37, security_patch=date(2027, 1, 5))
    assert trait_of(updated) == a and not differs(a, trait_of(updated))
    for part, other in (("manufacturer", "Google"), ("brand", "google"), ("model", "Pixel 7a"),
                        ("device", "lynx")):
        assert differs(a, trait_of(identity(**{part: other}))), part
    # the brand stands in for a missing manufacturer
    assert describe(trait_of(identity(manufacturer=None))) == "samsung SM-S936B (pa2q)"
    assert describe(trait_of(identity(device=None))) == "samsung SM-S936B"


def test_an_unknown_part_is_no_difference() -> None:
    a = trait_of(identity())
    assert not differs(a, trait_of(identity(model=None)))  # a garbled property: not another phone
    assert not differs(a, None) and not differs(None, a)
    assert trait_of(identity(manufacturer=None, brand=None, model=None, device=None)) is None
    assert trait_of(object()) is None  # getprop not seen
    assert describe(None) == "an unknown phone"
    # the separator inside a value is a blank: still four parts, the same phone as itself
    odd = trait_of(identity(model="SM\x1fS936B"))
    assert describe(odd) == "samsung SM S936B (pa2q)" and not differs(odd, odd)
    assert differs(odd, trait_of(identity()))
    assert describe(trait_of(identity(manufacturer=None, brand=None, model=None))) == "a phone (pa2q)"


def test_an_old_row_is_compared_by_its_model() -> None:
    old = legacy("SM-S936B")
    assert legacy(None) is None and legacy("") is None
    assert not differs(old, trait_of(identity()))
    assert differs(old, trait_of(identity(model="Pixel 7a")))
    assert describe(old) == "SM-S936B"
    assert differs("SM-S936B", trait_of(identity(model="Pixel 7a")))  # a bare model string


# -- a scan that may close nothing -----------------------------------------------------------


def test_an_unconfirmed_scan_resolves_nothing_but_records_the_rest() -> None:
    other = FindingKey("MSG-04", "com.whatsapp", 0)
    previous = {KEY: OPEN_FAIL}
    now = [finding(Status.PASS), finding(Status.FAIL, check_id="MSG-04")]
    closing = diff(previous, now, complete=True, at=T1)
    assert closing.resolved == (KEY,)
    held = diff(previous, now, complete=True, at=T1, resolve=False)
    assert held.resolved == () and held.kept == (KEY,) and held.new == (other,)
    assert {r.key: r for r in held.rows}[KEY] == OPEN_FAIL
    gone = diff(previous, [], complete=True, at=T1, resolve=False)  # absent: not resolved either
    assert gone.resolved == () and gone.rows == (OPEN_FAIL,)


# -- the state's side ------------------------------------------------------------------------


def _scan(state: State, device: str, n: int, findings: list[Any], **kw: Any) -> ScanRow:
    at = T0 + timedelta(hours=n)
    state.seen_device(device, via=Via.TCP, state=DeviceState.SCANNED, at=at, model="SM-S936B")
    row = ScanRow(f"s{n}", None, device, at, at, DeviceState.SCANNED, True, "fail", 50.0, 1,
                  f"/r/{device}.json")
    with state.transaction() as tx:
        state.apply_scan(tx, scan=row, findings=findings, **kw)
    return row


def test_retire_moves_the_whole_history_and_starts_again(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        _scan(state, "S", 0, [finding(Status.FAIL)])
        with state.transaction() as tx:
            lineage.set_trait(tx, "S", "x")
            tx.execute("INSERT INTO sent_findings VALUES ('siem', 'S', ?, 't')", (str(KEY),))
            first = lineage.retire(tx, "S", why="replaced: test", at=T1, report="/r/S.json")
        assert first == "S~1"
        devices = {d.id: d for d in state.devices()}
        assert devices["S~1"].last_state is DeviceState.REPLACED
        assert devices["S~1"].last_error == "replaced: test" and devices["S~1"].trait == "x"
        assert devices["S~1"].last_scan_id == "s0" and devices["S~1"].model == "SM-S936B"
        assert devices["S"].first_seen == T1 and devices["S"].last_scan_id is None
        assert devices["S"].trait is None and devices["S"].model is None
        assert state.previous("S") == {} and state.previous("S~1")[KEY].open
        assert [s.id for s in state.history("S~1")] == ["s0"] and state.history("S") == []
        assert state.history("S~1")[0].report_path is None  # the file is the new phone's now
        sent = state._rows("SELECT device_id FROM sent_findings")
        assert [r[0] for r in sent] == ["S~1"]
        with state.transaction() as tx:
            assert lineage.retire(tx, "S", why="again", at=T1) == "S~2"


def test_undo_puts_back_what_a_scan_changed(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        _scan(state, "S", 0, [finding(Status.FAIL)])
        before = [tuple(r) for r in state._rows("SELECT * FROM findings")]
        other = FindingKey("MSG-04", "com.whatsapp", 0)
        _scan(state, "S", 1, [finding(Status.FAIL, check_id="MSG-04")])  # resolves KEY, opens other
        assert not state.previous("S")[KEY].open
        with state.transaction() as tx:
            lineage.undo(tx, "S", ((str(KEY), str(other)), before))
            lineage.mark(tx, ["s1"], "twins")
            lineage.ambiguous(tx, "S", 7, "twins")
        assert [tuple(r) for r in state._rows("SELECT * FROM findings")] == before
        scan = state.history("S")[0]
        assert (scan.id, scan.state, scan.error) == ("s1", DeviceState.AMBIGUOUS, "twins")
        row = lineage.device(state, "S")
        assert row is not None and row.ambiguous_round == 7
        assert row.last_state is DeviceState.AMBIGUOUS and row.last_error == "twins"
        with state.transaction() as tx:
            lineage.ambiguous(tx, "S", None, "held")  # the next round's: keeps its round
        assert lineage.device(state, "S").ambiguous_round == 7  # type: ignore[union-attr]
        assert lineage.device(state, "nobody") is None


def test_held_only_in_the_round_after_twins(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        rounds = [state.begin_round(T0 + timedelta(hours=n)) for n in range(3)]
        state.seen_device("S", via=Via.TCP, state=DeviceState.SCANNED, at=T0)
        assert not lineage.held(state, lineage.device(state, "S"), rounds[1])
        assert not lineage.held(state, None, rounds[1])
        with state.transaction() as tx:
            lineage.ambiguous(tx, "S", rounds[0], "twins")
            tx.execute(_insert_scan(), ("a", rounds[0]))
        row = lineage.device(state, "S")
        assert lineage.held(state, row, rounds[1]) and lineage.held(state, row, None)
        with state.transaction() as tx:
            tx.execute(_insert_scan(), ("b", rounds[1]))
        assert not lineage.held(state, row, rounds[2])


def _insert_scan() -> str:
    return ("INSERT INTO scans (id, round_id, device_id, started, finished, state, complete)"
            f" VALUES (?, ?, 'S', '{T0.isoformat()}', '{T0.isoformat()}', 'scanned', 1)")


def test_withdrawn_events_are_the_scans_own(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.db") as state:
        with state.transaction() as tx:
            for n, scan in enumerate(("s1", "s1", "s2")):
                tx.execute(
                    "INSERT INTO outbox (destination, event_id, payload, created) VALUES"
                    " ('siem', ?, ?, 't')",
                    (f"e{n}", json.dumps({"metadata": {"correlation_uid": scan}})),
                )
            assert lineage.unsent(tx, "s1") == 2
        assert [r[0] for r in state._rows("SELECT event_id FROM outbox")] == ["e2"]


# -- twin serials at discovery ---------------------------------------------------------------


def test_usb_phones_sharing_a_serial_are_sightings_not_one_scan() -> None:
    backend = FakeBackend([usb_phone("0123456789ABCDEF", address=5),
                           usb_phone("0123456789ABCDEF", address=6), usb_phone("R58OWN")])
    targets, sightings = found.find(usb=True, use_server=False, endpoints=(), usb_backend=backend)
    assert [t.id for t in targets] == ["R58OWN"]
    assert [(s.id, s.state) for s in sightings] == [("0123456789ABCDEF", "ambiguous")]
    assert "2 USB phones report the serial 0123456789ABCDEF" in sightings[0].detail


def test_adb_server_phones_sharing_a_serial_are_sightings(monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.transport.server import ServerDevice

    listed = [ServerDevice("CLONE1", "device"), ServerDevice("CLONE1", "device"),
              ServerDevice("R58OWN", "device")]
    monkeypatch.setattr(found.adb_server, "probe_server", lambda: "ok")
    monkeypatch.setattr(found.adb_server, "list_devices", lambda: listed)
    targets, sightings = found.find(usb=False, use_server=True, endpoints=())
    assert [t.id for t in targets] == ["R58OWN"]
    assert [(s.id, s.via, s.state) for s in sightings] == [("CLONE1", "server", "ambiguous")]
    assert "2 phones at the adb server report the serial CLONE1" in sightings[0].detail


def test_targets_found_later_carry_a_later_stamp() -> None:
    a = found.Target("x", "tcp", "h", 1)
    b = found.Target("x", "tcp", "h", 1)
    assert a == b and b.since_ns >= a.since_ns > 0


# -- an old state file -----------------------------------------------------------------------


def test_a_schema_3_state_file_loads_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        for statement in statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.execute(
        "INSERT INTO devices VALUES ('S', 'tcp', ?, ?, 'scanned', NULL, 'SM-S936B', NULL)",
        (T0.isoformat(), T0.isoformat()),
    )
    conn.execute("INSERT INTO scans (id, device_id, started, finished, state, complete, verdict)"
                 " VALUES ('s0', 'S', ?, ?, 'scanned', 1, 'fail')", (T0.isoformat(), T0.isoformat()))
    conn.execute("UPDATE devices SET last_scan_id = 's0'")
    conn.execute(
        "INSERT INTO findings VALUES ('S', ?, 'MSG-03', 'com.whatsapp', 0, 'fail', 'high', 't',"
        " 'new', ?, ?, NULL, 0, 's0')", (str(KEY), T0.isoformat(), T0.isoformat()))
    conn.commit()
    conn.close()
    with State.open(path) as state:
        assert SCHEMA_VERSION >= 4  # and what later migrations add (test_lineage_s24)
        (d,) = state.devices()
        assert (d.id, d.model, d.last_scan_id, d.trait, d.ambiguous_round) == (
            "S", "SM-S936B", "s0", None, None)
        assert state.previous("S")[KEY].lifecycle is Lifecycle.NEW
        assert [s.id for s in state.last_scans()] == ["s0"]
        # the first scan after the upgrade compares the model the old row kept
        assert differs(d.trait or legacy(d.model), trait_of(identity(model="Pixel 7a")))
        assert not differs(d.trait or legacy(d.model), trait_of(identity()))


# -- each twin keeps its report ---------------------------------------------------------------


def test_a_report_name_is_claimed_once_a_round(tmp_path: Path) -> None:
    import os
    import time
    from types import SimpleNamespace

    from reports.render.json import JsonRenderer
    from scanner.app.agent.scanned import ReportJob, _own_path, _unclaim

    job = ReportJob(tmp_path, JsonRenderer())
    one = SimpleNamespace(device_name="S", scan_id="aaaaaaaa-1")
    two = SimpleNamespace(device_name="S", scan_id="bbbbbbbb-2")
    assert _own_path(job, one, 0) == tmp_path / "S.json"  # outside a round: no claim
    assert not (tmp_path / "S.json").exists()
    old = tmp_path / "S.json"
    old.write_text("{}")
    os.utime(old, (1, 1))  # the last round's report
    since = time.time_ns()
    assert _own_path(job, one, since) == old  # replaces the last round's
    assert old.stat().st_mtime_ns >= since and old.read_text() == "{}"  # claimed, kept
    assert _own_path(job, two, since) == tmp_path / "S-bbbbbbbb.json"  # the twin's own
    fresh = tmp_path / "N.json"
    assert _own_path(job, SimpleNamespace(device_name="N", scan_id="c"), since) == fresh
    assert fresh.stat().st_size == 0  # claimed by an empty file
    _unclaim(fresh)  # no report came: the claim goes
    _unclaim(old)  # a report: stays
    _unclaim(None)
    assert not fresh.exists() and old.exists()

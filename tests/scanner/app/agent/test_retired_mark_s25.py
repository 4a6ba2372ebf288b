"""retire10 (session 25): a retired history's lasting mark (state schema 6, ``devices.retired``).

A swap moves the earlier phone's history to ``<id>~n``; a phone can answer as that id (USB
serials may hold ``~``). Until schema 6 the only mark was the row's last state, ``replaced``,
which a failed attempt overwrote, so the next clean scan continued the retired history and
resolved the earlier phone's failures. Here every way the mark could be lost: each failed
attempt, a sighting, twins, a pseudonymized run, ``--forget`` beside it, a round killed half
way, a restart; and an old state file.

The rounds are the agent's own recorder with real scans (replays of the shipped recordings:
the transport boundary) on a real state file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from msgspec.structs import replace

from checks.policy import Policy
from reports.render.json import JsonRenderer
from scanner.app.agent import history, lineage
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.rows import DeviceState, ScanRow, Via
from scanner.app.agent.scanned import ReportJob, written
from scanner.app.agent.state import State, StateError
from scanner.app.agent.targets import Target
from scanner.app.scan import device_name, scan_result
from scanner.recording import DeviceLabel, Recording
from scanner.replay import ReplayTransport
from tests.review9.harness import open_rows, recorder, round_of
from tests.scanner.app.agent.test_agent import A14, A16, signer, with_telegram  # noqa: F401

TELEGRAM = "MSG-07|org.telegram.messenger|0"
FAILED = ("unauthorized", "busy", "offline", "no_permission", "timeout", "lost", "error",
          "interrupted", "unreachable")


def _retired_at_s1(state: State, tmp: Path) -> None:
    """S: a Pixel 7a with Telegram (its MSG-07 open), swapped for a Samsung: history to S~1."""
    round_of(state, tmp, [(with_telegram(), "S")])
    round_of(state, tmp, [(A16, "S")])
    assert open_rows(state, "S~1")[TELEGRAM] and lineage.device(state, "S~1").retired  # type: ignore[union-attr]


def _failed(state: State, tmp: Path, serial: str, how: str, *, in_round: bool = True) -> None:
    record = recorder(state, tmp, in_round=in_round)
    record(PhoneOutcome(Target(serial, "usb"), how, error=f"{how} (test)", name=serial))


def _kept(state: State) -> dict[str, bool | None]:
    """Per device id: whether the earlier Pixel's Telegram finding is open (None: not there)."""
    return {d.id: open_rows(state, d.id).get(TELEGRAM) for d in state.devices()}


def _intact(state: State) -> None:
    """The Pixel's finding is open in exactly one retired history and resolved nowhere (the
    Samsung, A16, has a Telegram finding of its own under S)."""
    kept = _kept(state)
    assert False not in kept.values(), kept
    (where,) = [d.id for d in state.devices() if d.retired is not None and kept[d.id]]
    row = lineage.device(state, where)
    assert row is not None and row.retired is not None and row.siem_name == "S", row
    assert row.retired.startswith("replaced: ") and "Pixel 7a" in row.retired, row
    assert where in [h.id for h in history.retired(state)]


@pytest.mark.parametrize("how", FAILED)
def test_no_failed_attempt_lets_a_later_scan_continue_a_retired_history(
    tmp_path: Path, how: str
) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        _failed(state, tmp_path, "S~1", how)
        moved = lineage.device(state, "S~1~1")
        assert moved is not None and moved.retired is not None
        assert str(moved.last_state) == "replaced"  # nothing of the attempt in the history
        live = lineage.device(state, "S~1")
        assert live is not None and live.retired is None and str(live.last_state) == how
        assert not state.previous("S~1") and [s.device_id for s in state.history("S~1")] == [
            "S~1"]
        round_of(state, tmp_path, [(A14, "S~1")])  # a clean Pixel 7a answering as S~1
        _intact(state)
        assert TELEGRAM not in open_rows(state, "S~1")


def test_a_failed_attempt_outside_a_round_too(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        _failed(state, tmp_path, "S~1", "busy", in_round=False)
        round_of(state, tmp_path, [(A14, "S~1")], in_round=False)
        _intact(state)


def test_a_sighting_at_a_retired_id_moves_the_history_aside(tmp_path: Path) -> None:
    """The agent records USB/adb-server sightings with ``seen_device`` alone (no recorder)."""
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        before = {s.id for s in state.history("S~1")}
        state.seen_device("S~1", via=Via.SERVER, state=DeviceState.UNAUTHORIZED,
                          at=datetime.now(UTC), error="unauthorized")
        assert {s.id for s in state.history("S~1~1")} == before
        assert lineage.device(state, "S~1~1").retired  # type: ignore[union-attr]
        round_of(state, tmp_path, [(A14, "S~1")])
        _intact(state)


def test_the_retired_mark_names_the_first_reason_and_history_shows_the_move(
    tmp_path: Path,
) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        first = lineage.device(state, "S~1").retired  # type: ignore[union-attr]
        assert first is not None and "Pixel 7a" in first and "SM-S936B" in first
        n = len(state.open_findings("S~1"))
        _failed(state, tmp_path, "S~1", "unauthorized")
        (h,) = history.retired(state)
        assert (h.id, h.reason, h.open, h.scans) == ("S~1~1", first, n, 1)
        assert h.moved == "replaced: S~1 is an earlier phone's retired history"
        out = history.lines([h])
        assert out[1:] == [f"  {first}", f"  moved again: {h.moved}"]


def test_apply_scan_refuses_a_retired_history(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        now = datetime.now(UTC)
        scan = ScanRow("x", None, "S~1", now, now, DeviceState.SCANNED, True)
        with pytest.raises(StateError, match="is a retired history"), state.transaction() as tx:
            state.apply_scan(tx, scan=scan, findings=())
        _intact(state)


# -- twins, pseudonyms, --forget ---------------------------------------------------------------


def test_twins_answering_as_a_retired_id_leave_it_alone(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        round_of(state, tmp_path, [(A14, "S~1"), (with_telegram(), "S~1")])
        _intact(state)
        assert str(lineage.device(state, "S~1").last_state) == "ambiguous"  # type: ignore[union-attr]
        for _ in range(2):  # the held round, then one that continues the new phone's history
            round_of(state, tmp_path, [(A14, "S~1")])
        _intact(state)


def test_a_failed_twin_and_a_clean_one_in_a_round(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        record = recorder(state, tmp_path)
        record(PhoneOutcome(Target("S~1", "usb"), "unauthorized", name="S~1"))
        from tests.review9.harness import outcome

        record(outcome(tmp_path, A14, "S~1"))
        record(PhoneOutcome(Target("S~1", "usb"), "busy", name="S~1"))
        _intact(state)


def _pseudonymized(tmp: Path, rec: Recording, serial: str) -> PhoneOutcome:
    result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel(serial))), Policy(),
                         pseudonymize=True)
    (tmp / "reports").mkdir(exist_ok=True)
    scanned, path, failed = written(result, ReportJob(tmp / "reports", JsonRenderer()),
                                    result.device_name)
    return PhoneOutcome(Target(serial, "usb"), "scanned", scanned=scanned, report_path=path,
                        failed=failed, name=result.device_name)


def test_a_pseudonymized_fleet_keeps_the_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retired id is ``anon-…~1``; a phone whose serial is that text is named by its own
    pseudonym, and failed attempts under the live pseudonym leave the history retired."""
    monkeypatch.setenv("MSGSCAN_PSEUDONYM_KEY", "fleet-key-for-the-tests-0123456789")
    name = device_name("S", Policy(), True)
    with State.open(tmp_path / "state.db") as state:
        for rec in (with_telegram(), A16):
            recorder(state, tmp_path)(_pseudonymized(tmp_path, rec, "S"))
        old = f"{name}~1"
        assert open_rows(state, old)[TELEGRAM] and lineage.device(state, old).retired  # type: ignore[union-attr]
        _failed(state, tmp_path, name, "unauthorized")
        recorder(state, tmp_path)(_pseudonymized(tmp_path, A14, old))  # serial "anon-…~1"
        recorder(state, tmp_path)(_pseudonymized(tmp_path, A14, "S"))
        rows = {d.id: d for d in state.devices()}
        assert rows[old].retired is not None and str(rows[old].last_state) == "replaced"
        assert open_rows(state, old)[TELEGRAM] and device_name(old, Policy(), True) in rows
        assert all(i.startswith("anon-") for i in rows), rows


def test_forget_of_the_live_id_beside_a_retired_one(tmp_path: Path) -> None:
    from checks.errors import UsageError

    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        with pytest.raises(UsageError, match="a phone the agent scans keeps its history"):
            history.forget(state, "S")
        _intact(state)
        _failed(state, tmp_path, "S~1", "offline")  # the history moves to S~1~1
        n, live = len(state.open_findings("S~1~1")), open_rows(state, "S")
        with pytest.raises(UsageError, match="a phone the agent scans") as refused:
            history.forget(state, "S~1")  # now a live id
        assert "now: S~1~1" in str(refused.value.hint)
        _intact(state)
        gone = history.forget(state, "S~1~1")
        assert (gone.open, gone.scans) == (n, 1) and n
        assert open_rows(state, "S") == live and not state.previous("S~1~1")
        assert {d.id for d in state.devices()} == {"S", "S~1"}
        round_of(state, tmp_path, [(A14, "S~1")])  # the name S~1~1 is not given out again
        assert {d.id for d in state.devices()} == {"S", "S~1"}


# -- a round killed half way, a restart -------------------------------------------------------


def test_an_attempt_that_fails_inside_its_transaction_leaves_the_history_retired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)

        def broken(*args: object, **kwargs: object) -> None:
            raise OSError("disk gone")

        monkeypatch.setattr(State, "apply_scan", broken)
        with pytest.raises(OSError):
            _failed(state, tmp_path, "S~1", "unauthorized")
        monkeypatch.undo()
        assert lineage.device(state, "S~1~1") is None  # the move was rolled back with it
        assert lineage.device(state, "S~1").retired  # type: ignore[union-attr]
        round_of(state, tmp_path, [(A14, "S~1")])
        _intact(state)


_KILLED = """
import os, sys
from pathlib import Path
from scanner.app.agent.state import State
from tests.scanner.app.agent.test_retired_mark_s25 import _failed

def killed(*args, **kwargs):
    os._exit(9)  # kill -9 between the device row and the scan row: nothing is committed

State.apply_scan = killed
state = State.open(sys.argv[1])
_failed(state, Path(sys.argv[2]), "S~1", "unauthorized")
"""


def test_the_agent_killed_between_rows_of_an_attempt(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with State.open(db) as state:
        _retired_at_s1(state, tmp_path)
    root = Path(__file__).resolve().parents[4]
    done = subprocess.run([sys.executable, "-c", _KILLED, str(db), str(tmp_path)], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)
    assert done.returncode == 9
    with State.open(db) as state:
        assert {d.id for d in state.devices()} == {"S", "S~1"}
        assert str(lineage.device(state, "S~1").last_state) == "replaced"  # type: ignore[union-attr]
        round_of(state, tmp_path, [(A14, "S~1")])
        _intact(state)


def test_the_mark_outlives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with State.open(db) as state:
        _retired_at_s1(state, tmp_path)
    with State.open(db) as state:
        _failed(state, tmp_path, "S~1", "busy")
    with State.open(db) as state:
        _failed(state, tmp_path, "S~1", "unauthorized")  # the live S~1 now: nothing moves
        assert {d.id for d in state.devices()} == {"S", "S~1", "S~1~1"}
    with State.open(db) as state:
        round_of(state, tmp_path, [(A14, "S~1")])
        _intact(state)


# -- the live id keeps no SIEM name of the history it handed on --------------------------------


def test_a_phone_retired_twice_keeps_its_own_siem_name(tmp_path: Path) -> None:
    """Before schema 6 ``retire`` left the moved history's SIEM name on the live id: the S~1
    phone, swapped in turn, had its findings sent as S's second phone's (the same name and
    lineage: one finding uid for two phones, a Close of one closing the other's)."""
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        round_of(state, tmp_path, [(with_telegram(), "S~1")])  # a Pixel with Telegram as S~1
        live = lineage.device(state, "S~1")
        assert live is not None and (live.siem_name, live.retired, live.lineage) == (None, None, 1)
        round_of(state, tmp_path, [(A16, "S~1")])  # swapped for a Samsung
        rows = {d.id: d for d in state.devices()}
        assert (rows["S~1~1"].siem_name, rows["S~1~1"].lineage) == ("S", 0)
        assert (rows["S~1~2"].siem_name, rows["S~1~2"].lineage) == ("S~1", 1)
        assert (rows["S"].lineage, rows["S~1"].lineage) == (1, 2)
        names = {(r.siem_name or r.id, r.lineage) for r in rows.values()}
        assert len(names) == len(rows)  # every history its own SIEM identity


# -- an old state file ------------------------------------------------------------------------


def _old_file(path: Path, version: int, devices: list[tuple[object, ...]]) -> None:
    from scanner.app.agent.migrations import MIGRATIONS, statements
    from tests.scanner.app.agent.test_drift import KEY

    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        for statement in statements(script):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    at = "2026-01-05T10:00:00.000000+00:00"
    columns = "id, via, first_seen, last_seen, last_state, last_error, model, trait"
    if version >= 5:
        columns += ", lineage, siem_name"
    for row in devices:
        device = row[0]
        marks = ", ".join("?" * (len(row) + 3))
        conn.execute(f"INSERT INTO devices ({columns}) VALUES ({marks})",
                     (device, "usb", at, at, *row[1:]))
        conn.execute("INSERT INTO scans (id, device_id, started, finished, state, complete,"
                     " verdict) VALUES (?, ?, ?, ?, 'scanned', 1, 'fail')",
                     (f"s-{device}", device, at, at))
        conn.execute("UPDATE devices SET last_scan_id = ? WHERE id = ?", (f"s-{device}", device))
        conn.execute("INSERT INTO findings VALUES (?, ?, 'MSG-03', 'com.whatsapp', 0, 'fail',"
                     " 'high', 't', 'new', ?, ?, NULL, 0, ?)",
                     (device, str(KEY), at, at, f"s-{device}"))
    conn.commit()
    conn.close()


def _counts(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("devices", "scans", "findings")]
    finally:
        conn.close()


def test_a_schema_5_state_file_loads_marks_its_retired_histories_and_loses_nothing(
    tmp_path: Path,
) -> None:
    from scanner.app.agent.migrations import SCHEMA_VERSION
    from tests.scanner.app.agent.test_drift import KEY

    path = tmp_path / "old.db"
    t = "a\x1fb\x1fc\x1fd"
    _old_file(path, 5, [
        # (id, last_state, last_error, model, trait, lineage, siem_name)
        ("S", "scanned", None, "M", t, 1, None),
        ("S~1", "replaced", "replaced: why", "M", t, 0, "S"),  # as retired
        ("R", "scanned", None, "M", t, 1, None),
        ("R~1", "unauthorized", "unauthorized", "M", t, 0, "R"),  # its state overwritten
        ("Q", "scanned", None, "M", t, 1, None),
        ("Q~1", "scanned", None, "M", t, 1, "Q"),  # a live id a history was retired from
        ("Q~1~1", "replaced", "replaced: Q~1", "M", t, 0, "Q"),
        ("P", "scanned", None, "M", t, 0, None),
        ("P~1", "busy", "busy", "M", t, 0, None),  # retired under schema 4, then overwritten
        ("Z~3", "scanned", None, "M", t, 0, None),  # a serial with ~, no Z: a phone
        ("Y", "scanned", None, "M", t, 0, None),
        ("Y~x", "scanned", None, "M", t, 0, None),  # not <id>~<digits>
    ])
    before = _counts(path)
    with State.open(path) as state:
        assert SCHEMA_VERSION == 6
        rows = {d.id: d for d in state.devices()}
        retired = {d: r.retired for d, r in rows.items() if r.retired is not None}
        overwritten = ("replaced: a retired history (an attempt at its id overwrote its state"
                       " before state schema 6)")
        assert retired == {"S~1": "replaced: why", "R~1": overwritten, "Q~1~1": "replaced: Q~1",
                           "P~1": overwritten}
        assert rows["Q~1"].siem_name is None and rows["Q~1~1"].siem_name == "Q"
        assert (rows["R~1"].siem_name, str(rows["R~1"].last_state)) == ("R", "unauthorized")
        for d in rows.values():
            assert state.previous(d.id)[KEY].open and d.last_scan_id == f"s-{d.id}", d
            assert d.model == "M" and d.trait == t
        assert sorted(h.id for h in history.retired(state)) == sorted(retired)
    assert _counts(path) == before
    with State.open(path) as state:  # the marks hold: an attempt moves each aside
        _failed(state, tmp_path, "R~1", "busy")
        assert lineage.device(state, "R~1~1").retired == overwritten  # type: ignore[union-attr]
        assert state.previous("R~1~1")[KEY].open and not state.previous("R~1")


def test_a_schema_4_state_file_comes_to_schema_6_with_its_retired_history_marked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    _old_file(path, 4, [("S", "scanned", None, "M", None), ("S~1", "replaced", "swap", "M", None),
                        ("T", "scanned", None, "M", None), ("T~2", "offline", None, "M", None)])
    before = _counts(path)
    with State.open(path) as state:
        rows = {d.id: d for d in state.devices()}
        assert {d: r.retired for d, r in rows.items() if r.retired} == {
            "S~1": "swap", "T~2": rows["T~2"].retired}
        assert (rows["S"].retired, rows["T"].retired) == (None, None)
        assert all(r.lineage == 0 and r.siem_name is None for r in rows.values())
    assert _counts(path) == before


def test_a_schema_6_state_file_opens_unchanged(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _retired_at_s1(state, tmp_path)
        before = [(d.id, d.retired, d.siem_name) for d in state.devices()]
    with State.open(tmp_path / "state.db") as state:
        assert [(d.id, d.retired, d.siem_name) for d in state.devices()] == before


# -- twins' results on the fleet page after a failed attempt (item 3) --------------------------


def _page_row(state: State, device: str) -> dict[str, object]:
    from scanner.app.agent.known import last_known
    from scanner.app.agent.summary import fleet_summary

    summary = fleet_summary(
        generated=datetime.now(UTC), round_row=state.last_round(), interrupted=False,
        devices=state.devices(), last_scans=state.last_scans(), drift={},
        known=last_known(state),
    )
    return next(r for r in summary["devices"] if r["device"] == device)


def _twins_round(state: State, tmp: Path, serial: str, *recs: Recording) -> None:
    """One round in which ``recs`` answer as ``serial``, each report under its own name (the
    agent's ``since_ns``: a twin's report is not overwritten)."""
    import time

    since = time.time_ns()
    record = recorder(state, tmp)
    (tmp / "reports").mkdir(exist_ok=True)
    for rec in recs:
        result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel(serial))), Policy())
        job = ReportJob(tmp / "reports", JsonRenderer())
        scanned, path, failed = written(result, job, serial, since)
        record(PhoneOutcome(Target(serial, "usb"), "scanned", scanned=scanned, report_path=path,
                            failed=failed, name=serial))


@pytest.mark.parametrize("how", ["unauthorized", "busy", "offline"])
def test_a_failed_attempt_after_twins_keeps_the_worst_twins_results_on_the_fleet_page(
    tmp_path: Path, how: str
) -> None:
    """Two phones answered as T (the Samsung with 9 failures first): the page shows the worst
    of both. A failed attempt in the next round overwrote the device's last state, which was how
    the page found the twins: it showed only the clean twin's columns and 0 failures."""
    with State.open(tmp_path / "state.db") as state:
        _twins_round(state, tmp_path, "T", A16, A14)
        twins = _page_row(state, "T")
        assert twins["checks"]["MSG-03"] == "fail"  # type: ignore[index]
        assert twins["known_failed"] == 9  # the Samsung's, though the Pixel's scan came last
        _failed(state, tmp_path, "T", how)
        after = _page_row(state, "T")
        assert (after["state"], after["stale"]) == (how, True)
        assert (after["checks"], after["known_failed"]) == (twins["checks"], 9)
        _twins_round(state, tmp_path, "T", A14)  # the held round: that phone's results
        _twins_round(state, tmp_path, "T", A14)  # then its history moves on
        assert _page_row(state, "T")["checks"]["MSG-03"] == "unknown"  # type: ignore[index]
        # the id kept the first twin's trait (the Samsung's): the Pixel alone is a swap, and the
        # history it retires keeps the twins' results (gaps11, session 26: they left the page)
        retired = _page_row(state, "T~1")
        assert (retired["checks"]["MSG-03"], retired["known_failed"]) == ("fail", 9)  # type: ignore[index]


def test_clean_twins_and_a_clean_phone_count_no_failures(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        _twins_round(state, tmp_path, "T", A14, with_telegram())  # 0 failures each
        _twins_round(state, tmp_path, "U", A14)
        _twins_round(state, tmp_path, "V", A16)
        rows = {d: _page_row(state, d) for d in ("T", "U", "V")}
        assert [rows[d]["known_failed"] for d in ("T", "U", "V")] == [0, 0, 9]
        assert rows["T"]["checks"]["MSG-07"] == "manual"  # type: ignore[index]


def test_a_phone_never_scanned_has_no_known_failures(tmp_path: Path) -> None:
    """Seen only (unauthorized from its first sighting): nothing known, nothing failed."""
    with State.open(tmp_path / "state.db") as state:
        _failed(state, tmp_path, "N", "unauthorized")
        row = _page_row(state, "N")
        assert (row["known_failed"], row["last_scan"], row["checks"]) == (0, None, {})


def test_the_cli_lists_a_moved_history_and_forgets_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scanner.app.cli.core import main
    from tests.scanner.app.agent.test_agent import write_config

    config = write_config(tmp_path, ["127.0.0.1:9"])
    with State.open(tmp_path / "state" / "msgscan.db") as state:
        _retired_at_s1(state, tmp_path)
        _failed(state, tmp_path, "S~1", "unauthorized")
        first = lineage.device(state, "S~1~1").retired  # type: ignore[union-attr]
    capsys.readouterr()
    assert main(["agent", "--config", str(config), "--history"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("S~1~1  Google Pixel 7a (lynx), seen ") and out[1] == f"  {first}"
    assert out[2] == "  moved again: replaced: S~1 is an earlier phone's retired history"
    assert main(["agent", "--config", str(config), "--forget", "S~1"]) == 2  # the live one
    assert main(["agent", "--config", str(config), "--forget", "S~1~1"]) == 0
    assert capsys.readouterr().out.startswith("forgot S~1~1: 1 scans, ")


def test_siem_events_of_a_retired_history_moved_by_a_failed_attempt(
    tmp_path: Path, signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """A move on a failed attempt queues nothing (the history keeps its SIEM name, lineage and
    uids): the events delivered before it are all there are after it."""
    from scanner.app.agent.addresses import Addresses
    from scanner.app.agent.recorder import Recorder
    from scanner.app.agent.service import Agent
    from tests.scanner.app.agent.test_agent import write_config
    from tests.scanner.app.agent.test_identity_s23 import _events, _with_file_destination

    config = _with_file_destination(write_config(tmp_path, ["127.0.0.1:9"]))
    agent = Agent(config, signer=signer)
    try:
        state = agent.state

        def record(rec: Recording | None, serial: str) -> None:
            rid = state.begin_round(datetime.now(UTC))
            rec_ = Recorder(state, Addresses(tmp_path), agent.delivery, lambda d: d, rid, {})
            if rec is None:
                rec_(PhoneOutcome(Target(serial, "usb"), "unauthorized", name=serial))
                return
            result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel(serial))),
                                 Policy())
            job = ReportJob(tmp_path / "reports", JsonRenderer(), keep_report=True)
            (tmp_path / "reports").mkdir(exist_ok=True)
            scanned, path, failed = written(result, job, serial)
            rec_(PhoneOutcome(Target(serial, "usb"), "scanned", scanned=scanned,
                              report_path=path, failed=failed, name=serial))

        def queued() -> list[str]:  # every finding event, delivered or still queued
            assert agent.delivery.flush(10)
            return [json.dumps(e, sort_keys=True) for e in _events(tmp_path)]

        record(with_telegram(), "S")
        record(A16, "S")  # the swap: the Pixel's open findings created again as S~1's
        before = queued()
        assert before and not state._rows("SELECT 1 FROM outbox")
        record(None, "S~1")  # unauthorized: the history moves to S~1~1
        assert queued() == before and not state._rows("SELECT 1 FROM outbox")
        assert lineage.device(state, "S~1~1").siem_name == "S"  # type: ignore[union-attr]
    finally:
        agent.close()

"""The agent's SQLite state: migrations, restarts, crashes, atomic scans, pruning and threads."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checks.drift import FindingKey, Lifecycle
from checks.findings import Finding, Status
from scanner.app.agent import migrations as state_module  # where migrate() reads them
from scanner.app.agent.state import (
    SCHEMA_VERSION,
    DeviceState,
    ScanRow,
    State,
    StateError,
    Via,
)
from tests.scanner.app.agent.test_drift import finding

ROOT = Path(__file__).resolve().parents[4]
T0 = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
PHONE = "R58N12ABCDE"
WA = "com.whatsapp"
TG = "org.telegram.messenger"
ARCHIVES = FindingKey("MSG-03", WA, 0)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "agent.sqlite"


@pytest.fixture
def state(db: Path) -> Iterator[State]:
    with State.open(db) as s:
        yield s


def scan_row(
    device: str = PHONE,
    *,
    at: datetime = T0,
    complete: bool = True,
    round_id: int | None = None,
    state: DeviceState = DeviceState.SCANNED,
) -> ScanRow:
    return ScanRow(
        id=str(uuid.uuid4()),
        round_id=round_id,
        device_id=device,
        started=at,
        finished=at + timedelta(seconds=9),
        state=state,
        complete=complete,
        verdict="non_compliant",
        score=50.0,
        failed=1,
    )


def scan(
    state: State,
    findings: Sequence[Finding] | None,
    *,
    device: str = PHONE,
    at: datetime = T0,
    complete: bool = True,
    round_id: int | None = None,
) -> ScanRow:
    """Record the phone as seen and apply one scan of it, as the agent does."""
    state.seen_device(device, via=Via.USB, state=DeviceState.SCANNED, at=at, model="Pixel 9")
    row = scan_row(device, at=at, complete=complete, round_id=round_id)
    with state.transaction() as tx:
        state.apply_scan(tx, scan=row, findings=findings)
    return row


def statuses(state: State, device: str = PHONE) -> dict[str, tuple[str, str]]:
    """Key -> (status, lifecycle) of every stored finding of the phone."""
    return {str(k): (t.status.value, t.lifecycle.value) for k, t in state.previous(device).items()}


WHATSAPP = [finding(Status.FAIL), finding(Status.PASS, check_id="MSG-05")]
WITH_TELEGRAM = [*WHATSAPP, finding(Status.FAIL, check_id="MSG-03", package=TG)]


class TestMigrations:
    def test_empty_file_gets_the_schema(self, db: Path) -> None:
        """Opening a new path creates its folder, the tables and the current schema version."""
        State.open(db).close()

        with sqlite3.connect(db) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert (SCHEMA_VERSION, "wal") == (version, mode)
        assert {"devices", "rounds", "scans", "findings"} <= tables

    def test_foreign_keys_are_enforced(self, state: State) -> None:
        """A scan of a phone never recorded is refused with a hint."""
        with pytest.raises(StateError, match=PHONE) as e, state.transaction() as tx:
            state.apply_scan(tx, scan=scan_row(), findings=[])

        assert "seen_device" in e.value.hint

    def test_newer_database_is_refused(self, db: Path) -> None:
        """A database from a newer msgscan is left alone and named, with what to do."""
        State.open(db).close()
        with sqlite3.connect(db) as conn:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

        with pytest.raises(StateError, match="newer msgscan") as e:
            State.open(db)

        assert "upgrade msgscan" in e.value.hint

    def test_not_a_database_is_refused(self, db: Path) -> None:
        """A file that is not SQLite gives a StateError naming it."""
        db.parent.mkdir(parents=True)
        db.write_bytes(b"this is not a database, just some text " * 100)

        with pytest.raises(StateError, match=str(db)):
            State.open(db)

    def test_later_migration_applies_once(self, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A new script runs on an existing database once and keeps its data."""
        with State.open(db) as s:
            s.seen_device(PHONE, via=Via.TCP, state=DeviceState.READY, at=T0)
        extra = (
            "ALTER TABLE devices ADD COLUMN note TEXT;\nCREATE INDEX devices_note ON devices(note);"
        )
        monkeypatch.setattr(state_module, "MIGRATIONS", (*state_module.MIGRATIONS, extra))
        monkeypatch.setattr(state_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

        State.open(db).close()
        with State.open(db) as s:
            devices = [d.id for d in s.devices()]

        with sqlite3.connect(db) as conn:
            assert SCHEMA_VERSION + 1 == conn.execute("PRAGMA user_version").fetchone()[0]
        assert [PHONE] == devices

    def test_failing_migration_changes_nothing(
        self, db: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A script that fails half way leaves the schema and its version as they were."""
        State.open(db).close()
        broken = "ALTER TABLE devices ADD COLUMN note TEXT;\nTHIS IS NOT SQL;"
        monkeypatch.setattr(state_module, "MIGRATIONS", (*state_module.MIGRATIONS, broken))
        monkeypatch.setattr(state_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)

        with pytest.raises(StateError):
            State.open(db)

        with sqlite3.connect(db) as conn:
            columns = {r[1] for r in conn.execute("PRAGMA table_info(devices)")}
            assert SCHEMA_VERSION == conn.execute("PRAGMA user_version").fetchone()[0]
        assert "note" not in columns


class TestRestart:
    def test_reopen_keeps_everything(self, db: Path) -> None:
        """Closing and reopening (an agent restart) keeps devices, rounds, scans and findings."""
        with State.open(db) as s:
            r = s.begin_round(T0)
            row = scan(s, WHATSAPP, round_id=r)
            s.finish_round(r, T0 + timedelta(seconds=30), devices_seen=1, scanned=1, failed=0)
            before = (s.devices(), s.last_round(), s.last_scans(), s.previous(PHONE))

        with State.open(db) as s:
            after = (s.devices(), s.last_round(), s.last_scans(), s.previous(PHONE))

        assert before == after
        assert [row] == after[2]

    def test_kill_9_keeps_committed_scans_only(self, db: Path) -> None:
        """kill -9 inside a transaction loses that scan whole and nothing committed before it."""
        script = textwrap.dedent(
            f"""
            import os, signal
            from datetime import timedelta
            from checks.findings import Status
            from scanner.app.agent.state import State
            from tests.scanner.app.agent.test_drift import finding
            from tests.scanner.app.agent.test_state import T0, WHATSAPP, scan, scan_row

            s = State.open({str(db)!r})
            scan(s, WHATSAPP)
            with s.transaction() as tx:
                s.apply_scan(tx, scan=scan_row(at=T0 + timedelta(days=1)), findings=[])
                os.kill(os.getpid(), signal.SIGKILL)
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", script], check=False, cwd=ROOT, capture_output=True, timeout=60
        )
        assert -signal.SIGKILL == done.returncode, done.stderr.decode()

        with State.open(db) as s:
            history = s.history(PHONE)
            stored = statuses(s)

        assert [T0] == [h.started for h in history]
        assert {"MSG-03|com.whatsapp|0": ("fail", "new")} == stored


class TestApplyScan:
    def test_exception_leaves_no_partial_rows(self, state: State) -> None:
        """An error inside the transaction rolls back the scan row and every finding change."""
        first = scan(state, WHATSAPP)
        state.seen_device(PHONE, via=Via.USB, state=DeviceState.SCANNED, at=T0 + timedelta(days=1))

        with pytest.raises(RuntimeError, match="disk on fire"), state.transaction() as tx:
            state.apply_scan(tx, scan=scan_row(at=T0 + timedelta(days=1)), findings=WITH_TELEGRAM)
            raise RuntimeError("disk on fire")

        assert [first.id] == [h.id for h in state.history(PHONE)]
        assert {"MSG-03|com.whatsapp|0": ("fail", "new")} == statuses(state)
        assert [first.id] == [d.last_scan_id for d in state.devices()]

    def test_unevaluated_scan_changes_no_finding(self, state: State) -> None:
        """A scan without findings (unauthorized) is recorded and resolves nothing, even if marked
        complete."""
        scan(state, WHATSAPP)
        row = scan_row(at=T0 + timedelta(days=1), state=DeviceState.UNAUTHORIZED)

        with state.transaction() as tx:
            drift = state.apply_scan(tx, scan=row, findings=None)

        assert ((), (ARCHIVES,)) == (drift.resolved, drift.kept)
        assert {"MSG-03|com.whatsapp|0": ("fail", "new")} == statuses(state)
        assert [row] == state.last_scans()

    def test_drift_is_what_is_stored(self, state: State) -> None:
        """The rows apply_scan returns are exactly what previous() reads back."""
        scan(state, WHATSAPP)
        state.seen_device(PHONE, via=Via.USB, state=DeviceState.SCANNED, at=T0)

        with state.transaction() as tx:
            row = scan_row(at=T0 + timedelta(days=1))
            drift = state.apply_scan(tx, scan=row, findings=WITH_TELEGRAM)

        assert {r.key: r for r in drift.rows} == state.previous(PHONE)

    def test_carried_rows_keep_their_scan(self, state: State) -> None:
        """A row a partial scan did not evaluate still names the scan that last wrote it."""
        first = scan(state, WHATSAPP)
        scan(state, [], at=T0 + timedelta(days=1), complete=False)

        assert [first.id] == [f.last_scan_id for f in state.open_findings(PHONE)]

    def test_nested_transaction_rolls_back_alone(self, state: State) -> None:
        """A failing inner block undoes only its own writes."""
        with state.transaction():
            state.seen_device(PHONE, via=Via.USB, state=DeviceState.READY, at=T0)
            with pytest.raises(RuntimeError), state.transaction():
                state.seen_device("other", via=Via.TCP, state=DeviceState.READY, at=T0)
                raise RuntimeError("inner")

        assert [PHONE] == [d.id for d in state.devices()]

    def test_naive_times_are_refused(self, state: State) -> None:
        """Times without a timezone are a bug and raise before anything is written."""
        with pytest.raises(ValueError, match="timezone-aware"):
            state.begin_round(datetime(2026, 11, 20, 2, 30))


class TestDevicesAndRounds:
    def test_seen_device_keeps_first_seen_and_model(self, state: State) -> None:
        """A later sighting moves last_seen and state but keeps first_seen and a known model."""
        later = T0 + timedelta(hours=1)
        state.seen_device(PHONE, via=Via.USB, state=DeviceState.READY, at=T0, model="Pixel 9")
        state.seen_device(
            PHONE, via=Via.USB, state=DeviceState.UNAUTHORIZED, at=later, error="not authorised"
        )

        [device] = state.devices()

        assert (T0, later, DeviceState.UNAUTHORIZED, "not authorised", "Pixel 9") == (
            device.first_seen,
            device.last_seen,
            device.last_state,
            device.last_error,
            device.model,
        )

    def test_round_records_its_duration(self, state: State) -> None:
        """finish_round stores the counts and the time since begin_round."""
        r = state.begin_round(T0)
        state.finish_round(r, T0 + timedelta(seconds=42.5), devices_seen=3, scanned=2, failed=1)

        last = state.last_round()

        assert last is not None
        assert (r, 3, 2, 1, 42.5) == (
            last.id,
            last.devices_seen,
            last.scanned,
            last.failed,
            last.duration_s,
        )

    def test_unknown_round_is_refused(self, state: State) -> None:
        """Finishing a round that does not exist names it."""
        with pytest.raises(StateError, match="round 7"):
            state.finish_round(7, T0, devices_seen=0, scanned=0, failed=0)


class TestPrune:
    def test_prune_keeps_open_findings_and_devices(self, state: State) -> None:
        """Old scans, rounds and resolved findings go; devices, open findings and last scans stay."""
        old = T0 - timedelta(days=120)
        r = state.begin_round(old)
        scan(state, WITH_TELEGRAM, at=old, round_id=r)
        scan(state, WHATSAPP, at=old + timedelta(days=1))  # Telegram resolved long ago
        scan(state, WHATSAPP, device="lab-7", at=old)  # a phone not seen since
        latest = scan(state, WHATSAPP, at=T0)

        deleted = state.prune(T0 - timedelta(days=90))

        assert 4 == deleted  # two scans of PHONE, the round, the Telegram finding
        assert ["R58N12ABCDE", "lab-7"] == [d.id for d in state.devices()]
        assert [latest.id] == [h.id for h in state.history(PHONE)]
        assert 1 == len(state.history("lab-7"))
        assert [ARCHIVES, ARCHIVES] == [f.tracked.key for f in state.open_findings()]
        assert {"MSG-03|com.whatsapp|0": ("fail", "unchanged")} == statuses(state)

    def test_prune_unlinks_findings_from_pruned_scans(self, state: State) -> None:
        """An open finding last written by a pruned scan stays open, without that scan's id."""
        old = T0 - timedelta(days=120)
        scan(state, WHATSAPP, at=old)
        for day in range(1, 4):  # partial scans carry the finding without rewriting it
            scan(state, [], at=old + timedelta(days=day), complete=False)

        state.prune(T0)

        assert [(ARCHIVES, None)] == [
            (f.tracked.key, f.last_scan_id) for f in state.open_findings()
        ]
        assert 1 == len(state.history(PHONE))

    def test_prune_nothing_old(self, state: State) -> None:
        """Pruning before the first scan deletes nothing."""
        scan(state, WHATSAPP)

        assert 0 == state.prune(T0 - timedelta(days=1))


class TestThreads:
    @pytest.mark.parametrize("shared", [True, False], ids=["one-state", "state-per-thread"])
    def test_concurrent_writers(self, db: Path, shared: bool) -> None:
        """Threads scanning different phones all land, whether they share a State or not."""
        phones, rounds = 8, 16  # odd rounds add Telegram, so the last one reopens it
        common = State.open(db)

        def work(n: int) -> None:
            s = common if shared else State.open(db)
            try:
                for i in range(rounds):
                    found = WITH_TELEGRAM if i % 2 else WHATSAPP
                    scan(s, found, device=f"phone-{n}", at=T0 + timedelta(hours=i))
            finally:
                if not shared:
                    s.close()

        with ThreadPoolExecutor(max_workers=phones) as pool:
            for done in [pool.submit(work, n) for n in range(phones)]:
                done.result()  # re-raises what failed in the thread

        assert [rounds] * phones == [len(common.history(f"phone-{n}", 100)) for n in range(phones)]
        expected = {
            "MSG-03|com.whatsapp|0": ("fail", "unchanged"),
            "MSG-03|org.telegram.messenger|0": ("fail", "new"),
        }
        assert [expected] * phones == [statuses(common, f"phone-{n}") for n in range(phones)]
        common.close()


class TestFlow:
    def test_four_rounds(self, state: State) -> None:
        """Findings, a messenger added (new), removed (resolved), then a partial scan resolves
        nothing."""
        drifts = []
        inventories = [
            (WHATSAPP, True),
            (WITH_TELEGRAM, True),
            (WHATSAPP, True),
            ([finding(Status.ERROR, check_id="MSG-05")], False),  # phone lost after the inventory
        ]
        for n, (found, complete) in enumerate(inventories):
            at = T0 + timedelta(days=n)
            r = state.begin_round(at)
            state.seen_device(PHONE, via=Via.USB, state=DeviceState.READY, at=at)
            row = scan_row(at=at, complete=complete, round_id=r)
            with state.transaction() as tx:
                drifts.append(state.apply_scan(tx, scan=row, findings=found))
            state.finish_round(r, at + timedelta(seconds=10), devices_seen=1, scanned=1, failed=0)

        telegram = FindingKey("MSG-03", TG, 0)
        assert [
            ((ARCHIVES,), (), ()),
            ((telegram,), (ARCHIVES,), ()),
            ((), (ARCHIVES,), (telegram,)),
            ((), (), ()),
        ] == [(d.new, d.unchanged, d.resolved) for d in drifts]
        assert (ARCHIVES, telegram) == drifts[3].kept
        assert [ARCHIVES] == [f.tracked.key for f in state.open_findings(PHONE)]
        assert Lifecycle.RESOLVED is state.previous(PHONE)[telegram].lifecycle
        assert [False, True, True, True] == [h.complete for h in state.history(PHONE)]

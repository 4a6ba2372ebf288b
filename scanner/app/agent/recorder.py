"""What a round remembers of each phone: its device row, its scan, the finding lifecycle and
the SIEM events, written in one state transaction as soon as the phone is done.

A phone over TCP is known by its own serial once a scan read it (``addresses``); a failed
attempt at an address is recorded against the phone last seen there, and skipped when that phone
already answered at its new address in this round.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from checks.drift import Drift
from checks.evaluate import summarize
from scanner.app.agent import lineage, onephone
from scanner.app.agent.addresses import Addresses
from scanner.app.agent.columns import _tracked
from scanner.app.agent.delivery import Delivery
from scanner.app.agent.identity import (
    UNNAMED,
    adopting,
    describe,
    differs,
    legacy,
    names_all,
)
from scanner.app.agent.known import ever_evaluated
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.rows import DeviceRow, DeviceState, ScanRow, Via
from scanner.app.agent.scanned import Scanned
from scanner.app.agent.state import State, Transaction

__all__ = ["DEVICE_STATES", "Recorder", "device_state"]

log = structlog.get_logger("msgscan.agent")
DEVICE_STATES = frozenset(s.value for s in DeviceState)


def device_state(phone: PhoneOutcome) -> str:
    """The state the phone is recorded in: its outcome's, or "error" for one the state lacks."""
    match phone.state:
        case "scanned":
            return "scanned"
        case "interrupted":  # cut short by SIGTERM/SIGINT: nothing is wrong with the phone
            return "interrupted"
        case other:
            return other if other in DEVICE_STATES else "error"


class Recorder:
    """``Recorder(...)(phone)`` records one phone's outcome; one recorder per round."""

    def __init__(
        self,
        state: State,
        addresses: Addresses,
        delivery: Delivery,
        name: Callable[[str], str],
        round_id: int | None,
        drift: dict[str, Any],
        firsts: set[str] | None = None,
        switched_off: frozenset[str] = frozenset(),
    ) -> None:
        self.state = state
        self.addresses = addresses
        self.delivery = delivery
        self.name = name
        """A device id as reports call it (itself, or its pseudonym)."""
        self.round_id = round_id
        self.drift = drift
        """Filled in: device → its drift this round."""
        self.firsts = firsts
        """Filled in: devices whose findings were never evaluated before (not "new")."""
        self.reached: set[str] = set()
        """Phones scanned at some address this round."""
        self.switched_off = switched_off
        self.scanned: dict[str, _Scan] = {}
        """Devices scanned this round: a second phone answering as one is a twin."""
        """Check ids the round's policy switched off: their findings are suppressed, never
        resolved (``checks.drift.diff``)."""

    def _device(self, phone: PhoneOutcome) -> str | None:
        """The device the outcome belongs to, or None when it is to be skipped."""
        device = phone.name or phone.target.id
        if phone.target.via != "tcp":
            return device
        # Known by its own serial, wherever it answers; pseudonymised, the address is an
        # identifier too, kept only as its pseudonym.
        address = self.name(phone.target.id)
        if phone.scanned is not None:
            self.addresses.remember(address, phone.scanned.device_name)
            self.reached.add(phone.scanned.device_name)
            return phone.scanned.device_name
        device = self.addresses.device_at(address) or device
        if device in self.reached:  # it answered at its new address in this round
            log.info("phone.moved", device=device, old_address=phone.target.id)
            return None
        return device

    def __call__(self, phone: PhoneOutcome) -> None:
        now = datetime.now(UTC)
        device = self._device(phone)
        if device is None:
            return
        state = DeviceState(device_state(phone))
        result = phone.scanned
        here, earlier = onephone.reading(phone), self.scanned.get(device)
        # the round's earlier scan of the id was of this phone (``onephone``), not put back yet
        one = earlier if earlier and earlier.undo and onephone.same(earlier.reading, here) else None
        if one is not None and not onephone.keeps(one.reading, here):  # type: ignore[arg-type]
            self._once(device, one, phone)  # the round's earlier scan of it stays its record
            return
        seen = self._seen(device, result, one_phone=one is not None)
        if result is not None and seen.twin and not seen.held:  # the round's second phone
            _aside(phone, result.scan_id)
        if seen.twin:  # the round's outcome says so too: `--once` counts the round incomplete
            state = DeviceState.AMBIGUOUS
            phone.state, phone.error = state.value, seen.twin
        error = seen.twin or phone.error or seen.note
        if one is not None and here is not None:  # this scan is its record, not the earlier
            said = onephone.note(here, one.reading, _path(one.phone))  # type: ignore[arg-type]
            error = f"{error}; {said}" if error else said
        summary = None if result is None else result.summary  # the worker's, when it made one
        if result is not None and summary is None:
            summary = summarize(result.findings, complete=result.complete)
        scan = ScanRow(
            id=result.scan_id if result else f"none-{device}-{now.timestamp():.6f}",
            round_id=self.round_id,
            device_id=device,
            started=result.started if result else now - timedelta(seconds=phone.seconds),
            finished=result.finished if result else now,
            state=state,
            complete=bool(result and result.complete),
            verdict=summary.verdict if summary else None,
            score=summary.score if summary else None,
            failed=summary.failed if summary else 0,
            report_path=str(phone.report_path) if phone.report_path else None,
            error=error,
        )
        with self.state.transaction() as tx:
            if one is not None and result is not None:
                self._put_back(tx, device, one, str(error), result.context, now)
                tx.execute(
                    "UPDATE scans SET verdict = NULL, score = NULL, error = ? WHERE id = ?",
                    (error, one.scan_id),
                )
            if seen.replaced is not None:
                old = lineage.retire(tx, device, why=seen.replaced, at=now, report=scan.report_path)
                assert result is not None
                why = f"{seen.replaced}; the agent keeps them as {old}"
                sent = lineage.open_events(tx, self.delivery, old, result.context, why, now)
                log.warning(
                    "phone.replaced", device=device, history=old, events=sent, problem=seen.replaced
                )
            self.state.seen_device(
                device,
                via=Via(phone.target.via),
                state=state,
                at=now,
                error=error,
                model=result.model if result is not None and not seen.twin else None,
            )
            first = result is not None and not ever_evaluated(self.state, device)
            rows = tx.execute("SELECT * FROM findings WHERE device_id = ?", (device,)).fetchall()
            previous = {t.key: t for t in map(_tracked, rows)}
            drift = self.state.apply_scan(
                tx,
                scan=scan,
                findings=result.findings if result and not seen.twin else None,
                switched_off=self.switched_off,
                resolve=seen.resolve,
            )
            if result is not None and seen.twin:
                self._ambiguous(tx, device, seen.twin, result, now, again=seen.held)
                drift = Drift(rows=drift.rows)
            self.drift[device] = drift
            if result is not None:  # the events go with the finding state, or neither does
                n = lineage.number(tx, device) if self.delivery.destinations else 0
                if n:  # a phone swapped in behind the id: finding uids of its own
                    ctx = dataclasses.replace(result.context, lineage=n)
                    result = dataclasses.replace(result, context=ctx)
                self.delivery.record(tx, device, result, drift, previous, now=now)
            if result is not None and not seen.twin:
                if seen.store and result.trait is not None:
                    lineage.set_trait(tx, device, result.trait)
                elif seen.unnamed:  # a phone answered as it naming nothing: kept so
                    lineage.set_trait(tx, device, UNNAMED)
                touched = tuple(str(k) for k in (*drift.new, *drift.changed, *drift.resolved))
                saved = [tuple(r) for r in rows if r["key"] in touched]
                undo = _Undo(touched, saved, tuple(map(str, drift.resolved)))
                self.scanned[device] = _Scan(scan.id, result.trait, undo, phone, here)
        if self.firsts is not None and first and not seen.twin:
            self.firsts.add(device)  # its findings were never looked at: not "new"
        self.delivery.wake()

    def _seen(self, device: str, result: Scanned | None, *, one_phone: bool) -> _Seen:
        """Whose history the scan continues (``lineage``). ``one_phone``: the round's earlier
        scan of the id was this phone's (``onephone``), put back for this one."""
        if result is None:
            return _Seen()
        row = lineage.device(self.state, device)
        twin = self.scanned.get(device)
        if twin is not None and not one_phone:
            pair = " and ".join(dict.fromkeys((describe(twin.trait), describe(result.trait))))
            return _Seen(
                twin=f"two phones answered as {device} in this round ({pair}): neither scan "
                "changes its history, nothing is resolved; give each phone its own serial, "
                "or reach it one way only (USB or Wi-Fi)"
            )
        if row is not None and row.retired is not None:  # no phone's (review9; its lasting mark)
            return _Seen(replaced=f"replaced: {device} is an earlier phone's retired history")
        if lineage.held(self.state, row, self.round_id):
            return _Seen(
                twin=f"two phones answered as {device} in its last round: this scan changes "
                "nothing in its history until a round in which one phone answers as it",
                held=True,
            )
        if row is None or (row.trait is None and row.model is None and result.trait is None):
            # its first answer names it, or nothing (which, for a known row, closes nothing)
            return _Seen(resolve=row is None, unnamed=result.trait is None)
        before = row.trait or legacy(row.model)
        if differs(before, result.trait):
            since = row.first_seen.date().isoformat()
            return _Seen(
                replaced=f"replaced: {describe(before)} answered as {device} from {since}, "
                f"then {describe(result.trait)}; these are the earlier phone's findings, "
                "which the new phone's scans never resolve"
            )
        if adopting(before):  # the operator's --adopt: its trait from now on, nothing closes yet
            return _Seen(resolve=False, store=True)
        # a phone whose getprop named nothing cannot show it is the one before: nothing closes
        # (also where no scan of the id named one: any phone could answer as it, review9)
        # nor one naming less of it than the id's (review10): nor is that trait kept over it
        full = names_all(before, result.trait)
        note = None
        if not full and result.trait is not None:  # said, with the way out (gaps11)
            note = (
                f"resolves nothing: its getprop names less of the phone ({describe(result.trait)})"
                f" than {device}'s earlier scans ({describe(before)}); if it is that phone, "
                f"`{lineage.adopt_command(device)}` takes what it names from its next scan on"
            )
        # nor one naming a part the id's trait lacks (review11): its earlier scans did not name
        # it, so any phone could have been them. Where scans of the id answered naming less
        # (a partial trait kept, or none named at all), no later scan can show it is that
        # phone: its trait is not kept and nothing closes until the operator's --adopt (the
        # lead, session 26; as for a part lost for good). A row of a release that kept only the
        # model (legacy), or one no scan answered for, takes the fuller trait; the next closes.
        more = not names_all(result.trait, before)
        if more and full and result.trait is not None and self._answered_unnamed(row):
            note = (
                f"resolves nothing: its getprop names more of the phone "
                f"({describe(result.trait)}) than {device}'s earlier scans "
                f"({describe(before)}), so they cannot be told to be this phone; if they were, "
                f"`{lineage.adopt_command(device)}` takes what it names from its next scan on"
            )
            return _Seen(resolve=False, store=False, note=note, unnamed=row.trait is None)
        twins = lineage.twins_note(row)  # twins seen: nothing closes until --adopt (the lead)
        return _Seen(
            resolve=result.trait is not None and full and not more and twins is None,
            store=full and row.trait != result.trait,
            note=note or twins,
        )

    def _answered_unnamed(self, row: DeviceRow) -> bool:
        """Whether scans of the row's history answered naming less than a full trait: one was
        kept (``UNNAMED`` when they named nothing; not a legacy model), or none was, no model
        either, and a phone answered as the id."""
        if row.trait is not None:
            return True
        return row.model is None and lineage.answered(self.state, row.id)

    def _ambiguous(
        self, tx: Transaction, device: str, why: str, result: Scanned, now: datetime, *, again: bool
    ) -> None:
        """The second scan of one id in a round: what the first one changed is put back.
        ``again``: the id's first scan in the round after one with twins (no twin seen yet)."""
        if again:
            lineage.ambiguous(tx, device, None, why)
            return
        first = self.scanned.get(device)
        if first is not None and first.undo is not None:
            _aside(first.phone, first.scan_id)
            if first.phone.report_path is not None:
                tx.execute(
                    "UPDATE scans SET report_path = ? WHERE id = ?",
                    (str(first.phone.report_path), first.scan_id),
                )
            withdrawn, reopened = self._put_back(tx, device, first, why, result.context, now)
            lineage.mark(tx, [first.scan_id], why)
            self.scanned[device] = _Scan(first.scan_id, first.trait, None, first.phone)
            first.phone.state, first.phone.error = DeviceState.AMBIGUOUS.value, why
            log.warning(
                "phone.ambiguous",
                device=device,
                events_withdrawn=withdrawn,
                events_reopening=reopened,
                problem=why,
            )
        lineage.ambiguous(tx, device, self.round_id, why)

    def _put_back(
        self, tx: Transaction, device: str, first: _Scan, why: str, ctx: Any, now: datetime
    ) -> tuple[int, int]:
        """Put back what the round's first scan of the id changed; (events withdrawn, reopened).
        A Close may have gone out, or be on its way (a sender reads its batch before it settles
        it): what the first scan closed is created again, a duplicate at worst."""
        undo = first.undo
        assert undo is not None
        lineage.undo(tx, device, (undo.keys, undo.rows))
        withdrawn = lineage.unsent(tx, first.scan_id)
        if not undo.closed:
            return withdrawn, 0
        return withdrawn, lineage.open_events(tx, self.delivery, device, ctx, why, now, undo.closed)

    def _once(self, device: str, first: _Scan, phone: PhoneOutcome) -> None:
        """The round's second scan of one phone (``onephone``) that shows no more than its first:
        it changes nothing; the first's record names it."""
        here = onephone.reading(phone)
        assert first.reading is not None and here is not None
        why = onephone.note(first.reading, here, _path(phone))
        with self.state.transaction() as tx:
            tx.execute(
                "UPDATE scans SET error = coalesce(error || '; ', '') || ? WHERE id = ?",
                (why, first.scan_id),
            )
        phone.error = why
        log.info("phone.one_phone", device=device, recorded=first.scan_id, other=here.scan_id)


def _path(phone: PhoneOutcome) -> str | None:
    return str(phone.report_path) if phone.report_path else None


def _aside(phone: PhoneOutcome, scan_id: str) -> None:
    """A twin's report written under the phone's own name, renamed with its scan's id
    (``<device>-<scan>.json``, as ``scanned._own_path`` names the one that found the name
    taken; the outcome's path then names the new file): the id's next scan writes that name,
    and the fleet page keeps showing this twin's columns until a scan of it replaces them
    (``known._TWINS``). A rename that fails leaves the name (its columns may go; its count in
    the scan row stays)."""
    path = phone.report_path
    if path is None or path.stem.endswith(f"-{scan_id[:8]}"):
        return
    moved = path.with_name(f"{path.stem}-{scan_id[:8]}{path.suffix}")
    try:
        os.replace(path, moved)
    except OSError:
        return
    phone.report_path = moved


@dataclass(frozen=True, slots=True)
class _Seen:
    twin: str | None = None
    """Why the scan is ambiguous (another phone answered as its id): it changes nothing."""
    replaced: str | None = None
    """Why the id's history so far is another phone's (``lineage.retire``)."""
    resolve: bool = True
    """False: the scan closes nothing (its phone's identity is unconfirmed)."""
    held: bool = False
    """``twin`` because the id's last round had twins (none seen in this one yet)."""
    store: bool = True
    """The device row does not hold the scan's trait yet."""
    note: str | None = None
    """Why a scan resolves nothing, for its record (the outcome stays the scan's)."""
    unnamed: bool = False
    """The id's scans answered naming nothing: ``identity.UNNAMED`` is kept for it."""


@dataclass(frozen=True, slots=True)
class _Scan:
    """The round's first scan of an id, to put back when a second phone answers as it."""

    scan_id: str
    trait: str | None
    undo: _Undo | None
    """How to put it back (None: put back already)."""
    phone: PhoneOutcome
    """Its outcome in the round, marked ambiguous with the second."""
    reading: onephone.Reading | None = None
    """What tells it from a clone (``onephone``); None once put back as a twin's."""


@dataclass(frozen=True, slots=True)
class _Undo:
    keys: tuple[str, ...]
    """The finding keys the scan opened, changed or resolved."""
    rows: list[tuple[Any, ...]]
    """Their rows before it (a key without one had none)."""
    closed: tuple[str, ...]
    """The keys it resolved."""

"""Whose history a scan continues: the state's side of ``identity`` (phones that are not who
they seem).

- **Two phones under one id in one round** (clones sharing a serial, one phone on USB and on
  Wi-Fi at once): neither scan may move the other's history. The first scan of the id was
  recorded when it finished; when a second one arrives, what the first changed is put back
  (``undo``), both scans are marked ``ambiguous``, and the device keeps ``ambiguous_round``.
  The next round of the id does not advance its history either (``held``); the rounds after
  it do, but close nothing (``twins_note``) until the operator's ``--adopt`` says the other
  phone is gone: no scan can show which of the two answers.
- **A swapped phone** (its trait differs from the one the id had): the id's history so far
  belongs to the earlier phone and moves, whole, to a new id (``retire``): its open failures
  stay open there, marked retired (state schema 6's ``retired`` column; its state
  ``replaced``), until someone closes them; the id starts again.
- **A phone answering as a retired id** (``<id>~n``: USB serials may hold ``~``): a retired
  history is no phone's. Any attempt at it, a scan or a failed one (unauthorized, busy,
  offline, a sighting), first moves the history aside again (``State.seen_device``), so
  nothing a phone does under that id touches it (review9).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scanner.app.agent.columns import _iso, _tracked
from scanner.app.agent.rows import DeviceRow, DeviceState
from scanner.app.agent.state import State, Transaction

if TYPE_CHECKING:
    from reports.render.ocsf_context import ScanContext
    from scanner.app.agent.delivery import Delivery

Saved = tuple[tuple[str, ...], list[tuple[Any, ...]]]
"""(the finding keys a scan wrote, their rows as they were before it)."""


def device(state: State, device_id: str) -> DeviceRow | None:
    from scanner.app.agent.columns import _device

    rows = state._rows("SELECT * FROM devices WHERE id = ?", (device_id,))
    return _device(rows[0]) if rows else None


def undo(tx: Transaction, device_id: str, saved: Saved) -> None:
    """Put the saved keys back as they were before the scan that wrote them."""
    keys, rows = saved
    tx.executemany(
        "DELETE FROM findings WHERE device_id = ? AND key = ?", [(device_id, k) for k in keys]
    )
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        tx.executemany(f"INSERT INTO findings VALUES ({marks})", rows)


def unsent(tx: Transaction, scan_id: str) -> int:
    """Drop the events of ``scan_id`` still waiting in the SIEM outbox; returns how many."""
    cursor = tx.execute(
        "DELETE FROM outbox WHERE json_extract(payload, '$.metadata.correlation_uid') = ?",
        (scan_id,),
    )
    return max(cursor.rowcount, 0)


def mark(tx: Transaction, scan_ids: Sequence[str], why: str) -> None:
    """The scans are ambiguous: say so in each one's state and error."""
    tx.executemany(
        "UPDATE scans SET state = ?, error = ? WHERE id = ?",
        [(DeviceState.AMBIGUOUS.value, why, s) for s in scan_ids],
    )


def ambiguous(tx: Transaction, device_id: str, round_id: int | None, why: str) -> None:
    tx.execute(
        "UPDATE devices SET ambiguous_round = coalesce(?, ambiguous_round), last_state = ?,"
        " last_error = ? WHERE id = ?",
        (round_id, DeviceState.AMBIGUOUS.value, why, device_id),
    )


_ANSWERED = (DeviceState.SCANNED.value, DeviceState.AMBIGUOUS.value)
"""The states of a scan row of a round in which a phone answered as the id."""


def held(state: State, row: DeviceRow | None, round_id: int | None) -> bool:
    """True when two phones answered as the device in the last round it was scanned in."""
    if row is None or row.ambiguous_round is None:
        return False
    # outside a round (hotplug): while its last round is the twins' (review9: not for ever);
    # a round in which no phone answered as it shows nothing (review10)
    rows = state._rows(
        "SELECT max(round_id) FROM scans WHERE device_id = ? AND round_id < ? AND state IN (?, ?)",
        (row.id, round_id if round_id is not None else 2**62, *_ANSWERED),
    )
    return bool(rows) and rows[0][0] == row.ambiguous_round


def twins_note(row: DeviceRow) -> str | None:
    """Why a scan after the id's twins closes nothing, or None when it had none since the
    operator's ``--adopt``: the clone that no longer answers may still hold its failures, and
    no scan can show which of the two answers now (boot12's SIEM case; the fleet page keeps the
    twins' results until then, ``known._TWINS``)."""
    if row.ambiguous_round is None:
        return None
    return (
        f"resolves nothing: two phones answered as {row.id} in round {row.ambiguous_round}, and "
        "no scan can show which of them answers now; if the other is gone for good, "
        f"`{adopt_command(row.id)}` lets its next scans resolve what they show fixed"
    )


def answered(state: State, device_id: str) -> bool:
    """Whether a phone answered as the device in any scan its history keeps."""
    rows = state._rows(
        "SELECT 1 FROM scans WHERE device_id = ? AND state IN (?, ?) LIMIT 1",
        (device_id, *_ANSWERED),
    )
    return bool(rows)


def set_trait(tx: Transaction, device_id: str, trait: str) -> None:
    tx.execute("UPDATE devices SET trait = ? WHERE id = ?", (trait, device_id))


def retire(
    tx: Transaction, device_id: str, *, why: str, at: datetime, report: str | None = None
) -> str:
    """Move the device's history (scans, findings, SIEM bookkeeping) to a new id and start the
    device again; returns the new id (``<id>~<n>``, n: the phone's number behind the id, never
    reused). ``report``: the new phone's report, written where the earlier phone's was: the
    moved scans no longer name it as theirs. The moved history keeps its SIEM name and lineage
    (its events keep the finding uids the SIEM has); the id's next phone is the next lineage.
    The moved row is marked retired (``DeviceRow.retired``: ``why``, or the reason a retired
    history moved again was first retired for) and keeps its twins' round (their failures stay
    on the fleet page with it, ``known._TWINS``); the id is a live one again, with no SIEM name
    of its own (its events name it)."""
    known = tx.execute("SELECT lineage FROM devices WHERE id = ?", (device_id,)).fetchone()
    n = (known[0] if known is not None else 0) + 1  # >= 1: no <id>~0 (migration 6 relies on it)
    while tx.execute("SELECT 1 FROM devices WHERE id = ?", (f"{device_id}~{n}",)).fetchone():
        n += 1
    old = f"{device_id}~{n}"
    try:
        tx.execute(
            "INSERT INTO devices (id, via, first_seen, last_seen, last_state, last_error, model,"
            " last_scan_id, trait, lineage, siem_name, retired, ambiguous_round) SELECT ?, via,"
            " first_seen, last_seen, ?, ?, model, last_scan_id, trait, lineage,"
            " coalesce(siem_name, id), coalesce(retired, ?), ambiguous_round FROM devices"
            " WHERE id = ?",
            (old, DeviceState.REPLACED.value, why, why, device_id),
        )
        for table in ("scans", "findings", "sent_findings"):
            tx.execute(f"UPDATE {table} SET device_id = ? WHERE device_id = ?", (old, device_id))
    except sqlite3.IntegrityError as e:  # pragma: no cover - the ids were checked above
        raise RuntimeError(f"cannot retire {device_id}: {e}") from e
    if report is not None:
        tx.execute(
            "UPDATE scans SET report_path = NULL WHERE device_id = ? AND report_path = ?",
            (old, report),
        )
    tx.execute(  # the SIEM name and the retired mark stay with the history they name
        "UPDATE devices SET first_seen = ?, last_scan_id = NULL, model = NULL, trait = NULL,"
        " ambiguous_round = NULL, lineage = ?, siem_name = NULL, retired = NULL WHERE id = ?",
        (_iso(at), n, device_id),
    )
    return old


def of_scan(state: State, scan_id: str) -> int | None:
    """The lineage the scan ``scan_id`` was recorded under (its events' finding uids, ``retire``
    keeps it with a moved history), or None when the state has no such scan (never the agent's,
    or forgotten): then nobody knows which phone behind its id it was."""
    rows = state._rows(
        "SELECT d.lineage FROM scans s JOIN devices d ON d.id = s.device_id WHERE s.id = ?",
        (scan_id,),
    )
    return int(rows[0][0]) if rows else None


def number(tx: Transaction, device_id: str) -> int:
    """The device's lineage: which phone behind its id (0: its first; see ``retire``)."""
    row = tx.execute("SELECT lineage FROM devices WHERE id = ?", (device_id,)).fetchone()
    return int(row[0]) if row is not None else 0


def open_events(
    tx: Transaction,
    delivery: Delivery,
    device_id: str,
    context: ScanContext,
    why: str,
    now: datetime,
    keys: Collection[str] | None = None,
) -> int:
    """Queue, for every destination, a Create for each open finding of ``device_id`` (of
    ``keys`` only, when given), its evidence saying ``why``; returns how many.

    - A retired history (``retire``) under its new id: its open failures are sent again under
      the finding uids the SIEM has for them (its SIEM name and lineage), which the new phone's
      never share (the next lineage): whatever the new phone's scans close, these stay open.
      The events correlate to the earlier phone's last scan.
    - A twin's first scan put back (``undo``) whose Close events had gone out already: the
      findings it closed open again."""
    from checks.registry import INDEX
    from reports.deliver import spool
    from reports.deliver.interface import Event
    from reports.render.ocsf import Activity, Occurrence, ocsf_event

    if not delivery.destinations:
        return 0
    rows = tx.execute(
        "SELECT * FROM findings WHERE device_id = ? AND lifecycle != ?", (device_id, "resolved")
    ).fetchall()
    known = tx.execute(
        "SELECT d.last_scan_id, d.model, s.complete, d.lineage, d.siem_name FROM devices d"
        " LEFT JOIN scans s ON s.id = d.last_scan_id WHERE d.id = ?",
        (device_id,),
    ).fetchone()
    last_scan, model, complete, lineage_n, siem_name = known or (None, None, None, 0, None)
    ctx = dataclasses.replace(context, lineage=lineage_n or 0)
    if context.device_name != device_id:  # a retired history: its SIEM name, its last scan
        scan_id = last_scan or f"{device_id}-replaced"
        name = siem_name or device_id
        ctx = dataclasses.replace(ctx, device_name=name, scan_id=scan_id, build=None)
    report = {"device": {"model": model}, "scan": {"complete": bool(complete)}}
    made = []
    for t in map(_tracked, rows):
        if keys is not None and str(t.key) not in keys:
            continue
        known = INDEX.get(t.key.check_id)
        article = known.info.article if known else None
        finding = {
            "check_id": t.key.check_id,
            "status": t.status.value,
            "severity": t.severity.value,
            "package": t.key.package,
            "profile": t.key.user_id,
            "title": t.title,
            "evidence": [{"text": why, "source": "identity", "data": {}}],
            "remediation": [],
            "article_ref": {
                "section": article.section if article else "",
                "ref": article.ref if article else "",
            },
            "waived": None,
        }
        occ = Occurrence(finding, Activity.CREATE, first_seen=t.first_seen, last_seen=t.last_seen)
        ev = ocsf_event(ctx, report, occ)
        made.append(Event(ev["metadata"]["uid"], ev))
    for name, dest in delivery.destinations.items():
        spool.enqueue(tx, name, made, max_queue=dest.max_queue, now=now)
    return len(made) * len(delivery.destinations)


def adopt_command(device_id: str) -> str:
    """``msgscan agent --adopt ID`` as the operator pastes it into a shell: a USB id is the
    serial descriptor the device sent, any text (review13b), so it is quoted; an id that
    starts with "-" is joined to the option (argparse would read it as one)."""
    import shlex

    quoted = shlex.quote(device_id)
    return f"msgscan agent --adopt{'=' if device_id.startswith('-') else ' '}{quoted}"


__all__ = [
    "Saved",
    "adopt_command",
    "ambiguous",
    "device",
    "held",
    "twins_note",
    "mark",
    "number",
    "of_scan",
    "open_events",
    "retire",
    "set_trait",
    "undo",
    "unsent",
]

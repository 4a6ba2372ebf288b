"""``msgscan agent --history`` and ``--forget ID``: the retired histories of swapped phones.

When another phone answers as an id, the earlier phone's history moves to ``<id>~n``
(``lineage.retire``): its open failures stay open there, in the fleet page and the SIEM, until
someone decides they are done with. ``--history`` lists those histories; ``--forget ID``
removes one from the agent's state, in one transaction:

- **removed**: the history's device row, its scans, its findings (open and resolved) and its
  SIEM bookkeeping (when each finding was last sent), so the fleet page drops it at the agent's
  next round and nothing of it is counted again;
- **kept**: its report files (evidence an auditor may hold; they go with
  ``reports_retention_days`` like any phone's), events already queued or delivered (the SIEM
  keeps the findings open: close them there), attestations, the rounds, and the id the phone
  was scanned as with its new phone's history. The name is never given to another history
  (``lineage.retire``).

Only a retired history can be forgotten: a phone the agent still scans keeps its history.

``--adopt ID`` is the operator's word on a phone the agent still scans, when the agent cannot
tell it soundly (``adopt``): the phone answering as ID is the one its history is of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from checks.errors import UsageError
from scanner.app.agent.identity import ADOPTING, adopting, describe, legacy
from scanner.app.agent.state import State


@dataclass(frozen=True, slots=True)
class Retired:
    """One retired history, as ``--history`` lists it."""

    id: str
    phone: str
    """Who the phone seemed to be (``identity.describe``)."""
    first_seen: datetime
    last_seen: datetime
    scans: int
    open: int
    """Its findings still open (failed, unknown, manual): what forgetting it drops."""
    reason: str
    """Why its phone was retired (the reason the history was first moved for)."""
    moved: str | None = None
    """Why it moved last, when that was another reason (a phone answered as its id)."""


def retired(state: State) -> list[Retired]:
    """Every retired history in the state, by id."""
    out = []
    for d in state.devices():
        if d.retired is None:  # the lasting mark (state schema 6), whatever its last state
            continue
        scans = state._rows("SELECT count(*) FROM scans WHERE device_id = ?", (d.id,))[0][0]
        phone = describe(d.trait or legacy(d.model))
        out.append(
            Retired(
                d.id,
                phone,
                d.first_seen,
                d.last_seen,
                scans,
                len(state.open_findings(d.id)),
                d.retired,
                d.last_error if d.last_error not in (None, d.retired) else None,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Forgotten:
    scans: int
    findings: int
    open: int


def forget(state: State, device_id: str) -> Forgotten:
    """Remove the retired history ``device_id`` (see the module); UsageError (exit 2) for an id
    the state has no retired history of."""
    with state.transaction() as tx:
        row = tx.execute("SELECT retired FROM devices WHERE id = ?", (device_id,)).fetchone()
        if row is None or row[0] is None:
            names = ", ".join(r.id for r in retired(state)) or "none"
            raise UsageError(
                f"{device_id!r} is not a retired history in {state.path}"
                + (" (a phone the agent scans keeps its history)" if row is not None else ""),
                hint=f"`msgscan agent --history` lists them (now: {names})",
            )
        open_now = tx.execute(
            "SELECT count(*) FROM findings WHERE device_id = ? AND lifecycle != 'resolved'",
            (device_id,),
        ).fetchone()[0]
        tx.execute("DELETE FROM sent_findings WHERE device_id = ?", (device_id,))
        findings = tx.execute("DELETE FROM findings WHERE device_id = ?", (device_id,)).rowcount
        tx.execute("UPDATE devices SET last_scan_id = NULL WHERE id = ?", (device_id,))
        scans = tx.execute("DELETE FROM scans WHERE device_id = ?", (device_id,)).rowcount
        tx.execute("DELETE FROM devices WHERE id = ?", (device_id,))
    return Forgotten(scans, findings, open_now)


@dataclass(frozen=True, slots=True)
class Adopted:
    twins: bool
    """Its last round with twins was dropped (their failures leave the fleet page)."""
    phone: str
    """Who its history says it is (``identity.describe``)."""


def adopt(state: State, device_id: str) -> Adopted:
    """The phone answering as ``device_id`` is the one its history is of (gaps11), in one
    transaction; UsageError (exit 2) for an id the state has no live phone under.

    - **Twins gone**: the results of its last round in which two phones answered as it leave
      the fleet page (``known._TWINS``; the other phone no longer answers, and no scan can show
      which twin answers now), and its next round is not held (``lineage.held``).
    - **Identity re-based**: its next scan that shows no other phone (no part of the trait
      differs: a swap still moves the history) gives the id its trait though its getprop names
      less (a property an update removed), and resolves nothing; the scans after it resolve
      what they evaluate when they name all of that trait (``identity.names_all``).
    """
    with state.transaction() as tx:
        row = tx.execute(
            "SELECT retired, trait, model, ambiguous_round FROM devices WHERE id = ?",
            (device_id,),
        ).fetchone()
        if row is None or row[0] is not None:
            raise UsageError(
                f"{device_id!r} is no phone the agent scans in {state.path}"
                + (" (a retired history: nothing answers as it)" if row is not None else ""),
                hint="the fleet page names each phone's id; `msgscan agent --history` lists "
                "the retired histories (`--forget` removes one)",
            )
        trait = row[1] or legacy(row[2]) or ""
        marked = trait if adopting(trait) else ADOPTING + trait
        tx.execute(
            "UPDATE devices SET ambiguous_round = NULL, trait = ? WHERE id = ?",
            (marked, device_id),
        )
    return Adopted(row[3] is not None, describe(trait or None))


def lines(histories: list[Retired]) -> list[str]:
    """``--history``'s output: one block per retired history."""
    if not histories:
        return ["no retired histories (a phone swapped behind an id leaves one: <id>~n)"]
    out = []
    for h in histories:
        out.append(
            f"{h.id}  {h.phone}, seen {h.first_seen.date().isoformat()} to "
            f"{h.last_seen.date().isoformat()}, {h.scans} scans, {h.open} findings open"
        )
        out.append(f"  {h.reason}")
        if h.moved is not None:
            out.append(f"  moved again: {h.moved}")
    return out


__all__ = ["Adopted", "Forgotten", "Retired", "adopt", "forget", "lines", "retired"]

"""One phone reached two ways in a round (USB and Wi-Fi at once): one phone, not twins.

Two endpoints that answer with the same id (the USB serial is ``ro.serialno``, over TCP the id
is the ``ro.serialno`` getprop names) are clones sharing a serial or one phone reached twice;
the serial cannot tell which. The kernel's boot id can (``scanner.parse.boot_id``): a random
UUID drawn at each boot, the same for every reader of one running phone and never the same on
two. So two scans of one round with the same id and the same boot id, both read, are one phone
(``same``); an unread boot id (denied, garbled, damaged on the way, a replay) is no evidence,
and such scans stay twins, never merged on absence. Nor are two scans where one shows closed
what the other shows at risk: any app may read the boot id, so a clone can print the phone's.

One of the two is recorded, as the phone's one scan of the round (``keeps``): the one that shows
more of its risk, a scan that was cut short or answered damaged over a whole one (its damage
stays named: the other link's clean answer does not outvote it), else the one with more failed
checks, else the earlier. The other scan's report is kept beside it, named in the recorded
scan's record (``note``), and changes nothing. Both endpoints are scanned in full: the agent
learns they are one phone only from their scans.

The boot id lives in memory for the round only (``Scanned.boot``): no state, report, event or
log keeps it. A reboot between rounds draws a new one, which changes nothing across rounds: the
history goes by the id and the trait, as for any phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from checks.drift import FindingKey, is_open
from checks.findings import Status

if TYPE_CHECKING:
    from scanner.app.agent.round import PhoneOutcome

__all__ = ["Reading", "keeps", "note", "reading", "same"]


@dataclass(frozen=True, slots=True)
class Reading:
    """What the recorder compares of one scan of the round."""

    scan_id: str
    via: str
    boot: str | None
    complete: bool
    failed: int
    shown: frozenset[str] = frozenset()
    """The finding keys the scan shows at risk (fail, manual, unknown)."""
    closed: frozenset[str] = frozenset()
    """The keys it evaluated and found closed (pass, informational, not applicable)."""
    evaluated: frozenset[str] = frozenset()
    """Every key it has a finding for."""


_AT_RISK = frozenset({"fail", "manual", "unknown"})


def reading(phone: PhoneOutcome) -> Reading | None:
    """The outcome's scan as compared here; None for a phone not scanned."""
    s = phone.scanned
    if s is None:
        return None
    keys = {str(FindingKey.of(f)): f.status.value for f in s.findings}
    shown = frozenset(k for k, status in keys.items() if status in _AT_RISK)
    closed = frozenset(k for k, status in keys.items() if not is_open(Status(status)))
    return Reading(s.scan_id, phone.target.via, s.boot, s.complete, phone.failed or 0, shown,
                   closed, frozenset(keys))  # fmt: skip


def _closes(r: Reading, keys: frozenset[str]) -> bool:
    """Whether ``r`` shows closed a key the other scan shows at risk (a complete scan closes
    what it has no finding for)."""
    return bool(keys & r.closed) or (r.complete and bool(keys - r.evaluated))


def same(a: Reading | None, b: Reading | None) -> bool:
    """Both scans' boot ids read and equal, and neither shows closed what the other shows at
    risk: one running phone. Any app may read the boot id (AOSP's ``domain`` rule), so a clone
    can print the phone's; two scans that disagree are not shown to be one phone's (review13:
    the one with more failures was recorded and closed the other's failure)."""
    if a is None or b is None or a.boot is None or a.boot != b.boot:
        return False
    return not _closes(a, b.shown) and not _closes(b, a.shown)


def keeps(first: Reading, second: Reading) -> bool:
    """True when the round's second scan of the phone is the one to record (the first is then
    put back); False keeps the first."""
    return (not second.complete, second.failed) > (not first.complete, first.failed)


def note(kept: Reading, other: Reading, report: str | None) -> str:
    """What the recorded scan's record says of the other one."""
    why = (
        "it was cut short or answered damaged, which the other's whole answer does not outvote"
        if other.complete and not kept.complete
        else f"it found more failed checks ({kept.failed} to {other.failed})"
        if kept.failed > other.failed
        else "it came first and the other showed no more"
    )
    where = f", report {report}" if report else ""
    return (
        f"one phone over {kept.via} and {other.via} in this round (one serial, one boot id): "
        f"recorded once, by its scan over {kept.via}, since {why}; its scan over {other.via} "
        f"({other.scan_id[:8]}{where}) changes nothing"
    )

"""Rules never pass on damaged facts: which facts a rule read, and what that does to its outcome.

A fact can be partly readable: a ``dumpsys package`` listing with one unreadable block still
names the other packages (``Snapshot.damaged`` says which facts are partial, and why). A rule
cannot tell from the partial fact what the damaged part held — the unreadable block may be the
messenger it looks for, or the app that reads its files — so whatever it concludes from absence
(``pass``, ``not_applicable``) is ``unknown`` instead. A ``fail`` stands: it rests on something
the phone did show. Which facts a rule depends on is observed, not declared: the rule runs on a
snapshot that notes every fact it reads, so a new rule needs no list kept up to date.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import structs

from checks.facts import Snapshot
from checks.findings import Evidence, Outcome, Status, say

_FACTS = frozenset(
    {"identity", "users", "policy", "packages", "app_ops", "storage", "backup", "user_backups"}
)
_SOURCES = {
    "identity": "getprop",
    "users": "pm list users",
    "policy": "dumpsys device_policy",
    "packages": "dumpsys package packages",
    "app_ops": "dumpsys appops",
    "storage": "find",
    "backup": "bmgr enabled",
    "user_backups": "bmgr --user",
}
_CONCLUSIONS_FROM_ABSENCE = frozenset({Status.PASS, Status.NOT_APPLICABLE})


class _Watched(Snapshot, frozen=True, dict=True):
    """A snapshot that records which facts are read (a subclass, so ``isinstance`` holds; with
    an instance ``__dict__`` for the set it notes into)."""

    def __getattribute__(self, name: str) -> object:
        if name in _FACTS:
            try:
                object.__getattribute__(self, "_read").add(name)
            except AttributeError:  # a copy made by structs.replace: nothing to note into
                pass
        return object.__getattribute__(self, name)


def watched(snapshot: Snapshot) -> tuple[Snapshot, set[str]]:
    """A copy of ``snapshot`` that notes each fact read into the returned set."""
    copy = _Watched(**{name: getattr(snapshot, name) for name in snapshot.__struct_fields__})
    read: set[str] = set()
    copy.__dict__["_read"] = read  # frozen: the fields cannot be set, the instance dict can
    return copy, read


def downgrade(outcomes: Iterable[Outcome], snapshot: Snapshot, read: set[str]) -> list[Outcome]:
    """``pass``/``not_applicable`` outcomes become ``unknown`` when a fact they read is damaged."""
    hit = sorted(name for name in read if name in snapshot.damaged)
    if not hit:
        return list(outcomes)
    notes = tuple(
        Evidence.of(
            say(
                "rule.damaged",
                "not conclusive: {source} could not be fully read ({reason})",
                source=_SOURCES[name],
                reason=snapshot.damaged[name],
            ),
            _SOURCES[name],
            {"damaged": name},
        )
        for name in hit
    )
    return [
        structs.replace(o, status=Status.UNKNOWN, evidence=(*o.evidence, *notes))
        if o.status in _CONCLUSIONS_FROM_ABSENCE
        else o
        for o in outcomes
    ]

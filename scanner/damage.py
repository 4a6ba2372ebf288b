"""What a scan's outputs say about their own damage: checksums that failed on the way, and
outputs that arrived whole but cannot be (``text.implausible``). ``scanner.collect`` lists both
in the snapshot's problems; no rule passes on a damaged fact (``checks.damaged``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scanner import batch, probes
from scanner.batch import Output
from scanner.parse.text import implausible
from scanner.probes import Probe

FACTS = {
    probes.GETPROP.name: "identity",
    probes.USERS.name: "users",
    probes.DEVICE_POLICY.name: "policy",
    probes.BACKUP_ENABLED.name: "backup",
    probes.BACKUP_TRANSPORTS.name: "backup",
    probes.APP_OPS.name: "app_ops",
    probes.PACKAGES.name: "packages",
    probes.SHARED_USERS.name: "packages",
}
"""Probe -> the fact its output becomes."""
SOURCES = {
    "identity": "getprop",
    "users": "pm list users",
    "policy": "dumpsys device_policy",
    "backup": "bmgr",
    "app_ops": "dumpsys appops",
    "packages": "dumpsys package",
    "storage": "find",
    "user_backups": "bmgr --user",
}


def inventory(outputs: Mapping[str, Output], damaged: dict[str, str]) -> None:
    """Facts whose output cannot be whole (``text.implausible``: garbled, cut, timed out): what
    the parsers read of them stands, but no rule may conclude anything from what they omit."""
    for name, fact in FACTS.items():
        out = outputs.get(name)
        if out is None or out.damaged is not None:
            continue
        why = implausible(out.text)
        if why is not None:
            damaged.setdefault(fact, why)


def listings(
    outputs: Mapping[str, Output],
    targets: Iterable[probes.StorageTarget],
    per_user: Mapping[int, tuple[Probe, Probe]],
    damaged: dict[str, str],
) -> None:
    """The same plausibility checks for the folder listings and the per-user bmgr answers."""
    targets = tuple(targets)
    names = [t.files.name for t in targets] + [t.nomedia.name for t in targets if t.nomedia]
    for fact, group, what in (
        ("storage", names, "folder listing(s)"),
        ("user_backups", [p.name for pair in per_user.values() for p in pair], "bmgr answer(s)"),
    ):
        bad = [
            why
            for name in group
            if (o := outputs.get(name)) is not None
            and not o.damaged
            and (why := implausible(o.text))
        ]
        if bad:
            damaged[fact] = f"{len(bad)} {what} cannot be whole ({bad[0]})"


def transit(asked: Iterable[Probe], outputs: Mapping[str, Output]) -> list[str]:
    """One problem per output whose checksum did not match."""
    return [
        f"the output of `{batch.command_line(p.argv)}` was damaged on the way from the phone "
        f"({out.damaged}); it was not read (check the cable, hub or network and scan again)"
        for p in asked
        if (out := outputs.get(p.name)) is not None and out.damaged
    ]


def unverified(outputs: Iterable[Output]) -> list[str]:
    outputs = list(outputs)
    count = sum(1 for o in outputs if not o.verified and not o.damaged)
    if not count:
        return []
    note = (
        f"{count} of {len(outputs)} outputs came without the phone's checksum (no cksum, or "
        "the shell could not open /proc/self/fd): damage on the way is found only where the "
        "parsers notice it"
    )
    return [note]

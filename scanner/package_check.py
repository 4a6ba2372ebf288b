"""The cross-check of ``dumpsys package`` against ``pm list packages`` in a scan (issue 12).

``follow`` asks ``pm list packages`` in the inventory's wave, as soon as the stream that holds
``getprop`` has ended (its options depend on the SDK: ``probes.pm_list_probes``); ``check``
compares the lists with what the package parser read (``scanner.parse.package_list``).

A disagreement is damage of ``dumpsys package`` (``Snapshot.damaged["packages"]``): no rule
that reads the package list passes or says "not applicable", the scan is incomplete (exit 2)
and the agent resolves nothing. A ``pm list`` that failed, was refused (old Android, a
``SecurityException``) or was not answered is not damage of the dump: the
cross-check is then not made and the snapshot's problems say so; nothing passes and nothing
fails because of it (a real capture holds no ``pm list``: its replay gets that note). One
that answered and cannot be read (``PackageList.garbled``) is damage: no app can write it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from checks.facts import Package, Unseen
from scanner import batch, probes
from scanner.batch import BatchResult, Output
from scanner.parse.getprop import parse_getprop
from scanner.parse.package_list import PackageList, cross_check, parse_pm_list_packages, usable
from scanner.probes import Probe
from scanner.waves import FollowUp, Streams

NOT_MADE = "the cross-check of dumpsys package with pm list packages was not made"
_NAMES = tuple(f"pm-list-{kind}" for kind, _ in probes.PM_LIST_KINDS)
_EXAMPLES = 3


def follow(then: FollowUp | None) -> FollowUp:
    """``then``'s follow-up streams, and the ``pm list`` stream once ``getprop`` has answered."""

    def more(number: int, result: BatchResult) -> Streams:
        streams = list(then(number, result)) if then is not None else []
        out = result.outputs.get(probes.GETPROP.name)
        if out is not None:
            streams.append(probes.pm_list_probes(_sdk(out)))
        return streams

    return more


def _sdk(out: Output) -> int | None:
    if out.damaged is not None or out.exit_code not in (0, None):
        return None
    value = parse_getprop(out.text).get("ro.build.version.sdk", "")
    return int(value) if value.isdigit() and len(value) < 4 else None


def asked(asked: Mapping[str, Probe]) -> list[Probe]:
    """The ``pm list`` probes the scan asked (for its records and the recorder)."""
    return [asked[name] for name in _NAMES if name in asked]


def check(
    outputs: Mapping[str, Output],
    asked: Mapping[str, Probe],
    packages: Sequence[Package] | Unseen,
    hidden: Sequence[str],
    damaged: dict[str, str],
) -> list[str]:
    """Note a disagreement in ``damaged["packages"]``; return the note when the cross-check
    could not be made (none when ``dumpsys package`` itself was not read: nothing to check)."""
    if isinstance(packages, Unseen):
        return []
    lists: dict[str, PackageList | str] = {}
    for (kind, _), name in zip(probes.PM_LIST_KINDS, _NAMES, strict=True):
        probe = asked.get(name)
        if probe is None:
            continue
        command = batch.command_line(probe.argv)
        out = outputs.get(name)
        if out is None:
            lists[kind] = f"`{command}` was not answered"
        elif out.damaged is not None:
            lists[kind] = f"`{command}` was damaged in transit"
        elif out.exit_code not in (0, None):
            lists[kind] = f"`{command}` failed (exit {out.exit_code}, {out.size} bytes of output)"
        else:
            lists[kind] = parse_pm_list_packages(out.text)
    flags = dict(probes.PM_LIST_KINDS)
    garbled = [
        f"pm list packages {flags[kind]}: {v.unusable}"
        for kind, v in lists.items()
        if isinstance(v, PackageList) and v.garbled
    ]
    if garbled:  # answered, and unreadable: no app writes such a list (package_list)
        why = f"could not be checked against pm list packages: {'; '.join(garbled)}"
        damaged["packages"] = f"{damaged['packages']}; {why}" if "packages" in damaged else why
        return []
    got = usable(lists)
    if isinstance(got, str):
        return [f"{NOT_MADE} ({got}); a forged package block is found only where dumpsys shows it"]
    found = cross_check(packages, hidden, *got)
    if not found:
        return []
    why = f"disagrees with pm list packages: {found.describe(_EXAMPLES)}"
    damaged["packages"] = f"{damaged['packages']}; {why}" if "packages" in damaged else why
    return []

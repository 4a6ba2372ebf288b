"""Collect one ``Snapshot`` from a connected phone: three batched exchanges, then pure parsing.

1. The inventory batch: properties, users, owners, Android backup, every package with its per-user
   grants, app ops. Nothing in it depends on anything else, so it is one script.
2. The storage batch: for every messenger installed, in every user it is installed for, the
   catalog's media and archive folders, as counts, sizes and dates; and ``bmgr --user N`` for
   every user other than user 0 that holds a messenger (each profile's own backup state).
3. The signing blocks of all messengers' APKs, a few KiB each (v1-only APKs need two more).

A probe that fails, or that the phone never answered, becomes an ``Unseen`` fact with the reason
(the rules then say ``unknown``); a lost or hung phone gives a snapshot marked incomplete. This
module decides nothing about compliance.

Damage is named, never read as absence. An output whose checksum does not match (see
``scanner.batch``) is not parsed: its fact is ``Unseen`` ("damaged in transit"). An output that
arrived whole but holds lines a parser cannot read (bytes that are not text, a cut value, a
package header without a valid name) keeps what could be read, and ``Snapshot.damaged`` names
the fact, so no rule passes on it (``checks.damaged``). Either way the snapshot lists the damage
in ``problems`` and is not ``complete``: the agent never resolves a finding on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import structlog

from checks.errors import DeviceError, ProbeTimeout
from checks.facts import (
    AppOps,
    BackupState,
    DeviceIdentity,
    DevicePolicy,
    FolderSummary,
    Package,
    ProbeRecord,
    SignerEvidence,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
)
from scanner import batch, probes
from scanner.apk_reads import SignerReads
from scanner.batch import BatchResult, Output
from scanner.parse.appops import (
    appops_damage,
    parse_dumpsys_appops,
    parse_dumpsys_appops_uid_modes,
)
from scanner.parse.backup import backup_state
from scanner.parse.device_policy import parse_device_policy
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.getprop import identity_from_props, parse_getprop, serial_from_props
from scanner.parse.storage import parse_find_stat, parse_test_exists
from scanner.parse.text import implausible
from scanner.parse.users import describe_failure, parse_pm_list_users, parse_user_types
from scanner.probes import Probe
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Transport

log = structlog.get_logger("msgscan.collect")

OutputHook = Callable[[Probe, Output], None]
"""Called with every probe's raw output (the recorder stores them)."""


@dataclass(frozen=True, slots=True)
class _Outputs:
    """Outputs of one or more batches, and what went wrong."""

    by_name: Mapping[str, Output]
    missing_reason: str | None

    def get(self, probe: Probe) -> Output | Unseen:
        out = self.by_name.get(probe.name)
        if out is None:
            return Unseen(f"{batch.command_line(probe.argv)}: not collected ({self.missing_reason})")
        if out.damaged is not None:
            return Unseen(f"{batch.command_line(probe.argv)}: output damaged in transit")
        if out.exit_code not in (0, None):
            # Described, never quoted: the output of a failed command may still hold names.
            return Unseen(
                f"{batch.command_line(probe.argv)} failed (exit {out.exit_code}, "
                f"{out.size} bytes of output)"
            )
        return out


def _run(
    transport: Transport,
    group: tuple[Probe, ...],
    timeout: float,
    hook: OutputHook | None,
    deadline: float | None = None,
) -> BatchResult:
    started = time.monotonic()
    result = batch.run(transport, group, timeout=timeout, deadline=deadline)
    log.info(
        "batch.done",
        probes=len(group),
        missing=len(result.missing),
        bytes=sum(o.size for o in result.outputs.values()),
        ms=round((time.monotonic() - started) * 1000, 1),
    )
    if hook is not None:
        for probe in group:
            out = result.outputs.get(probe.name)
            if out is not None and out.damaged is None:  # a recording never keeps damage
                hook(probe, out)
    return result


def _records(group: tuple[Probe, ...], result: BatchResult) -> list[ProbeRecord]:
    records = []
    for p in group:
        out = result.outputs.get(p.name)
        records.append(
            ProbeRecord(
                name=p.name,
                command=batch.command_line(p.argv),
                exit_code=out.exit_code if out else None,
                ok=out is not None and out.exit_code in (0, None) and out.damaged is None,
                bytes=out.size if out else 0,
                error=(f"damaged in transit: {out.damaged}" if out.damaged else None)
                if out
                else (result.error.problem if result.error else "not run"),
            )
        )
    return records


def collect(
    transport: Transport,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    deadline: float | None = None,
    on_output: OutputHook | None = None,
) -> Snapshot:
    """Collect everything the checklist needs; never raises for what the phone does.

    ``timeout`` bounds each exchange; ``deadline`` (``time.monotonic()``) the whole collection.
    """
    problems: list[str] = []
    first = _run(transport, probes.INVENTORY, timeout, on_output, deadline)
    records = _records(probes.INVENTORY, first)
    if first.error:
        problems.append(f"{first.error.problem} ({first.error.hint})")
    got = _Outputs(first.outputs, first.error.problem if first.error else "phone did not answer")

    damaged: dict[str, str] = {}
    problems += _transit(probes.INVENTORY, first)
    identity = _identity(got.get(probes.GETPROP))
    users = _users(got.get(probes.USERS), got.get(probes.USER_TYPES))
    policy = _policy(got.get(probes.DEVICE_POLICY))
    packages = _packages(got.get(probes.PACKAGES), got.get(probes.SHARED_USERS), damaged)
    app_ops = _app_ops(got.get(probes.APP_OPS), damaged)
    backup = _backup(got.get(probes.BACKUP_ENABLED), got.get(probes.BACKUP_TRANSPORTS))
    _implausible(got, damaged)  # after the package parser, whose account is more precise

    storage: tuple[StorageEvidence, ...] = ()
    user_backups: dict[int, BackupState | Unseen] = {}
    complete = first.error is None
    lost = first.error
    outputs = list(first.outputs.values())
    if not isinstance(packages, Unseen):
        problems += probes.rejected_names(packages, () if isinstance(users, Unseen) else users)
    signers: tuple[SignerEvidence, ...] = ()
    if complete and not isinstance(packages, Unseen):
        known = () if isinstance(users, Unseen) else users
        targets = probes.storage_targets(packages, known)
        per_user = probes.user_backup_probes(packages, known)
        group = probes.storage_probes(targets) + tuple(p for pair in per_user.values() for p in pair)
        listing = got.get(probes.PACKAGES)
        reads = SignerReads(
            packages,
            None if isinstance(listing, Unseen) else listing.text,
            None if isinstance(identity, Unseen) else identity.sdk,
        )
        group += reads.probes()
        if group:
            second = _run(transport, group, timeout, on_output, deadline)
            records += _records(group, second)
            if second.error:
                complete, lost = False, second.error
                problems.append(f"{second.error.problem} ({second.error.hint})")
            problems += _transit(group, second)
            outputs += second.outputs.values()
            _implausible_second(second, targets, per_user, damaged)
            storage = _storage(targets, second)
            more = _Outputs(second.outputs, second.error.problem if second.error else "phone did not answer")
            user_backups = {
                uid: _backup(more.get(enabled), more.get(listed))
                for uid, (enabled, listed) in per_user.items()
            }
            reads.feed(second)
        # The signing blocks: one more exchange for all messengers (apk_reads.MAX_ROUNDS at most).
        while complete and (block_reads := reads.probes()):
            extra = _run(transport, block_reads, timeout, on_output, deadline)
            records += _records(block_reads, extra)
            problems += _transit(block_reads, extra)
            outputs += extra.outputs.values()
            reads.feed(extra)
            if extra.error:
                complete, lost = False, extra.error
                problems.append(f"{extra.error.problem} ({extra.error.hint})")
        signers = reads.evidence()
    problems += [f"{_SOURCES[fact]}: {why}" for fact, why in damaged.items()]
    problems += _unverified(outputs)
    damaged_in_transit = any(o.damaged for o in outputs)

    serial, address = _own_serial(transport.serial, got.get(probes.GETPROP))
    return Snapshot(
        serial=serial,
        address=address,
        identity=identity,
        users=users,
        policy=policy,
        packages=packages,
        app_ops=app_ops,
        storage=storage,
        backup=backup,
        user_backups=user_backups,
        probes=tuple(records),
        complete=complete and not damaged and not damaged_in_transit,
        problems=tuple(problems),
        interrupted_by=_interruption(lost),
        signers=signers,
        damaged=damaged,
    )


_FACTS = {
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
_SOURCES = {
    "identity": "getprop",
    "users": "pm list users",
    "policy": "dumpsys device_policy",
    "backup": "bmgr",
    "app_ops": "dumpsys appops",
    "packages": "dumpsys package",
    "storage": "find",
    "user_backups": "bmgr --user",
}


def _implausible(got: _Outputs, damaged: dict[str, str]) -> None:
    """Facts whose output cannot be whole (``text.implausible``: garbled, cut, timed out): what
    the parsers read of them stands, but no rule may conclude anything from what they omit."""
    for name, fact in _FACTS.items():
        out = got.by_name.get(name)
        if out is None or out.damaged is not None:
            continue
        why = implausible(out.text)
        if why is not None:
            damaged.setdefault(fact, why)


def _implausible_second(
    second: BatchResult,
    targets: tuple[probes.StorageTarget, ...],
    per_user: Mapping[int, tuple[Probe, Probe]],
    damaged: dict[str, str],
) -> None:
    """The same plausibility checks for the folder listings and the per-user bmgr answers."""
    listings = [t.files.name for t in targets] + [t.nomedia.name for t in targets if t.nomedia]
    for fact, names, what in (
        ("storage", listings, "folder listing(s)"),
        ("user_backups", [p.name for pair in per_user.values() for p in pair], "bmgr answer(s)"),
    ):
        bad = [
            why
            for name in names
            if (o := second.outputs.get(name)) is not None and not o.damaged
            and (why := implausible(o.text))
        ]
        if bad:
            damaged[fact] = f"{len(bad)} {what} cannot be whole ({bad[0]})"


def _transit(group: tuple[Probe, ...], result: BatchResult) -> list[str]:
    """One problem per output whose checksum did not match."""
    return [
        f"the output of `{batch.command_line(p.argv)}` was damaged on the way from the phone "
        f"({out.damaged}); it was not read (check the cable, hub or network and scan again)"
        for p in group
        if (out := result.outputs.get(p.name)) is not None and out.damaged
    ]


def _unverified(outputs: list[Output]) -> list[str]:
    unverified = sum(1 for o in outputs if not o.verified and not o.damaged)
    if not unverified:
        return []
    note = (
        f"{unverified} of {len(outputs)} outputs came without the phone's checksum (no cksum, or "
        "the shell could not open /proc/self/fd): damage on the way is found only where the "
        "parsers notice it"
    )
    return [note]


def _own_serial(reached: str, out: Output | Unseen) -> tuple[str, str | None]:
    """The phone's id and address: over TCP (``reached`` is ``host:port``) the phone's own serial
    from getprop, so the same phone on a new address stays one device; otherwise ``reached``
    (the USB serial, or the adb server's name for it)."""
    if ":" not in reached or isinstance(out, Unseen):
        return reached, None
    own = serial_from_props(parse_getprop(out.text))
    return (own, reached) if own else (reached, None)


def _interruption(error: DeviceError | None) -> str | None:
    if error is None:
        return None
    return "timeout" if isinstance(error, ProbeTimeout) else "lost"


def _identity(out: Output | Unseen) -> DeviceIdentity | Unseen:
    if isinstance(out, Unseen):
        return out
    props = parse_getprop(out.text)
    if not props:
        return Unseen("getprop printed no properties")
    return identity_from_props(props)


def _users(out: Output | Unseen, verbose: Output | Unseen) -> tuple[User, ...] | Unseen:
    if isinstance(out, Unseen):
        return out
    users = parse_pm_list_users(out.text)
    if not users:
        # The reason never quotes the output: a half-broken listing may still hold user names.
        return Unseen(describe_failure(out.text))
    types = {} if isinstance(verbose, Unseen) else parse_user_types(verbose.text)
    return tuple(
        replace(u, type=types[u.id][0], parent=types[u.id][1]) if u.id in types else u
        for u in users
    )


def _policy(out: Output | Unseen) -> DevicePolicy | Unseen:
    return out if isinstance(out, Unseen) else parse_device_policy(out.text)


def _packages(
    out: Output | Unseen, shared: Output | Unseen, damaged: dict[str, str]
) -> tuple[Package, ...] | Unseen:
    if isinstance(out, Unseen):
        return out
    # Without the Shared users: section, shared-uid apps lose their runtime grants: those rows
    # are then simply absent ("no entry"), never reported as denied.
    listing = read_dumpsys_package(out.text, then=None if isinstance(shared, Unseen) else shared.text)
    why = listing.damage.describe("package block")
    if why is not None:
        damaged["packages"] = why
    if isinstance(shared, Unseen) and "damaged" in shared.reason:
        damaged.setdefault("packages", "the shared-users section was damaged in transit")
    return listing.packages if listing.packages else Unseen("dumpsys package listed no packages")


def _app_ops(out: Output | Unseen, damaged: dict[str, str]) -> AppOps | Unseen:
    if isinstance(out, Unseen):
        return out
    why = appops_damage(out.text).describe("op")
    if why is not None:
        damaged["app_ops"] = why
    per_package = parse_dumpsys_appops(out.text)
    return AppOps(per_package.modes, parse_dumpsys_appops_uid_modes(out.text))


def _backup(enabled: Output | Unseen, transports: Output | Unseen) -> BackupState | Unseen:
    if isinstance(enabled, Unseen):
        return enabled
    return backup_state(enabled.text, "" if isinstance(transports, Unseen) else transports.text)


def _storage(targets: tuple[probes.StorageTarget, ...], result: BatchResult) -> tuple[StorageEvidence, ...]:
    reason = result.error.problem if result.error else "phone did not answer"
    evidence = []
    for t in targets:
        out = result.outputs.get(t.files.name)
        if out is None:
            summary: FolderSummary | Unseen = Unseen(f"not collected ({reason})")
        elif out.damaged is not None:
            summary = Unseen("output damaged in transit")
        else:
            summary = parse_find_stat(out.text, t.path, out.exit_code)
        if t.nomedia is not None and not isinstance(summary, Unseen) and summary.exists:
            flag = result.outputs.get(t.nomedia.name)
            nomedia = parse_test_exists(flag.exit_code) if flag and not flag.damaged else None
            summary = replace(summary, nomedia=nomedia)
        evidence.append(
            StorageEvidence(t.package, t.user_id, t.location.id, t.location.kind, t.path, summary)
        )
    return tuple(evidence)

"""Collect one ``Snapshot`` from a connected phone: two batched exchanges, then pure parsing.

1. The inventory batch: properties, users, owners, Android backup, every package with its per-user
   grants, app ops. Nothing in it depends on anything else, so it is one script.
2. The storage batch: for every messenger installed, in every user it is installed for, the
   catalog's media and archive folders, as counts, sizes and dates.

A probe that fails, or that the phone never answered, becomes an ``Unseen`` fact with the reason
(the rules then say ``unknown``); a lost or hung phone gives a snapshot marked incomplete. This
module decides nothing about compliance.
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
    Package,
    ProbeRecord,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
)
from scanner import batch, probes
from scanner.batch import BatchResult, Output
from scanner.parse.appops import parse_dumpsys_appops, parse_dumpsys_appops_uid_modes
from scanner.parse.backup import backup_state
from scanner.parse.device_policy import parse_device_policy
from scanner.parse.dumpsys_package import parse_dumpsys_package
from scanner.parse.getprop import identity_from_props, parse_getprop, serial_from_props
from scanner.parse.storage import parse_find_stat, parse_test_exists
from scanner.parse.users import describe_failure, parse_pm_list_users
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
            if probe.name in result.outputs:
                hook(probe, result.outputs[probe.name])
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
                ok=out is not None and out.exit_code in (0, None),
                bytes=out.size if out else 0,
                error=None if out else (result.error.problem if result.error else "not run"),
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

    identity = _identity(got.get(probes.GETPROP))
    users = _users(got.get(probes.USERS))
    policy = _policy(got.get(probes.DEVICE_POLICY))
    packages = _packages(got.get(probes.PACKAGES), got.get(probes.SHARED_USERS))
    app_ops = _app_ops(got.get(probes.APP_OPS))
    backup = _backup(got.get(probes.BACKUP_ENABLED), got.get(probes.BACKUP_TRANSPORTS))

    storage: tuple[StorageEvidence, ...] = ()
    complete = first.error is None
    lost = first.error
    if not isinstance(packages, Unseen):
        problems += probes.rejected_names(packages, () if isinstance(users, Unseen) else users)
    if complete and not isinstance(packages, Unseen):
        targets = probes.storage_targets(packages, () if isinstance(users, Unseen) else users)
        group = probes.storage_probes(targets)
        if group:
            second = _run(transport, group, timeout, on_output, deadline)
            records += _records(group, second)
            if second.error:
                complete, lost = False, second.error
                problems.append(f"{second.error.problem} ({second.error.hint})")
            storage = _storage(targets, second)

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
        probes=tuple(records),
        complete=complete,
        problems=tuple(problems),
        interrupted_by=_interruption(lost),
    )


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


def _users(out: Output | Unseen) -> tuple[User, ...] | Unseen:
    if isinstance(out, Unseen):
        return out
    users = parse_pm_list_users(out.text)
    # The reason never quotes the output: a half-broken listing may still hold user names.
    return users if users else Unseen(describe_failure(out.text))


def _policy(out: Output | Unseen) -> DevicePolicy | Unseen:
    return out if isinstance(out, Unseen) else parse_device_policy(out.text)


def _packages(out: Output | Unseen, shared: Output | Unseen) -> tuple[Package, ...] | Unseen:
    if isinstance(out, Unseen):
        return out
    # Without the Shared users: section, shared-uid apps lose their runtime grants: those rows
    # are then simply absent ("no entry"), never reported as denied.
    text = out.text if isinstance(shared, Unseen) else out.text + "\n" + shared.text
    found = parse_dumpsys_package(text)
    return found if found else Unseen("dumpsys package listed no packages")


def _app_ops(out: Output | Unseen) -> AppOps | Unseen:
    if isinstance(out, Unseen):
        return out
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
        summary = (
            Unseen(f"not collected ({reason})")
            if out is None
            else parse_find_stat(out.text, t.path, out.exit_code)
        )
        if t.nomedia is not None and not isinstance(summary, Unseen) and summary.exists:
            flag = result.outputs.get(t.nomedia.name)
            nomedia = parse_test_exists(flag.exit_code) if flag else None
            summary = replace(summary, nomedia=nomedia)
        evidence.append(
            StorageEvidence(t.package, t.user_id, t.location.id, t.location.kind, t.path, summary)
        )
    return tuple(evidence)

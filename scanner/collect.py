"""Collect one ``Snapshot`` from a connected phone: three waves of parallel streams, then parsing.

A wave is a set of shell streams open side by side on the one connection (``batch.run_wave``);
each stream is one batched script, so the phone runs the wave's commands at the same time, and
only commands served by the same system service wait for each other (``probes.INVENTORY_STREAMS``
groups them so).

1. The inventory: properties, users, owners, Android backup, every package with its per-user
   grants, app ops; beside it, speculatively, every catalog messenger's folders in user 0
   (``probes.speculative_targets``: the answers of messengers not installed are dropped) and,
   as soon as ``pm list users`` has answered, ``bmgr --user N`` for every other user (each
   profile's own backup state; kept for the users a messenger sits in).
2. What the inventory makes askable: the folders of the messengers in other users (and the
   ``.nomedia`` flags of media folders that exist), the per-user backup state if the first wave
   could not ask it, and the first reads of each messenger's APK (``pm path``, its ZIP end).
3. The signing blocks of all messengers' APKs, a few KiB each (v1-only APKs need two more).

A probe that fails, or that the phone never answered, becomes an ``Unseen`` fact with the reason
(the rules then say ``unknown``), and so does a folder not found below a user's storage root the
shell could not see (``scanner.roots``); a lost or hung phone gives a snapshot marked
incomplete. This module decides nothing about compliance.

Damage is named, never read as absence. An output whose checksum does not match (see
``scanner.batch``) is not parsed: its fact is ``Unseen`` ("damaged in transit"). An output that
arrived whole but holds lines a parser cannot read (bytes that are not text, a cut value, a
package header without a valid name) keeps what could be read, and ``Snapshot.damaged`` names
the fact, so no rule passes on it (``checks.damaged``). Either way the snapshot lists the damage
in ``problems`` and is not ``complete``: the agent never resolves a finding on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from msgspec import Struct
from msgspec.structs import replace

from checks.errors import DeviceError, ProbeTimeout
from checks.facts import (
    AppOps,
    BackupState,
    DeviceIdentity,
    DevicePolicy,
    FolderSummary,
    Package,
    SignerEvidence,
    Snapshot,
    StorageEvidence,
    Unseen,
    User,
)
from scanner import batch, damage, names, package_check, probes, roots
from scanner.apk_reads import SignerReads
from scanner.batch import BatchResult, Output
from scanner.parse.appops import (
    appops_damage,
    parse_dumpsys_appops,
    parse_dumpsys_appops_uid_modes,
)
from scanner.parse.backup import backup_state
from scanner.parse.boot_id import parse_boot_id
from scanner.parse.device_policy import parse_device_policy
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.getprop import identity_from_props, parse_getprop, serial_from_props
from scanner.parse.storage import parse_find_stat, parse_test_exists
from scanner.parse.users import describe_failure, parse_pm_list_users, parse_user_types
from scanner.probes import Probe
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Transport
from scanner.waves import Streams, Waves

OutputHook = Callable[[Probe, Output], None]
"""Called with every used probe's raw output (the recorder stores them)."""


class _Outputs(Struct, frozen=True):
    """Outputs of one or more waves, and what went wrong."""

    by_name: Mapping[str, Output]
    missing_reason: str | None

    def get(self, probe: Probe) -> Output | Unseen:
        out = self.by_name.get(probe.name)
        if out is None:
            return Unseen(
                f"{batch.command_line(probe.argv)}: not collected ({self.missing_reason})"
            )
        if out.damaged is not None:
            return Unseen(f"{batch.command_line(probe.argv)}: output damaged in transit")
        if out.exit_code not in (0, None):
            # Described, never quoted: the output of a failed command may still hold names.
            return Unseen(
                f"{batch.command_line(probe.argv)} failed (exit {out.exit_code}, "
                f"{out.size} bytes of output)"
            )
        return out


def _per_user_backups(width: int) -> Callable[[int, BatchResult], Streams]:
    """Once ``pm list users`` answered: ``bmgr --user N`` for every other user, dealt over up
    to ``width`` streams. Each bmgr is a Java command: its VM starts in its own process, beside
    the others (``scanner.recordings.times.process_start``), and only its binder call waits for
    the backup manager, so in streams of their own the VM starts overlap; in one stream they
    would run one after another."""

    def more(number: int, result: BatchResult) -> Streams:
        out = result.outputs.get(probes.USERS.name)
        if out is None or out.damaged or out.exit_code not in (0, None):
            return ()
        users = parse_pm_list_users(out.text)
        ids = sorted({u.id for u in users if u.id and names.is_user_id(u.id)})
        return probes.streams_of([p for uid in ids for p in probes.backup_probes(uid)], width)

    return more


Listings = dict[tuple[str, str], tuple[Output, FolderSummary | Unseen]]
"""(probe name, path) -> the output of a folder listing and what it says, so that each listing
is parsed once: the second wave asks whether a guessed folder exists, the evidence reads it."""


def _listing(out: Output, target: probes.StorageTarget, parsed: Listings) -> FolderSummary | Unseen:
    key = (target.files.name, target.path)
    seen = parsed.get(key)
    if seen is not None and seen[0] is out:
        return seen[1]
    summary = parse_find_stat(out.text, target.path, out.exit_code)
    parsed[key] = (out, summary)
    return summary


def _absent(out: Output, target: probes.StorageTarget, parsed: Listings) -> bool:
    """The folder's listing arrived whole and says it does not exist (no ``.nomedia`` to ask)."""
    if out.damaged:
        return False
    summary = _listing(out, target, parsed)
    return not isinstance(summary, Unseen) and not summary.exists


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
    waves = Waves(transport, timeout, deadline)
    # Guesses pay only where streams overlap; a transport that runs one stream at a time (a
    # replay) is asked only what the snapshot needs, in the same three waves.
    parallel = waves.width > 1
    guessed = probes.speculative_targets(0) if parallel else ()
    side = max(1, waves.width - len(probes.INVENTORY_STREAMS))
    guesses = [probes.root_probe(0), *(t.files for t in guessed)] if guessed else []
    first = waves.run(
        [*probes.INVENTORY_STREAMS, *probes.streams_of(guesses, side)],
        package_check.follow(_per_user_backups(waves.width) if parallel else None),
    )
    got = _Outputs(first.outputs, first.error.problem if first.error else "phone did not answer")

    damaged: dict[str, str] = {}
    identity = _identity(got.get(probes.GETPROP))
    users = _users(got.get(probes.USERS), got.get(probes.USER_TYPES))
    policy = _policy(got.get(probes.DEVICE_POLICY))
    hidden: list[str] = []
    packages = _packages(got.get(probes.PACKAGES), got.get(probes.SHARED_USERS), damaged, hidden)
    checked = package_check.check(got.by_name, waves.asked, packages, hidden, damaged)
    app_ops = _app_ops(got.get(probes.APP_OPS), damaged)
    backup = _backup(got.get(probes.BACKUP_ENABLED), got.get(probes.BACKUP_TRANSPORTS))
    # After the package parser, whose account of the damage is more precise:
    damage.inventory(first.outputs, damaged)

    storage: tuple[StorageEvidence, ...] = ()
    user_backups: dict[int, BackupState | Unseen] = {}
    used: list[Probe] = [*probes.INVENTORY, *package_check.asked(waves.asked)]
    rejected: tuple[str, ...] = ()
    if not isinstance(packages, Unseen):
        rejected = probes.rejected_names(packages, () if isinstance(users, Unseen) else users)
    signers: tuple[SignerEvidence, ...] = ()
    if waves.lost is None and not isinstance(packages, Unseen):
        known = () if isinstance(users, Unseen) else users
        targets = probes.storage_targets(packages, known)
        per_user = probes.user_backup_probes(packages, known)
        listing = got.get(probes.PACKAGES)
        reads = SignerReads(
            packages,
            None if isinstance(listing, Unseen) else listing.text,
            None if isinstance(identity, Unseen) else identity.sdk,
        )
        used += probes.storage_probes(targets) + tuple(
            p for pair in per_user.values() for p in pair
        )
        parsed: Listings = {}
        second = _second_wave(waves, targets, per_user, reads.probes(), parsed)
        used += second[1]
        if second[0] is not None:
            reads.feed(second[0])
        seen = waves.so_far()
        damage.listings(seen.outputs, targets, per_user, damaged)
        visible = roots.seen(
            targets,
            seen,
            known,
            unlocked=roots.unlocked_users(got.get(probes.STORAGE_USERS)),
            sdk=None if isinstance(identity, Unseen) else identity.sdk,
        )
        storage = _storage(targets, seen, parsed, visible)
        more = _Outputs(seen.outputs, waves.lost.problem if waves.lost else "phone did not answer")
        user_backups = {
            uid: _backup(more.get(enabled), more.get(listed))
            for uid, (enabled, listed) in per_user.items()
        }
        # The signing blocks: one more wave for all messengers (apk_reads.MAX_ROUNDS at most).
        while waves.lost is None and (block_reads := reads.probes()):
            used += block_reads
            reads.feed(waves.run([block_reads]))
        signers = reads.evidence()
    problems = [*waves.problems, *rejected]  # the first cause of an interruption comes first
    problems += checked
    problems += damage.transit(waves.asked.values(), waves.outputs)
    problems += [f"{damage.SOURCES[fact]}: {why}" for fact, why in damaged.items()]
    problems += damage.unverified(waves.outputs.values())
    damaged_in_transit = any(o.damaged for o in waves.outputs.values())
    used = [p for p in dict.fromkeys(used) if p.name in waves.asked]  # not a skipped .nomedia
    _hand_over(used, waves.outputs, on_output)

    serial, address = _own_serial(transport.serial, got.get(probes.GETPROP))
    boot = got.get(probes.BOOT_ID)
    return Snapshot(
        boot_id=boot if isinstance(boot, Unseen) else parse_boot_id(boot.text),
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
        probes=tuple(waves.record(p) for p in used),
        complete=waves.lost is None and not damaged and not damaged_in_transit,
        problems=tuple(problems),
        interrupted_by=_interruption(waves.lost),
        signers=signers,
        damaged=damaged,
    )


def _second_wave(
    waves: Waves,
    targets: tuple[probes.StorageTarget, ...],
    per_user: Mapping[int, tuple[Probe, Probe]],
    signer_reads: tuple[Probe, ...],
    parsed: Listings,
) -> tuple[BatchResult | None, tuple[Probe, ...]]:
    """What the inventory made askable and the first wave did not ask; (its result or None if
    nothing was left, the probes it asked that are not storage or per-user ones)."""
    listings = [p for p in probes.root_probes(targets).values() if p.name not in waves.outputs]
    for t in targets:
        out = waves.outputs.get(t.files.name)
        if out is None:
            listings.append(t.files)
        if t.nomedia is not None and (out is None or not _absent(out, t, parsed)):
            listings.append(t.nomedia)
    backups = [p for pair in per_user.values() for p in pair if p.name not in waves.outputs]
    spread = probes.streams_of(backups, max(1, waves.width - 1 - bool(signer_reads)))
    side = max(1, waves.width - len(spread) - bool(signer_reads))
    streams = [s for s in (*probes.streams_of(listings, side), *spread, signer_reads) if s]
    if not streams:
        return None, signer_reads
    return waves.run(streams), signer_reads


def _hand_over(
    used: Iterable[Probe], outputs: Mapping[str, Output], hook: OutputHook | None
) -> None:
    """The recorder gets the outputs the snapshot was made of, in the order of asking; never a
    damaged one, nor the guesses the snapshot did not use."""
    if hook is None:
        return
    for probe in used:
        if probe is probes.BOOT_ID:  # names one running phone: no recording keeps it
            continue
        out = outputs.get(probe.name)
        if out is not None and out.damaged is None:
            hook(probe, out)


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
    out: Output | Unseen, shared: Output | Unseen, damaged: dict[str, str], hidden: list[str]
) -> tuple[Package, ...] | Unseen:
    if isinstance(out, Unseen):
        return out
    # Without the Shared users: section, shared-uid apps lose their runtime grants: those rows
    # are then simply absent ("no entry"), never reported as denied.
    listing = read_dumpsys_package(
        out.text, then=None if isinstance(shared, Unseen) else shared.text
    )
    hidden += listing.hidden
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


def _storage(
    targets: tuple[probes.StorageTarget, ...],
    result: BatchResult,
    parsed: Listings,
    visible: Mapping[int, Unseen | None],
) -> tuple[StorageEvidence, ...]:
    reason = result.error.problem if result.error else "phone did not answer"
    evidence = []
    for t in targets:
        out = result.outputs.get(t.files.name)
        if out is None:
            summary: FolderSummary | Unseen = Unseen(f"not collected ({reason})")
        elif out.damaged is not None:
            summary = Unseen("output damaged in transit")
        else:
            summary = _listing(out, t, parsed)
        if isinstance(summary, FolderSummary) and (
            not summary.exists or not summary.files and t.path == roots.root_of(t.user_id)
        ):
            # "No such file" below a root the shell cannot see says nothing of the folder, nor
            # does a search of a locked root that matched nothing (its names are ciphertext).
            summary = visible.get(t.user_id) or summary
        if t.nomedia is not None and not isinstance(summary, Unseen) and summary.exists:
            flag = result.outputs.get(t.nomedia.name)
            nomedia = parse_test_exists(flag.exit_code) if flag and not flag.damaged else None
            summary = replace(summary, nomedia=nomedia)
        evidence.append(
            StorageEvidence(t.package, t.user_id, t.location.id, t.location.kind, t.path, summary)
        )
    return tuple(evidence)

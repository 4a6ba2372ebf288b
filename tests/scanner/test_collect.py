"""Collecting a snapshot: shipped recordings, a real capture, a busy phone, a lost phone."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from checks.errors import DeviceLost
from checks.facts import FolderSummary, Snapshot, Unseen, UserKind
from reports.render.snapshot import snapshot_to_json
from scanner import batch, probes, recording
from scanner.app.record import record
from scanner.collect import collect
from scanner.parse.text import decode
from scanner.recording import Command, DeviceLabel, Recording
from scanner.recordings.build import SHIPPED, large_phone
from scanner.recordings.construct import build
from scanner.replay import ReplayTransport
from scanner.transport.interface import ShellResult

RECORDINGS = Path(__file__).resolve().parents[2] / "scanner" / "recordings"


def replay(rec: Recording) -> Snapshot:
    return collect(ReplayTransport(rec))


def shipped(name: str) -> Recording:
    return recording.load(RECORDINGS / name)


def storage(snapshot: Snapshot, package: str, location: str) -> FolderSummary | Unseen:
    return next(e.summary for e in snapshot.storage if e.package == package and e.location == location)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_recording_matches_its_metadata(name: str) -> None:
    """Each shipped recording replays completely and installs what its metadata promises."""
    rec = shipped(name)
    snap = replay(rec)
    installed = {
        p.name: {"installed_for": list(p.installed_for())}
        for p in snap.packages  # type: ignore[union-attr]
        if p.name in rec.meta["expect"]["messengers"]
    }
    assert (True, rec.meta["expect"]["messengers"]) == (snap.complete, installed)
    assert "constructed" == rec.meta["source"] and "not captured" in rec.meta["how_made"]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_recordings_are_up_to_date(name: str) -> None:
    """The JSON files are exactly what the build script makes (no hand edits)."""
    from scanner.recordings.build import shipped as rebuild

    assert recording.to_json(rebuild(name)) == json.loads((RECORDINGS / name).read_text())


def test_android16_media_and_archives() -> None:
    """Visible WhatsApp media, local backups and Telegram media are counted, without names."""
    snap = replay(shipped("android16-personal-whatsapp-telegram.json"))
    images = storage(snap, "com.whatsapp", "scoped.images")
    assert isinstance(images, FolderSummary)
    assert (37, False, date(2026, 11, 20)) == (images.files, images.nomedia, images.newest.date())  # type: ignore[union-attr]
    archives = storage(snap, "com.whatsapp", "scoped.databases")
    assert isinstance(archives, FolderSummary) and 3 == archives.files
    assert FolderSummary(exists=False) == storage(snap, "com.whatsapp", "legacy.databases")
    voice = storage(snap, "com.whatsapp", "scoped.voice_notes")
    assert isinstance(voice, FolderSummary) and 5 == voice.files
    tg = storage(snap, "org.telegram.messenger", "scoped.images")
    assert isinstance(tg, FolderSummary) and 12 == tg.files
    ops = snap.app_ops
    assert not isinstance(ops, Unseen)
    assert "allow" == ops.mode(0, "com.ghisler.android.TotalCommander", "MANAGE_EXTERNAL_STORAGE").value  # type: ignore[union-attr]


def test_android14_work_profile() -> None:
    """WhatsApp Business lives only in the managed profile, whose storage the shell cannot read."""
    snap = replay(shipped("android14-work-profile-business.json"))
    assert not isinstance(snap.users, Unseen) and not isinstance(snap.policy, Unseen)
    assert {0: UserKind.SYSTEM, 10: UserKind.MANAGED_PROFILE} == {u.id: u.kind for u in snap.users}
    assert {10: "com.google.android.apps.work.clouddpc"} == dict(snap.policy.profile_owners)
    w4b = snap.package("com.whatsapp.w4b")
    assert w4b is not None and w4b.user(10) is not None
    assert (True, False) == (w4b.user(10).runtime_permissions["android.permission.READ_CONTACTS"], w4b.user(0).installed)  # type: ignore[union-attr]
    summaries = [e.summary for e in snap.storage if e.package == "com.whatsapp.w4b"]
    assert summaries and all(isinstance(s, Unseen) and "permission denied" in s.reason for s in summaries)


def test_android10_alternatives() -> None:
    """Signal's local backups are found wherever they lie; the old patch level is read."""
    snap = replay(shipped("android10-signal-threema-wire.json"))
    files = storage(snap, "org.thoughtcrime.securesms", "backup.files")
    assert isinstance(files, FolderSummary) and 2 == files.files
    assert not isinstance(snap.identity, Unseen)
    assert (date(2021, 3, 1), 29) == (snap.identity.security_patch, snap.identity.sdk)


@pytest.mark.parametrize(("maxdata", "most"), [(1 << 20, 12), (256 * 1024, 12), (4096, 40)])
def test_busy_phone_exchange_count(maxdata: int, most: int) -> None:
    """300 packages and 3 users take 3 waves whatever the phone's command limit (at most 12
    streams from Android 7 on, 40 exchanges within Android 6's 4 KiB), and no file content is
    read but the messengers' APK signing data (tail -c of the ZIP end, dd of the block)."""
    transport = ReplayTransport(build(large_phone(300, 3, maxdata=maxdata), model="m", product="p", device="d"))
    snap = collect(transport)
    parts = [batch.checked_parts(cmd) for cmd in transport.meter.commands]
    assert all(p is not None for p in parts), "every exchange carries its checksums"
    programs = {part.split()[0] for cmd in parts for inner in cmd or () for part in inner.split("; ")}
    assert not isinstance(snap.packages, Unseen) and not isinstance(snap.users, Unseen)
    assert (300, 3, True) == (len(snap.packages), len(snap.users), snap.complete)
    assert (3, True) == (transport.meter.waves, transport.meter.exchanges <= most)
    assert all(len(c) <= transport.max_command for c in transport.meter.commands)
    assert programs <= {"getprop", "pm", "cmd", "dumpsys", "bmgr", "find", "test", "echo", "tail", "dd",
                        "cat"}  # cat: the kernel's boot id (boot12)
    assert 3 == sum(1 for s in snap.signers if not isinstance(s.certificate, Unseen))


def test_real_android7_capture_replays(capture: Callable[[str], bytes]) -> None:
    """The Huawei capture's package and appops dumps replay; what it lacks stays unknown."""
    text = decode(capture("isdi-huawei-frd-android7/dumpsys-all.txt"))
    sections = text.split("DUMP OF SERVICE ")
    package = next(s for s in sections if s.startswith("package\n"))
    appops = next(s for s in sections if s.startswith("appops"))
    rec = Recording(
        DeviceLabel("FRD-L04"),
        (
            Command(probes.PACKAGES.argv, package.encode()),
            Command(probes.SHARED_USERS.argv, b""),
            Command(probes.APP_OPS.argv, appops.encode()),
        ),
    )
    snap = replay(rec)
    wa, signal = snap.package("com.whatsapp"), snap.package("org.thoughtcrime.securesms")
    assert wa is not None and signal is not None
    assert ("2.18.341", "4.29.7") == (wa.version_name, signal.version_name)
    assert (True, True) == (
        wa.user(0).runtime_permissions["android.permission.READ_CONTACTS"],  # type: ignore[union-attr]
        signal.user(0).runtime_permissions["android.permission.READ_CONTACTS"],  # type: ignore[union-attr]
    )
    assert "allow" == snap.app_ops.mode(0, "com.whatsapp", "READ_CONTACTS").value  # type: ignore[union-attr]
    assert isinstance(snap.identity, Unseen) and isinstance(snap.users, Unseen)
    assert all(isinstance(e.summary, Unseen) for e in snap.storage)


class _Unplugged(ReplayTransport):
    """The phone disappears during the n-th exchange after sending part of its answer."""

    def __init__(self, rec: Recording, on_exchange: int, keep: int) -> None:
        super().__init__(rec)
        self.on_exchange, self.keep = on_exchange, keep

    def shell(self, command: str, *, timeout: float = 1.0) -> ShellResult:
        result = super().shell(command, timeout=timeout)
        if self.meter.exchanges == self.on_exchange:
            raise DeviceLost("SIM: connection lost", hint="keep the phone plugged in", partial=result.stdout[: self.keep])
        return result


def test_phone_lost_mid_inventory() -> None:
    """A phone lost mid-scan gives an incomplete snapshot; what arrived is kept, the rest unknown."""
    rec = shipped("android16-personal-whatsapp-telegram.json")
    snap = collect(_Unplugged(rec, on_exchange=1, keep=2000))
    assert (False, True) == (snap.complete, not isinstance(snap.identity, Unseen))
    assert isinstance(snap.packages, Unseen) and "not collected" in snap.packages.reason
    assert () == snap.storage and any("connection lost" in p for p in snap.problems)


def test_phone_lost_during_storage() -> None:
    """Losing the phone in the second wave keeps the inventory and marks storage unknown."""
    # a replay runs one stream at a time; the first wave's last is the pm list stream
    second = len(probes.INVENTORY_STREAMS) + 2
    snap = collect(_Unplugged(shipped("android16-personal-whatsapp-telegram.json"), on_exchange=second, keep=0))
    assert (False, False) == (snap.complete, isinstance(snap.packages, Unseen))
    assert snap.storage and all(isinstance(e.summary, Unseen) for e in snap.storage)
    assert {2} == {r.wave for r in snap.probes if not r.ok and r.error and "connection lost" in r.error}


def test_record_then_replay_gives_the_same_snapshot(tmp_path: Path) -> None:
    """A recording made by `record` replays to the snapshot the live collection saw."""
    rec = shipped("android16-personal-whatsapp-telegram.json")
    made, live = record(ReplayTransport(rec))
    recording.save(made, tmp_path / "r.json")
    again = replay(recording.load(tmp_path / "r.json"))
    strip = lambda s: {k: v for k, v in snapshot_to_json(s).items() if k != "probes"}  # noqa: E731
    assert strip(live) == strip(again)
    assert "recorded" == made.meta["source"]


def test_record_keeps_no_serial_or_user_names() -> None:
    """Recorded getprop holds only the properties msgscan reads; user names are replaced."""
    base = shipped("android14-work-profile-business.json")
    extra = b"[ro.serialno]: [R5CX123SECRET]\n[gsm.sim.operator.numeric]: [26201]\n"
    commands = tuple(
        Command(c.argv, c.stdout + extra if c.argv == ("getprop",) else c.stdout.replace(b":Owner:", b":Erika Mustermann:").replace(b"name=Owner,", b"name=Erika Mustermann,"), c.stderr, c.exit_code)
        for c in base.commands
    )
    assert any(b"name=Erika Mustermann," in c.stdout for c in commands)  # cmd user list -v names too
    made, snap = record(ReplayTransport(Recording(base.device, commands, base.meta)))
    blob = recording.dumps(made)
    assert (False, False, True) == (b"R5CX123SECRET" in blob, b"Mustermann" in blob, snap.complete)


def test_backup_state_per_user_where_a_messenger_is() -> None:
    """bmgr is asked per user a messenger sits in (``bmgr --user N``), and each answer is
    that user's own state; users without a messenger are not asked."""
    from scanner.recordings import profiles

    rec = profiles.made("profiles-byod-intune-android14.json")
    transport = ReplayTransport(rec)
    snap = collect(transport)
    sent = " ".join(transport.meter.commands)
    assert ("bmgr --user 10 enabled" in sent, "bmgr --user 0" in sent) == (True, False)
    assert (True, False, False) == (
        snap.backup_for(0).enabled,  # type: ignore[union-attr]
        snap.backup_for(10).enabled,  # type: ignore[union-attr]
        snap.backup_for(10).activated,  # type: ignore[union-attr]
    )
    assert isinstance(snap.backup_for(11), Unseen)


def test_user_types_join_the_users() -> None:
    """``cmd user list -v`` adds each user's type and parent; the flags stay from pm list users."""
    from scanner.recordings import profiles

    snap = replay(profiles.made("profiles-clone-private-space-android15.json"))
    assert not isinstance(snap.users, Unseen)
    assert [(0, "full.SYSTEM", None), (11, "profile.CLONE", 0), (12, "profile.PRIVATE", 0)] == [
        (u.id, u.type, u.parent) for u in snap.users
    ]


def test_without_user_types_the_users_stay() -> None:
    """A phone that refuses ``cmd user list -v`` still has its users, with no type."""
    rec = shipped("android14-work-profile-business.json")
    rec = Recording(rec.device, tuple(c for c in rec.commands if c.argv != probes.USER_TYPES.argv), rec.meta)
    snap = replay(rec)
    assert not isinstance(snap.users, Unseen)
    assert [(0, None), (10, None)] == [(u.id, u.type) for u in snap.users]


class _Parallel(ReplayTransport):
    """A replay that takes several streams at once (from threads), as a live phone does."""

    streams = 8


def test_guessed_folders_of_absent_messengers_are_dropped() -> None:
    """With parallel streams the first wave asks every catalog messenger's folders of user 0;
    the snapshot keeps only those of the messengers installed, equals the one-stream snapshot,
    and its probe records name each probe's wave and stream."""
    rec = shipped("android16-personal-whatsapp-telegram.json")
    transport = _Parallel(rec)
    snap = collect(transport)
    sent = "\n".join(transport.meter.commands)
    guessed = probes.speculative_targets(0)
    assert all(batch.command_line(t.files.argv) in sent for t in guessed)
    installed = {p.name for p in snap.packages} if not isinstance(snap.packages, Unseen) else set()
    assert {e.package for e in snap.storage} == installed & {t.package for t in guessed}
    strip = lambda s: {k: v for k, v in snapshot_to_json(s).items() if k != "probes"}  # noqa: E731
    assert strip(snap) == strip(replay(rec))
    assert {r.name for r in snap.probes} <= {r.name for r in replay(rec).probes}  # no .nomedia of an absent folder
    assert {1, 2, 3} == {r.wave for r in snap.probes} and all(r.stream for r in snap.probes)
    assert (3, 8) == (transport.meter.waves, transport.meter.most_streams)

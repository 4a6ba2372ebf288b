"""Running but locked users (session 24, storage9): their storage is unknown, never absent.

A user can run while its credential-encrypted storage is locked (a work profile with its own
challenge after a reboot; a second user started but never unlocked). On Android 7-10 its storage
root is then visible to ``test -d`` while every name below is ciphertext, so ``find`` says "No
such file or directory" for ``WhatsApp/Media`` whether it exists or not: MSG-03/04 passed for
that user. The collector reads the unlocked users from ``dumpsys mount`` in the inventory's wave
(``scanner.parse.unlocked``) and believes an absence only for an unlocked user.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from msgspec import structs

from checks.drift import FindingKey, diff
from checks.evaluate import evaluate
from checks.facts import FolderSummary, Snapshot, Unseen
from checks.findings import Finding, Status
from checks.policy import DEFAULT, Policy
from reports.i18n import Lang
from reports.render.text import TextRenderer
from reports.report import build_report
from scanner import probes
from scanner.app.scan import scan_result
from scanner.batch import BatchResult, Output
from scanner.collect import collect
from scanner.parse.unlocked import parse_unlocked_users, scrub_dumpsys_mount
from scanner.recording import Command, Recording
from scanner.recordings import build as shipped
from scanner.recordings import profiles, render
from scanner.recordings.build import OWNER_FLAGS_10
from scanner.recordings.construct import PhoneSpec, Storage, build
from scanner.replay import ReplayTransport
from scanner.roots import seen as roots_seen
from scanner.simphone.commands import files as sim_files
from scanner.simphone.commands.facts import read_facts
from scanner.simphone.phone import phone_server
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport

FIXTURE = (
    Path(__file__).parents[3] / "shared/fixtures/android/isdi-huawei-frd-android7/dumpsys-all.txt"
)
TODAY = date(2026, 11, 26)
W4B = "com.whatsapp.w4b"
ROOT10 = "/storage/emulated/10"
IMAGES10 = f"{ROOT10}/Android/media/{W4B}/WhatsApp Business/Media/WhatsApp Business Images"
LOCKED10 = (
    f"storage root {ROOT10} locked: user 10 is running but its credential-encrypted storage is "
    "not unlocked"
)
WORK_FLAGS_10 = 0x30  # MANAGED_PROFILE | INITIALIZED: a work profile before Android 11


def work_profile(sdk: int, release: str, *, locked: tuple[int, ...] = (10,)) -> PhoneSpec:
    """Intune-style work profile (user 10, WhatsApp Business) and consumer WhatsApp in user 0,
    on an Android 7-10 phone whose work profile's root the shell can stat."""
    base = profiles.byod_intune()
    users = [(0, "Owner", OWNER_FLAGS_10, True), (10, "Work profile", WORK_FLAGS_10, True)]
    props = {**base.props, "ro.build.version.sdk": str(sdk), "ro.build.version.release": release}
    return dataclasses.replace(base, props=props, users=users, storage=Storage(), locked=locked)


def made(s: PhoneSpec) -> Recording:
    return build(s, model="m", product="p", device="d")


def replay(rec: Recording) -> Snapshot:
    return collect(ReplayTransport(rec))


def findings(snapshot: Snapshot) -> tuple[Finding, ...]:
    return evaluate(snapshot, Policy(), today=TODAY)


def status(snapshot: Snapshot, check: str, package: str, user: int) -> Status:
    (found,) = [
        f
        for f in findings(snapshot)
        if f.check_id == check and f.package == package and f.user_id == user
    ]
    return found.status


def reasons(snapshot: Snapshot, user: int) -> set[str]:
    return {
        e.summary.reason
        for e in snapshot.storage
        if e.user_id == user and isinstance(e.summary, Unseen)
    }


def with_output(
    rec: Recording, argv: tuple[str, ...], text: str | None, code: int = 0
) -> Recording:
    """The recording with ``argv``'s answer replaced (None: without that command)."""
    kept = [c for c in rec.commands if c.argv != argv]
    if text is not None:
        kept.append(Command(argv, text.encode(), b"", code, 15.0))
    return structs.replace(rec, commands=tuple(kept))


# --- the parser, on the real Android 7 capture and the AOSP layouts ---------------------------


def _mount_section() -> str:
    text = FIXTURE.read_text(encoding="utf-8")
    return text.split("DUMP OF SERVICE mount\n", 1)[1].split("DUMP OF SERVICE ", 1)[0]


def test_the_real_android_7_dump_names_user_0_unlocked() -> None:
    section = _mount_section()
    assert "Local unlocked users: [0]" in section
    assert frozenset({0}) == parse_unlocked_users(section)
    assert "Local unlocked users: [0]\nSystem unlocked users: [0]\n" == scrub_dumpsys_mount(section)


@pytest.mark.parametrize(
    ("text", "users"),
    [
        ("Local unlocked users: [0, 10]\nSystem unlocked users: [0, 10]\n", {0, 10}),
        ("CE unlocked users: [0, 10]\r\nSystem unlocked users: [0, 10]\r\n", {0, 10}),
        ("Local unlocked users: [0, 10]\nSystem unlocked users: [0]\n", {0}),  # unlocking
        ("Local unlocked users: [0]\nSystem unlocked users: [0, 10]\n", {0}),
        ("Local unlocked users: []\nSystem unlocked users: []\n", set()),
        ("Local unlocked users: [0, 10]\n", None),  # one line: not the whole answer
        ("System unlocked users: [0, 10]\n", None),
        ("", None),
        ("Can't find service: mount\n", None),
        (
            "Local unlocked users: [0]\nSystem unlocked users: [0]\nCE unlocked users: [0, 10]\n",
            None,
        ),
        (
            "Local unlocked users: [0]\nLocal unlocked users: [0, 10]\n"
            "System unlocked users: [0, 10]\n",
            None,
        ),
        (
            "Local unlocked users: [0,10]\nSystem unlocked users: [0, 10]\n",
            None,
        ),  # not Arrays.toString
        (
            "  Local unlocked users: [0]\nSystem unlocked users: [0]\n",
            None,
        ),  # not a line of its own
    ],
)
def test_unlocked_users_are_read_from_both_lines(text: str, users: set[int] | None) -> None:
    assert (None if users is None else frozenset(users)) == parse_unlocked_users(text)


def test_the_scrub_keeps_nothing_but_the_two_lines() -> None:
    """Volume records carry user-chosen nicknames: a recording never keeps them."""
    dump = render.dumpsys_mount(29, [0, 10]).replace(
        "Records:\n", "Records:\n  VolumeRecord:\n    nickname=Anna's SD card userFlags=0\n"
    )
    kept = scrub_dumpsys_mount(dump)
    assert "Local unlocked users: [0, 10]\nSystem unlocked users: [0, 10]\n" == kept
    assert parse_unlocked_users(kept) == parse_unlocked_users(dump) == frozenset({0, 10})
    assert probes.STORAGE_USERS.scrub is scrub_dumpsys_mount


def test_the_probe_is_asked_in_the_inventorys_wave_on_its_own_service() -> None:
    assert ("dumpsys", "mount") == probes.STORAGE_USERS.argv
    assert probes.STORAGE_USERS in probes.INVENTORY
    assert (probes.DEVICE_POLICY, probes.STORAGE_USERS) in probes.INVENTORY_STREAMS


# --- what a root probe and the lock state make of an absent folder ----------------------------


def _target(uid: int) -> probes.StorageTarget:
    return next(t for t in probes.speculative_targets(uid) if t.package == W4B)


@pytest.mark.parametrize(
    ("unlocked", "sdk", "reason"),
    [
        (frozenset({0, 10}), 29, None),
        (frozenset({0}), 29, LOCKED10),
        (frozenset({0}), 24, LOCKED10),
        (frozenset({0}), 34, LOCKED10),  # an empty mount point on 11+: still locked
        (frozenset({0}), None, LOCKED10),  # release unknown: the lock may matter
        (frozenset({0}), 23, None),  # Android 6: no per-user lock (full-disk encryption)
        ("no dumpsys", 23, None),
        (
            "no dumpsys",
            29,
            f"storage root {ROOT10} not checked (lock state of user 10 unknown: no dumpsys)",
        ),
        (
            "no dumpsys",
            None,
            f"storage root {ROOT10} not checked (lock state of user 10 unknown: no dumpsys)",
        ),
    ],
)
def test_absence_counts_only_for_an_unlocked_user(
    unlocked: frozenset[int] | str, sdk: int | None, reason: str | None
) -> None:
    result = BatchResult({probes.root_probe(10).name: Output(0, b"")}, (), None, ())
    got = roots_seen((_target(10),), result, (), unlocked=unlocked, sdk=sdk)[10]
    assert reason == (None if got is None else got.reason)


def test_a_root_the_shell_cannot_see_keeps_its_own_reason() -> None:
    result = BatchResult({probes.root_probe(10).name: Output(1, b"")}, (), None, ())
    got = roots_seen((_target(10),), result, (), unlocked=frozenset({0}), sdk=29)[10]
    assert (
        got is not None
        and got.reason == f"storage root {ROOT10} not visible to the shell (user 10)"
    )


# --- Android 9 and 10: a running, locked work profile -----------------------------------------


@pytest.mark.parametrize(("sdk", "release"), [(28, "9"), (29, "10")])
def test_a_locked_work_profile_is_unknown_in_a_replay(sdk: int, release: str) -> None:
    rec = made(work_profile(sdk, release))
    # What the phone shows: the root is there, the folders below it are not (ciphertext names).
    by_argv = {c.argv: c for c in rec.commands}
    assert 0 == by_argv[probes.root_probe(10).argv].exit_code
    snapshot = replay(rec)
    assert snapshot.complete
    assert Status.UNKNOWN == status(snapshot, "MSG-03", W4B, 10)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    assert {LOCKED10} == reasons(snapshot, 10)
    assert all(isinstance(e.summary, Unseen) for e in snapshot.storage if e.user_id == 10)
    # The owner is unlocked: its absent folders still pass.
    assert Status.PASS == status(snapshot, "MSG-04", "com.whatsapp", 0)
    assert not reasons(snapshot, 0)


@pytest.mark.parametrize(("sdk", "release"), [(28, "9"), (29, "10")])
def test_the_same_work_profile_unlocked_still_passes(sdk: int, release: str) -> None:
    snapshot = replay(made(work_profile(sdk, release, locked=())))
    assert Status.PASS == status(snapshot, "MSG-04", W4B, 10)
    assert Status.MANUAL == status(snapshot, "MSG-03", W4B, 10)  # Drive backup: in the app
    assert all(
        isinstance(e.summary, FolderSummary) and not e.summary.exists
        for e in snapshot.storage
        if e.user_id == 10
    )


@pytest.mark.parametrize(("sdk", "release"), [(28, "9"), (29, "10")])
def test_a_locked_work_profile_is_unknown_on_the_simulated_phone(
    tmp_path: Path, sdk: int, release: str
) -> None:
    rec = made(work_profile(sdk, release))
    signer = load_or_create_signer(tmp_path)
    with phone_server(rec) as phone:
        transport = TcpTransport.connect(phone.host, phone.port, signer=signer, connect_timeout_s=5)
        snapshot = collect(transport, timeout=10)
        asked = list(transport.meter.commands)
        transport.close()
    assert snapshot.complete
    assert Status.UNKNOWN == status(snapshot, "MSG-03", W4B, 10)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    assert Status.PASS == status(snapshot, "MSG-04", "com.whatsapp", 0)
    assert {LOCKED10} == reasons(snapshot, 10)
    assert 1 == sum(c.count("dumpsys mount") for c in asked)  # once, in no extra wave
    assert 2 == transport.meter.waves


def test_the_agent_resolves_nothing_for_a_locked_work_profile() -> None:
    """Media in the work profile fail; the next scan finds the profile locked: the failure
    stays open (changed to unknown), never resolved."""
    files = ((f"{IMAGES10}/a.jpg", 1795000000, 2048),)
    exposed_spec = dataclasses.replace(
        work_profile(29, "10", locked=()), storage=Storage(files=files)
    )
    exposed = replay(made(exposed_spec))
    locked = replay(made(dataclasses.replace(exposed_spec, locked=(10,))))
    assert Status.FAIL == status(exposed, "MSG-04", W4B, 10)
    assert Status.UNKNOWN == status(locked, "MSG-04", W4B, 10)
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    before = diff({}, findings(exposed), complete=True, at=at)
    after = diff(
        {r.key: r for r in before.rows},
        findings(locked),
        complete=locked.complete,
        at=at.replace(hour=3),
    )
    assert locked.complete
    (key,) = [
        FindingKey.of(f)
        for f in findings(exposed)
        if (f.check_id, f.package, f.user_id) == ("MSG-04", W4B, 10)
    ]
    row = next(r for r in after.rows if r.key == key)
    assert (True, Status.UNKNOWN, False) == (row.open, row.status, key in after.resolved)
    assert not any(k.user_id == 10 for k in after.resolved)


# --- the other ways the lock state shows, or does not ------------------------------------------


def test_a_locked_owner_after_a_reboot_is_unknown_too() -> None:
    """User 0 stays locked until its owner first enters the credential; adb still answers."""
    snapshot = replay(made(work_profile(29, "10", locked=(0, 10))))
    assert Status.UNKNOWN == status(snapshot, "MSG-04", "com.whatsapp", 0)
    assert {LOCKED10.replace("10", "0")} == reasons(snapshot, 0)


def test_a_search_of_a_locked_root_itself_is_no_evidence() -> None:
    """Signal's backups are searched for in the whole root: a locked root matches no name (the
    names are ciphertext), which must not pass MSG-03."""
    base = shipped.android10_alternatives()
    unlocked = replay(made(base))
    locked = replay(made(dataclasses.replace(base, locked=(0,))))
    root_targets = [e for e in locked.storage if e.path == "/storage/emulated/0" and e.user_id == 0]
    assert root_targets
    assert all(isinstance(e.summary, Unseen) for e in root_targets)
    assert any(
        isinstance(e.summary, FolderSummary) and e.summary.exists
        for e in unlocked.storage
        if e.path == "/storage/emulated/0"
    )
    assert Status.PASS not in {
        f.status for f in findings(locked) if f.check_id in ("MSG-03", "MSG-04") and f.user_id == 0
    }


@pytest.mark.parametrize(("sdk", "release"), [(30, "11"), (34, "14")])
def test_on_11_and_later_a_locked_users_root_is_not_mounted(sdk: int, release: str) -> None:
    rec = made(work_profile(sdk, release))
    by_argv = {c.argv: c for c in rec.commands}
    assert 1 == by_argv[probes.root_probe(10).argv].exit_code
    snapshot = replay(rec)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    assert {f"storage root {ROOT10} not visible to the shell (user 10)"} == reasons(snapshot, 10)


def test_on_11_and_later_an_empty_mount_point_of_a_locked_user_is_no_absence() -> None:
    """A root the shell can stat (an empty mount point) while the user is locked: unknown."""
    rec = made(work_profile(34, "14", locked=()))
    locked = with_output(rec, probes.STORAGE_USERS.argv, render.dumpsys_mount(34, [0]))
    snapshot = replay(locked)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    assert {LOCKED10} == reasons(snapshot, 10)


@pytest.mark.parametrize(
    ("text", "code", "why"),
    [
        (None, 0, "dumpsys mount failed (exit 127"),  # a recording made before the probe
        ("Can't find service: mount\n", 0, "dumpsys mount printed no unlocked-users lines"),
        ("", 1, "dumpsys mount failed (exit 1"),
    ],
)
def test_an_unknown_lock_state_is_no_absence(text: str | None, code: int, why: str) -> None:
    rec = with_output(
        made(work_profile(29, "10", locked=())), probes.STORAGE_USERS.argv, text, code
    )
    snapshot = replay(rec)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", "com.whatsapp", 0)
    (reason,) = reasons(snapshot, 10)
    assert reason.startswith(
        f"storage root {ROOT10} not checked (lock state of user 10 unknown: {why}"
    )


def test_android_6_needs_no_lock_state() -> None:
    """Android 6 has no file-based encryption: a running user's storage is readable, and its
    ``dumpsys mount`` prints no unlocked users."""
    rec = made(work_profile(23, "6.0.1", locked=()))
    assert "unlocked users" not in next(
        c.stdout.decode() for c in rec.commands if c.argv == probes.STORAGE_USERS.argv
    )
    snapshot = replay(rec)
    assert Status.PASS == status(snapshot, "MSG-04", W4B, 10)
    assert not reasons(snapshot, 10)


def test_the_reason_reads_in_german() -> None:
    result = scan_result(
        ReplayTransport(made(work_profile(29, "10"))), DEFAULT, timeout=30, today=TODAY
    )
    german = TextRenderer(Lang.DE).render_report(build_report(result)).decode()
    english = TextRenderer(Lang.EN).render_report(build_report(result)).decode()
    assert "credential-encrypted storage is not unlocked" in english
    assert "credential-encrypted" not in german
    assert "verschlüsselter Speicher ist nicht entsperrt" in german


# --- the simulated phone's own model (derived commands: what ``adb shell`` by hand gets) --------


def test_the_simulated_phone_seals_a_locked_users_storage() -> None:
    """Files a listing once saw below a user the recording's ``dumpsys mount`` shows locked are
    not there for derived commands; the root itself still is (Android 7-10)."""
    files = ((f"{IMAGES10}/a.jpg", 1795000000, 2048),)
    open_rec = made(
        dataclasses.replace(work_profile(29, "10", locked=()), storage=Storage(files=files))
    )
    sealed_rec = with_output(open_rec, probes.STORAGE_USERS.argv, render.dumpsys_mount(29, [0]))
    opened, sealed = read_facts(open_rec), read_facts(sealed_rec)
    assert (frozenset(), frozenset({10})) == (opened.locked, sealed.locked)
    listing = ("find", ROOT10, "-type", "f")
    assert sim_files.find(opened, listing, b"").stdout.count(b"\n") == 1
    found = sim_files.find(sealed, listing, b"")
    assert b"" == found.stdout and 0 == found.exit_code
    assert 0 == sim_files.test(sealed, ("test", "-d", ROOT10), b"").exit_code
    assert 1 == sim_files.test(sealed, ("test", "-d", IMAGES10), b"").exit_code
    assert 0 == sim_files.test(opened, ("test", "-d", IMAGES10), b"").exit_code


def test_the_simulated_phone_needs_a_lock_state_to_seal_anything() -> None:
    """A recording without ``dumpsys mount`` (made before it), or an Android 6 one: no user is
    modelled locked."""
    rec = made(work_profile(29, "10"))
    assert frozenset({10}) == read_facts(rec).locked
    assert frozenset() == read_facts(with_output(rec, probes.STORAGE_USERS.argv, None)).locked
    assert frozenset() == read_facts(made(work_profile(23, "6.0.1"))).locked
    assert frozenset({0, 10}) == read_facts(made(work_profile(29, "10", locked=(0, 10)))).locked

"""Other users' storage roots (session 23, storage8): a folder below a root the shell cannot see
is unknown, never absent.

On Android 11+ each user's emulated storage is its own FUSE mount; the shell (a user-0 process)
often gets "No such file or directory" for a work profile's ``/storage/emulated/10``, and for
any user that is locked or stopped. ``find`` then says the same for every messenger folder there
as for a folder that does not exist: before, MSG-03 and MSG-04 passed for that WhatsApp. The
collector now asks ``test -d`` of each user's root in the wave that asks its folders.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime

import pytest
from msgspec import structs

from checks.drift import FindingKey, diff
from checks.evaluate import evaluate
from checks.facts import FolderSummary, Snapshot, Unseen
from checks.findings import Finding, Status
from checks.policy import Policy
from scanner import probes
from scanner.batch import BatchResult, Output
from scanner.collect import collect
from scanner.roots import seen as roots_seen
from scanner.recording import Command, Recording
from scanner.recordings import profiles
from scanner.recordings.construct import PhoneSpec, Storage, build
from scanner.replay import ReplayTransport
from scanner.simphone.commands import files as sim_files
from scanner.simphone.commands.facts import read_facts
from scanner.simphone.phone import phone_server
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport

TODAY = date(2026, 11, 26)
W4B = "com.whatsapp.w4b"
ROOT10 = "/storage/emulated/10"
IMAGES10 = f"{ROOT10}/Android/media/{W4B}/WhatsApp Business/Media/WhatsApp Business Images"


def spec(storage: Storage, **changes: object) -> PhoneSpec:
    """The dual-messenger phone (WhatsApp in users 0 and 95, WhatsApp Business in work profile
    10) with the given storage."""
    return dataclasses.replace(profiles.dual_messenger_unknown_owner(), storage=storage, **changes)  # type: ignore[arg-type]


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


def summaries(snapshot: Snapshot, user: int) -> list[FolderSummary | Unseen]:
    return [e.summary for e in snapshot.storage if e.user_id == user]


HIDDEN = Storage(hidden=(ROOT10,))


def test_hidden_work_profile_root_is_unknown_in_a_replay() -> None:
    snapshot = replay(made(spec(HIDDEN)))
    assert snapshot.complete
    assert Status.UNKNOWN == status(snapshot, "MSG-03", W4B, 10)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    seen = summaries(snapshot, 10)
    assert seen and all(isinstance(s, Unseen) for s in seen)
    assert {f"storage root {ROOT10} not visible to the shell (user 10)"} == {
        s.reason for s in seen if isinstance(s, Unseen)
    }
    # The other users' roots are visible: their absent folders still pass.
    assert Status.PASS == status(snapshot, "MSG-04", "com.whatsapp", 0)
    assert Status.PASS == status(snapshot, "MSG-04", "com.whatsapp", 95)


def test_hidden_work_profile_root_is_unknown_on_the_simulated_phone(tmp_path: object) -> None:
    """The shipped profile recording, served over ADB/TCP: parallel streams, user 0's root asked
    in the inventory's wave, the others' in the second."""
    rec = made(spec(HIDDEN))
    signer = load_or_create_signer(tmp_path)  # type: ignore[arg-type]
    with phone_server(rec) as phone:
        transport = TcpTransport.connect(phone.host, phone.port, signer=signer, connect_timeout_s=5)
        snapshot = collect(transport, timeout=10)
        asked = list(transport.meter.commands)
        transport.close()
    assert snapshot.complete
    assert Status.UNKNOWN == status(snapshot, "MSG-03", W4B, 10)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    assert Status.PASS == status(snapshot, "MSG-04", "com.whatsapp", 0)
    # Each root once, in no extra wave: the inventory's and the second (no APK in this spec,
    # so no signing-block wave), as before the root probes.
    assert 2 == transport.meter.waves
    for uid in (0, 10, 95):
        once = re.compile(rf"test -d /storage/emulated/{uid}(?!\d)")
        assert 1 == sum(len(once.findall(c)) for c in asked), uid
    assert 3 == sum(c.count("test -d /storage/emulated/") for c in asked)  # no other user's


def test_a_visible_root_with_absent_folders_still_passes() -> None:
    snapshot = replay(made(spec(Storage())))
    assert Status.PASS == status(snapshot, "MSG-04", W4B, 10)
    assert Status.MANUAL == status(snapshot, "MSG-03", W4B, 10)  # Drive backup: in the app
    assert all(isinstance(s, FolderSummary) and not s.exists for s in summaries(snapshot, 10))


def test_a_folder_with_files_counts_whatever_the_root_probe_says() -> None:
    """Files found prove the root there: an exposed folder is a failure. A recording without the
    root probe (made before it) is answered from its facts, where that folder shows the root."""
    rec = made(spec(Storage(files=((f"{IMAGES10}/a.jpg", 1795000000, 2048),))))
    old = structs.replace(
        rec, commands=tuple(c for c in rec.commands if c.argv != probes.root_probe(10).argv)
    )
    for snapshot in (replay(rec), replay(old)):
        assert Status.FAIL == status(snapshot, "MSG-04", W4B, 10)
        assert all(isinstance(s, FolderSummary) for s in summaries(snapshot, 10))


def _target(uid: int) -> probes.StorageTarget:
    return next(t for t in probes.speculative_targets(uid) if t.package == W4B)


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (None, "not checked (not collected: phone did not answer)"),
        (Output(0, b"", damaged="crc"), "not checked (output damaged in transit)"),
        (Output(None, b""), "not checked (test -d no exit status)"),
        (Output(127, b""), "not checked (test -d exit 127)"),
        (Output(1, b""), "not visible to the shell (user 10)"),
        (Output(0, b""), None),
    ],
)
def test_only_a_root_test_d_saw_makes_absence_count(
    output: Output | None, reason: str | None
) -> None:
    outputs = {} if output is None else {probes.root_probe(10).name: output}
    result = BatchResult(outputs, (), None, ())
    got = roots_seen((_target(10),), result, (), unlocked=frozenset({0, 10}), sdk=34)[10]
    wanted = None if reason is None else f"storage root {ROOT10} {reason}"
    assert (None if got is None else got.reason) == wanted


def test_a_stopped_user_is_unknown_even_where_its_root_is_visible() -> None:
    """Stopped: its credential-encrypted storage is locked, no folder name below it is readable."""
    s = spec(Storage())
    users = [(u, n, f, r if u != 10 else False) for u, n, f, r in s.users]
    snapshot = replay(made(dataclasses.replace(s, users=users)))
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    assert {f"storage root {ROOT10} locked: user 10 is not running"} == {
        x.reason for x in summaries(snapshot, 10) if isinstance(x, Unseen)
    }


@pytest.mark.parametrize(
    ("exit_code", "reason"),
    [(2, f"storage root {ROOT10} not checked (test -d exit 2)"), (1, None)],
)
def test_a_root_probe_that_fails_is_no_absence(exit_code: int, reason: str | None) -> None:
    rec = made(spec(Storage()))
    argv = probes.root_probe(10).argv
    changed = structs.replace(
        rec,
        commands=tuple(
            Command(c.argv, c.stdout, c.stderr, exit_code, c.device_ms) if c.argv == argv else c
            for c in rec.commands
        ),
    )
    snapshot = replay(changed)
    assert Status.UNKNOWN == status(snapshot, "MSG-04", W4B, 10)
    expected = reason or f"storage root {ROOT10} not visible to the shell (user 10)"
    assert {expected} == {x.reason for x in summaries(snapshot, 10) if isinstance(x, Unseen)}


def test_user_0_root_hidden_is_unknown_too() -> None:
    snapshot = replay(made(spec(Storage(hidden=("/storage/emulated/0",)))))
    assert Status.UNKNOWN == status(snapshot, "MSG-04", "com.whatsapp", 0)
    assert Status.PASS == status(snapshot, "MSG-04", "com.whatsapp", 95)


def test_the_agent_resolves_nothing_on_an_unseen_root() -> None:
    """Media in the work profile fail; the next scan cannot see the profile's root: the failure
    stays open (changed to unknown), never resolved."""
    exposed = replay(made(spec(Storage(files=((f"{IMAGES10}/a.jpg", 1795000000, 2048),)))))
    hidden = replay(made(spec(HIDDEN)))
    assert Status.FAIL == status(exposed, "MSG-04", W4B, 10)
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    before = diff({}, findings(exposed), complete=True, at=at)
    after = diff(
        {r.key: r for r in before.rows},
        findings(hidden),
        complete=hidden.complete,
        at=at.replace(hour=3),
    )
    assert hidden.complete
    (key,) = [
        FindingKey.of(f)
        for f in findings(exposed)
        if (f.check_id, f.package, f.user_id) == ("MSG-04", W4B, 10)
    ]
    row = next(r for r in after.rows if r.key == key)
    assert (True, Status.UNKNOWN, False) == (row.open, row.status, key in after.resolved)
    assert key in after.changed


def test_the_simulated_phone_models_each_users_root() -> None:
    """Derived commands (what ``adb shell`` by hand would get): a visible root is a folder, a
    hidden one and everything below it does not exist."""
    facts = read_facts(made(spec(HIDDEN)))
    for root, code in (("/storage/emulated/0", 0), ("/storage/emulated/95", 0), (ROOT10, 1)):
        assert code == sim_files.test(facts, ("test", "-d", root), b"").exit_code, root
    listed = sim_files.find(facts, ("find", IMAGES10), b"")
    assert b"No such file or directory" in listed.stderr


def test_a_recording_that_says_nothing_of_a_root_does_not_model_it() -> None:
    rec = made(spec(Storage()))
    silent = structs.replace(
        rec, commands=tuple(c for c in rec.commands if c.argv != probes.root_probe(10).argv)
    )
    facts = read_facts(silent)
    assert 1 == sim_files.test(facts, ("test", "-d", ROOT10), b"").exit_code
    assert 0 == sim_files.test(facts, ("test", "-d", "/storage/emulated/0"), b"").exit_code


def test_a_visible_root_is_a_folder_like_a_denied_one() -> None:
    """Modelled as another user's storage root the shell may stat (mode 2770, as the denied
    ones): what ``stat`` by hand shows."""
    facts = read_facts(made(spec(HIDDEN)))
    shown = sim_files.stat(facts, ("stat", "-c", "%a %s %Y %F", "/storage/emulated/95"), b"")
    assert b"2770 3452 1230768000 directory\n" == shown.stdout


def test_user_0_root_hidden_hides_sdcard_too() -> None:
    """User 0's root hidden: ``/sdcard`` (its other name) and the files a recording keeps there
    are gone for the derived commands as well."""
    facts = read_facts(made(spec(Storage(hidden=("/storage/emulated/0",)))))
    for path in ("/storage/emulated/0", "/sdcard"):
        assert 1 == sim_files.test(facts, ("test", "-d", path), b"").exit_code, path
    assert 1 == sim_files.test(facts, ("test", "-e", "/sdcard/msgscan.txt"), b"").exit_code
    assert 0 == sim_files.test(facts, ("test", "-d", "/storage/emulated/95"), b"").exit_code
    visible = read_facts(made(spec(Storage())))
    assert 0 == sim_files.test(visible, ("test", "-e", "/sdcard/msgscan.txt"), b"").exit_code


def test_storage_probes_take_any_iterable() -> None:
    targets = probes.speculative_targets(10)
    assert probes.storage_probes(iter(targets)) == probes.storage_probes(targets)
    assert probes.root_probe(10) == probes.storage_probes(targets)[0]


def test_nomedia_flags_below_a_hidden_root_are_not_there() -> None:
    nomedia = f"{IMAGES10}/.nomedia"
    files = ((f"{IMAGES10}/a.jpg", 1795000000, 2048), (nomedia, 1795000000, 0))
    seen = replay(made(spec(Storage(files=files))))
    (images,) = [
        e.summary
        for e in seen.storage
        if e.user_id == 10 and e.package == W4B and e.location == "scoped.images"
    ]
    assert isinstance(images, FolderSummary) and images.nomedia is True
    assert not Storage(files=files, hidden=(ROOT10,)).exists(nomedia)
    assert Storage(files=files).exists(nomedia)


def test_user_0_listed_without_running_is_left_to_its_root_probe() -> None:
    """The system user always runs; a ``pm list users`` line without ``running`` for it does not
    blind user 0's storage (its root probe answered)."""
    s = spec(Storage())
    users = [(u, n, f, r if u != 0 else False) for u, n, f, r in s.users]
    snapshot = replay(made(dataclasses.replace(s, users=users)))
    assert Status.PASS == status(snapshot, "MSG-04", "com.whatsapp", 0)

"""Google's adb (29 from Debian, 36 from adbutils) against phones served from recordings, as a
person exploring ``msgscan simulate`` by hand would use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner import recording
from scanner.recording import Recording
from scanner.recordings import build
from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.phone import phone_server

from .test_adb_client import Adb, adb  # noqa: F401 - the adb fixture, both clients

SHIPPED = sorted(build.HERE.glob("*.json"))
A14 = build.HERE / "android14-work-profile-business.json"


@pytest.fixture
def serve(adb: Adb) -> Iterator[object]:  # noqa: F811
    started: list[PhoneServer] = []

    def start(rec: Recording) -> PhoneServer:
        phone = phone_server(rec, auth=AuthPolicy(trusted_keys=(adb.public_key,))).start()
        started.append(phone)
        assert f"connected to {phone.address}" in adb.connect(phone)
        assert 0 == adb("-s", phone.address, "wait-for-device").returncode
        return phone

    yield start
    for phone in started:
        phone.stop()
    assert [] == [e for p in started for e in p.errors]


def test_every_shipped_recording_prints_its_model(adb: Adb, serve) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """``adb -s HOST:PORT shell getprop ro.product.model`` on each shipped recording."""
    for path in SHIPPED:
        rec = recording.load(path)
        phone = serve(rec)
        result = adb("-s", phone.address, "shell", "getprop", "ro.product.model")
        assert (0, f"{rec.device.model}\n".encode()) == (result.returncode, result.stdout), (
            path.name
        )


def test_shell_commands_a_person_types(adb: Adb, serve) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    phone = serve(recording.load(A14))
    packages = adb("-s", phone.address, "shell", "pm", "list", "packages", "-3")
    work = adb("-s", phone.address, "shell", "pm list packages --user 10 whatsapp")
    denied = adb("-s", phone.address, "shell", "ls", "/data")
    unknown = adb("-s", phone.address, "shell", "logcat", "-d")

    # Android 14+ lists every user without --user (the work profile's apps after the owner's)
    listed = (
        b"package:de.dkb.portalapp\npackage:com.spotify.music\n"
        b"package:com.google.android.apps.work.clouddpc\npackage:com.whatsapp.w4b\n"
        b"package:com.microsoft.teams\n"
    )
    assert (0, listed) == (packages.returncode, packages.stdout)
    assert b"package:com.whatsapp.w4b\n" == work.stdout
    assert (1, b"ls: /data: Permission denied\n") == (denied.returncode, denied.stderr)
    assert 127 == unknown.returncode


def test_interactive_shell_prompts_like_mksh(adb: Adb, serve) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """``adb shell -tt`` (a PTY): the Android 7+ prompt ``<device>:/ $ `` and answers."""
    phone = serve(recording.load(A14))
    result = adb(
        "-s", phone.address, "shell", "-tt", stdin=b"getprop ro.product.model\nwhoami\nexit\n"
    )

    assert result.stdout.startswith(b"lynx:/ $ ")
    assert b"Pixel 7a\r\n" in result.stdout and b"shell\r\nlynx:/ $ " in result.stdout


def test_pull_and_ls_see_the_tree(adb: Adb, serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """``adb pull`` of an APK gives the bytes ``sha256sum`` hashed; ``adb ls`` lists /sdcard."""
    phone = serve(recording.load(A14))
    apk = (
        adb("-s", phone.address, "shell", "pm path --user 10 com.whatsapp.w4b")
        .stdout.decode()
        .strip()
    )
    apk = apk.removeprefix("package:")
    digest = adb("-s", phone.address, "shell", "sha256sum", apk).stdout.split()[0].decode()
    pulled = adb("-s", phone.address, "pull", apk, str(tmp_path / "base.apk"))
    listing = adb("-s", phone.address, "ls", "/sdcard").stdout.decode().split()

    import hashlib

    assert 0 == pulled.returncode, pulled
    assert digest == hashlib.sha256((tmp_path / "base.apk").read_bytes()).hexdigest()
    assert "msgscan.txt" in listing


def test_adb_ls_of_a_denied_folder_lists_nothing(adb: Adb, serve) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """adbd's opendir fails for the shell user on /data and on another user's storage: the
    listing is empty (no entries, not even . and ..), while ``ls`` in the shell says why."""
    phone = serve(recording.load(A14))
    data = adb("-s", phone.address, "ls", "/data")
    work = adb("-s", phone.address, "ls", "/storage/emulated/10")
    shell_ls = adb("-s", phone.address, "shell", "ls", "/storage/emulated/10")

    assert (b"", b"") == (data.stdout, work.stdout)
    assert (1, b"ls: /storage/emulated/10: Permission denied\n") == (
        shell_ls.returncode,
        shell_ls.stderr,
    )

"""Commands the simulated phone derives from its recording (scanner/simphone/commands/)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from msgspec.structs import replace

from checks.facts import Unseen

from scanner import recording
from scanner.collect import collect
from scanner.recording import Recording
from scanner.recordings import build
from scanner.replay import RecordedShell, ReplayTransport, ShellOutput

SHIPPED = sorted(build.HERE.glob("*.json"))
A14 = recording.load(build.HERE / "android14-work-profile-business.json")
A16 = recording.load(build.HERE / "android16-personal-whatsapp-telegram.json")
A10 = recording.load(build.HERE / "android10-signal-threema-wire.json")


def run(rec: Recording, command: str) -> ShellOutput:
    return RecordedShell(rec).run(command)


class _RecordedOnly(RecordedShell):
    def __init__(self, rec: Recording) -> None:
        super().__init__(rec)
        self.derived.run = lambda argv, stdin=b"": None  # type: ignore[method-assign]


class _RecordedOnlyTransport(ReplayTransport):
    def __init__(self, rec: Recording) -> None:
        super().__init__(rec)
        self.shell_ = _RecordedOnly(rec)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_scan_sees_exactly_the_recording(path: Path) -> None:
    """Recorded answers keep priority: msgscan's own scan gets the same bytes with and without
    the derived commands, in the same number of exchanges."""
    rec = recording.load(path)
    derived, plain = ReplayTransport(rec), _RecordedOnlyTransport(rec)
    # no recording holds the kernel's boot id: unread either way, for different reasons (a
    # derived cat finds no such file; the recorded-only shell has no cat)
    seen, replayed = collect(derived), collect(plain)
    assert isinstance(seen.boot_id, Unseen) and isinstance(replayed.boot_id, Unseen)

    def without(s):  # type: ignore[no-untyped-def]
        return replace(s, boot_id=Unseen(""), probes=tuple(p for p in s.probes if p.name != "boot-id"))

    assert without(seen) == without(replayed)
    assert derived.meter.exchanges == plain.meter.exchanges


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_getprop_key_prints_the_model(path: Path) -> None:
    rec = recording.load(path)
    out = run(rec, "getprop ro.product.model")
    assert (0, f"{rec.device.model}\n".encode(), b"") == (out.exit_code, out.stdout, out.stderr)


def test_getprop_of_a_missing_key_is_an_empty_line() -> None:
    assert (0, b"\n") == (
        run(A14, "getprop no.such.key").exit_code,
        run(A14, "getprop no.such.key").stdout,
    )
    assert b"fallback\n" == run(A14, "getprop no.such.key fallback").stdout


def test_pm_list_packages_filters_like_package_manager() -> None:
    third = run(A14, "pm list packages -3 --user 0").stdout.decode().splitlines()
    # Android 14+: without --user every user's packages (USER_ALL), each listed once
    every = run(A14, "pm list packages -3").stdout.decode().splitlines()
    work = run(A14, "pm list packages --user 10 -3").stdout.decode().splitlines()
    everything = run(A14, "pm list packages -u").stdout.decode().splitlines()
    system = run(A14, "pm list packages -s").stdout.decode().splitlines()

    assert ["package:de.dkb.portalapp", "package:com.spotify.music"] == third
    assert {
        "package:com.whatsapp.w4b",
        "package:com.microsoft.teams",
        "package:com.google.android.apps.work.clouddpc",
    } == set(work)
    assert "package:com.whatsapp.w4b" in everything and "package:com.whatsapp.w4b" not in third
    assert sorted(every) == sorted({*third, *work})
    assert "package:android" in system and not set(system) & set(third)


def test_pm_list_packages_with_path_installer_and_filter() -> None:
    out = run(A16, "pm list packages -f -i whatsapp").stdout.decode()
    apk = run(A16, "pm path com.whatsapp").stdout.decode().strip().removeprefix("package:")

    assert f"package:{apk}=com.whatsapp  installer=com.android.vending\n" == out
    assert apk.startswith("/data/app/~~") and apk.endswith("/base.apk")
    sideload = run(A16, "pm list packages -i cleaner").stdout
    assert (
        b"package:com.example.cleaner  installer=com.google.android.packageinstaller\n" == sideload
    )


def test_pm_errors_and_missing_packages() -> None:
    unknown = run(A14, "pm list packages -x")
    missing = run(A14, "pm path com.nope")
    not_for_user = run(A14, "pm path com.whatsapp.w4b")  # only in the work profile

    assert (255, b"Error: Unknown option: -x\n") == (unknown.exit_code, unknown.stdout)
    assert (1, b"", 1, b"") == (
        missing.exit_code,
        missing.stdout,
        not_for_user.exit_code,
        not_for_user.stdout,
    )
    assert b"package:/data/app/" in run(A14, "pm path --user 10 com.whatsapp.w4b").stdout


def test_cmd_package_is_pm() -> None:
    assert run(A16, "pm list packages -3").stdout == run(A16, "cmd package list packages -3").stdout


def test_dumpsys_package_prints_the_block() -> None:
    out = run(A16, "dumpsys package org.telegram.messenger").stdout.decode()
    assert out.startswith("Packages:\n  Package [org.telegram.messenger] (")
    assert "versionName=12.1.1" in out and "com.whatsapp" not in out


def test_apk_digests_are_of_the_file_cat_and_pull_see() -> None:
    apk = run(A16, "pm path com.whatsapp").stdout.decode().strip().removeprefix("package:")
    content = run(A16, f"cat {apk}").stdout
    for tool in ("md5", "sha1", "sha256", "sha512"):
        assert (
            f"{hashlib.new(tool, content).hexdigest()}  {apk}\n".encode()
            == run(A16, f"{tool}sum {apk}").stdout
        )
    # The recording's own signed APK (scanner/recordings/signed_apks.py) wins over a stand-in.
    with zipfile.ZipFile(io.BytesIO(content)) as apk_zip:  # a valid ZIP, as an APK is
        assert "AndroidManifest.xml" in apk_zip.namelist()


def test_ls_and_stat_in_toybox_format() -> None:
    listing = run(A14, "ls -l /sdcard").stdout.decode().splitlines()
    stat = run(A14, "stat -c '%n %s %Y %A' /sdcard/msgscan.txt").stdout

    assert "total 4" == listing[0]  # 1 KiB units: one 4 KiB block
    assert listing[1].startswith("-rw-r--r-- 1 u0_a0 media_rw 65 2026-11-18 ") and listing[
        1
    ].endswith(" msgscan.txt")
    assert b"/sdcard/msgscan.txt 65 1795000000 -rw-r--r--\n" == stat
    assert run(A14, "stat /sdcard/msgscan.txt").stdout.startswith(
        b"  File: '/sdcard/msgscan.txt'\n  Size: 65\t"
    )
    assert b"root sdcard_rw" in run(A10, "ls -l /sdcard").stdout  # sdcardfs on Android 10


def test_denied_and_missing_folders() -> None:
    data, work, nope = (
        run(A14, "ls /data"),
        run(A14, "ls /storage/emulated/10"),
        run(A14, "ls /nope"),
    )
    assert (1, b"", b"ls: /data: Permission denied\n") == (data.exit_code, data.stdout, data.stderr)
    assert b"ls: /storage/emulated/10: Permission denied\n" == work.stderr
    assert (1, b"ls: /nope: No such file or directory\n") == (nope.exit_code, nope.stderr)
    assert 1 == run(A14, "cat /data/data/com.whatsapp.w4b/x").exit_code


def test_storage_folders_the_scan_saw_are_listable() -> None:
    """The WhatsApp images folder holds as many (stand-in) files as the scan counted: 37."""
    folder = "/sdcard/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp\\ Images"
    files = run(A16, f"find {folder} -type f").stdout.decode().splitlines()
    assert 37 == len(files)
    assert (
        0 == run(A16, f"test -d {folder}").exit_code
        and 1 == run(A16, f"test -f {folder}").exit_code
    )


def test_identity_settings_and_echo() -> None:
    assert run(A14, "id").stdout.startswith(b"uid=2000(shell) gid=2000(shell) groups=2000(shell),")
    assert b"shell\n" == run(A14, "whoami").stdout
    assert b"1\n" == run(A14, "settings get global adb_enabled").stdout
    assert b"null\n" == run(A14, "settings get secure no_such_key").stdout
    assert b"Pixel 7a" in run(A14, "cmd settings list global").stdout
    assert b"a b\n" == run(A14, "echo a b").stdout


@pytest.mark.parametrize(
    ("command", "code", "needle"),
    [
        ("pm install /sdcard/x.apk", 1, b"Failure [INSTALL_FAILED_USER_RESTRICTED"),
        ("pm uninstall com.whatsapp.w4b", 1, b"Failure [DELETE_FAILED_USER_RESTRICTED]"),
        ("rm /sdcard/msgscan.txt", 1, b"rm: /sdcard/msgscan.txt: Read-only file system"),
        (
            "settings put global adb_enabled 0",
            255,
            b"java.lang.SecurityException: Permission denial",
        ),
    ],
)
def test_writes_are_refused(command: str, code: int, needle: bytes) -> None:
    out = run(A14, command)
    assert code == out.exit_code and needle in out.stdout + out.stderr
    assert (
        b"msgscan simulated phone" in run(A14, "cat /sdcard/msgscan.txt").stdout
    )  # nothing changed


def test_what_cannot_be_derived_is_127() -> None:
    for command in ("frobnicate", "dumpsys package permissions", "logcat -d"):
        assert 127 == run(A14, command).exit_code, command


def test_enabled_and_disabled_lists() -> None:
    """No package of the Android 16 phone is disabled: -d lists none, -e lists what plain does."""
    assert b"" == run(A16, "pm list packages -d").stdout
    assert run(A16, "pm list packages").stdout == run(A16, "pm list packages -e").stdout != b""


def test_appops_get_shows_the_uid_mode_first() -> None:
    """All-files access is a uid mode (Settings' switch): ``Uid mode:`` prefix from Android 11."""
    out = run(A16, "appops get com.ghisler.android.TotalCommander").stdout.decode().splitlines()
    assert "Uid mode: MANAGE_EXTERNAL_STORAGE: allow" == out[0]
    assert b"Error: Unknown package: com.nope\n" == run(A16, "cmd appops get com.nope").stdout


@pytest.mark.parametrize(
    ("sdk", "features"),
    [
        (23, ""),
        (26, "shell_v2,cmd"),
        (29, "shell_v2,cmd,stat_v2"),
        (36, "shell_v2,cmd,stat_v2,ls_v2,sendrecv_v2"),
    ],
)
def test_banner_advertises_what_adbd_of_that_android_does(sdk: int, features: str) -> None:
    """Android 6 sends no feature list (hosts fall back to shell v1), 7 adds shell_v2, 10
    stat_v2, 11 ls_v2 and sendrecv_v2; the prompt is mksh's of that release."""
    from dataclasses import replace

    from scanner.recordings.farm import farm
    from scanner.recordings.farm_recording import recording as farm_recording
    from scanner.simphone.phone import RecordedPhone, phone_server

    phone = replace(farm(10, 0)[0], sdk=sdk)
    rec = farm_recording(phone)
    server = phone_server(rec)
    tail = f"features={features}" if features else ""
    assert (
        server.banner
        == f"device::ro.product.name=herolte;ro.product.model=SM-G930F;ro.product.device=herolte;{tail}"
    )
    assert RecordedPhone(rec).prompt == ("shell@herolte:/ $ " if sdk < 24 else "herolte:/ $ ")

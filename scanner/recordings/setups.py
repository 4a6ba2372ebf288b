"""Phone set-ups the shipped recordings do not cover, where a rule that ignores how Android and
the messengers really behave gives a wrong verdict (issue 11, items 4, 5, 6 and 10).

``python -m scanner.recordings.setups`` writes one constructed recording per set-up into this
folder (``setup-*.json``); ``tests/checks/test_setups.py`` replays each and asserts the verdict
per rule its metadata states: ``expect.findings`` lists the statuses of the findings a scan
reports (one per check, package and user, worst status first, as ``checks.evaluate`` sorts them). Like ``build.py``'s phones, every phone here is made up: real
package names are used because a scan must recognise them; nothing belongs to a person.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace

from checks.catalog import VARIANTS
from scanner.recording import Recording, save
from scanner.recordings import render
from scanner.recordings.build import (
    CAM,
    HERE,
    NA,
    NOTIF,
    OWNER_FLAGS_10,
    OWNER_FLAGS_MODERN,
    RC,
    RES,
    RMI,
    RMV,
    TODAY,
    WES,
    F,
    M,
    P,
    U,
    _app,
    _props,
    _system_apps,
)
from scanner.recordings.construct import PhoneSpec, Storage, build
from scanner.recordings.render import App, AppUser

RMA = "android.permission.READ_MEDIA_AUDIO"
INF = "informational"
ORG = {"ORG-01": [M], "ORG-02": [M], "ORG-03": [M]}
_NOW = render.epoch("2026-11-20T18:03:11")
_DAY = 86400


def _backups(root: str) -> list[tuple[str, int, int]]:
    """WhatsApp's nightly local backups (messengers.md §2.2): two dated copies and the newest."""
    files = [
        (f"{root}/Databases/msgstore-2026-11-{d:02d}.1.db.crypt15", render.epoch(f"2026-11-{d:02d}T02:00:41"), 61_000_000 + d)
        for d in (18, 19)
    ]
    return files + [(f"{root}/Databases/msgstore.db.crypt15", render.epoch("2026-11-20T02:00:40"), 61_004_096)]


def _hidden_media(root: str) -> list[tuple[str, int, int]]:
    """Media visibility off: received images in Private/, sent ones in Sent/, both .nomedia'd;
    nothing directly in the main folders (messengers.md §2.2)."""
    images = f"{root}/Media/WhatsApp Images"
    files = [(f"{images}/{sub}/.nomedia", _NOW - 300 * _DAY, 0) for sub in ("Private", "Sent")]
    files += [(f"{images}/Private/f{i:04d}.jpg", _NOW - i * 3600, 150_000 + i) for i in range(9)]
    files += [(f"{images}/Sent/f{i:04d}.jpg", _NOW - i * 7200, 120_000 + i) for i in range(4)]
    return files


_WA_SCOPED = "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp"


def _android14_hidden(extra: list[App], description: str, expect_msg05: list[str], serial: str) -> PhoneSpec:
    sdk = 34
    wa = _app("com.whatsapp", 10233, "2.26.41.74", 262641074,
              {0: AppUser(grants={RC: False, CAM: True, NOTIF: True})}, target_sdk=35)
    apps = _system_apps([0], sdk) + [
        wa,
        _app("com.simplemobiletools.gallery.pro", 10241, "6.28.1", 428, {0: AppUser(grants={RMI: True, RMV: True})},
             installer="org.fdroid.fdroid"),
        _app("com.example.musicplayer", 10244, "5.2.0", 520, {0: AppUser(grants={RMA: True})}),
        # WRITE_EXTERNAL_STORAGE grants nothing to an app targeting 30+; READ_EXTERNAL_STORAGE
        # has no effect for one targeting 33+ on Android 13+.
        _app("com.example.notes", 10245, "3.1.0", 310, {0: AppUser(grants={WES: True})}, target_sdk=33),
        _app("com.example.scanner", 10246, "2.0.4", 204, {0: AppUser(grants={RES: True})}, target_sdk=34),
        *extra,
    ]
    files = _backups(_WA_SCOPED) + _hidden_media(_WA_SCOPED)
    manager = {(10240, "com.ghisler.android.TotalCommander"): {"MANAGE_EXTERNAL_STORAGE": "allow"}}
    ops = manager if any(a.name == "com.ghisler.android.TotalCommander" for a in extra) else {}
    return PhoneSpec(
        serial=serial,
        props=_props(manufacturer="Google", brand="google", model="Pixel 8", device="shiba",
                     release="14", sdk=sdk, patch="2026-10-05", crypto=("encrypted", "file")),
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, ops),
        storage=Storage(files=files),
        description=description,
        expect={
            "today": TODAY,
            "findings": {
                "MSG-01": [F], "MSG-02": [F], "MSG-03": [F], "MSG-04": [P], "MSG-05": expect_msg05,
                "MSG-06": [P], "MSG-07": [NA], "MSG-08": [U], "MSG-09": [P], "MSG-10": [P],
                "MSG-11": [P], "MSG-12": [INF], **ORG, "DEV-01": [P], "DEV-02": [P], "DEV-03": [P],
            },
            "verdict": "non_compliant",
        },
    )


def media_readers_only() -> PhoneSpec:
    """Item 4: on Android 14 media permissions do not reach chat backups or .nomedia'd media."""
    return _android14_hidden(
        [],
        "Android 14 phone (Pixel 8), consumer WhatsApp with three local chat backups and media "
        "visibility off (received and sent images only in Private/ and Sent/, .nomedia in both). "
        "A gallery holds READ_MEDIA_IMAGES/VIDEO, a music player READ_MEDIA_AUDIO, a notes app "
        "targeting 33 WRITE_EXTERNAL_STORAGE and a scanner targeting 34 READ_EXTERNAL_STORAGE: none "
        "of them can read a chat backup or a hidden file, so MSG-05 passes while MSG-03 fails.",
        [P],
        "MSGSCAN14MR",
    )


def all_files_reader() -> PhoneSpec:
    """Item 4: the same phone plus a file manager with all-files access: it reads everything."""
    manager = _app("com.ghisler.android.TotalCommander", 10240, "3.60", 1360, {0: AppUser()}, target_sdk=34)
    return _android14_hidden(
        [manager],
        "The phone of setup-android14-media-readers-only plus a file manager with all-files access "
        "(app op MANAGE_EXTERNAL_STORAGE allow): it can read the chat backups and the media in "
        "Private/ and Sent/, so MSG-05 fails and names it with what it reads.",
        [F],
        "MSGSCAN14AF",
    )


def android10_legacy() -> PhoneSpec:
    """Item 4: Android 10, legacy WhatsApp root; an app targeting 22 holds READ_EXTERNAL_STORAGE
    from install (install permissions), another runs scoped (LEGACY_STORAGE op ignore)."""
    sdk = 29
    root = "/storage/emulated/0/WhatsApp"
    wa = _app("com.whatsapp", 10233, "2.26.41.74", 262641074,
              {0: AppUser(grants={RC: False, RES: True, WES: True, CAM: True})}, target_sdk=35)
    old = App("com.example.oldgallery", 10250, "1.9.2", 192, target_sdk=22, min_sdk=14,
              install_permissions=("android.permission.INTERNET", RES, WES),
              users={0: AppUser()}, identity_hash="3c0ffee")
    scoped = _app("com.example.photoeditor", 10251, "4.0.1", 401, {0: AppUser(grants={RES: True})}, target_sdk=29)
    apps = _system_apps([0], sdk) + [wa, old, scoped]
    return PhoneSpec(
        serial="MSGSCAN10LG",
        props=_props(manufacturer="motorola", brand="motorola", model="moto g(8)", device="rav",
                     release="10", sdk=sdk, patch="2026-09-01", crypto=("encrypted", "file")),
        users=[(0, "Owner", OWNER_FLAGS_10, True)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, {(10251, "com.example.photoeditor"): {"LEGACY_STORAGE": "ignore"}}),
        storage=Storage(files=_backups(root), folders=(f"{root}/Media/WhatsApp Images",)),
        maxdata=256 * 1024,
        description=(
            "Android 10 phone (moto g8) with consumer WhatsApp in its legacy root (/sdcard/WhatsApp) "
            "and three local chat backups, no visible media. An old gallery targeting API 22 holds "
            "READ/WRITE_EXTERNAL_STORAGE as install-time grants (legacy storage: reads everything); a "
            "photo editor targeting 29 holds READ_EXTERNAL_STORAGE but runs in scoped storage "
            "(LEGACY_STORAGE app op ignore): media only. MSG-05 fails naming only the old gallery."
        ),
        expect={
            "today": TODAY,
            "findings": {
                "MSG-01": [F], "MSG-02": [F], "MSG-03": [F], "MSG-04": [P], "MSG-05": [F],
                "MSG-06": [P], "MSG-07": [NA], "MSG-08": [U], "MSG-09": [P], "MSG-10": [P],
                "MSG-11": [P], "MSG-12": [INF], **ORG, "DEV-01": [P], "DEV-02": [F], "DEV-03": [P],
            },
            "verdict": "non_compliant",
        },
    )


def preloaded_installers() -> PhoneSpec:
    """Items 5 and 10: installers a Xiaomi phone records; WhatsApp inside CVE-2026-23866."""
    sdk = 33
    every = {0: AppUser()}
    apps = _system_apps([0], sdk) + [
        # Meta's installer as makers preload it, and Xiaomi's store and system-app updater.
        _app("com.facebook.system", 10130, "1.0.0", 100, every, system=True, installer=None),
        _app("com.facebook.appmanager", 10131, "190.0.0.5", 19000005, every, system=True, installer=None),
        _app("com.xiaomi.mipicks", 10132, "5.8.6.0", 5860, every, system=True, installer=None),
        _app("com.xiaomi.discover", 10133, "6.2.0", 620, every, system=True, installer=None),
        _app("com.miui.packageinstaller", 10134, "6.1.9", 619, every, system=True, installer=None),
        # WhatsApp 2.26.5.12: inside CVE-2026-23866's range (2.25.8.0 through 2.26.7.10).
        _app("com.whatsapp", 10233, "2.26.5.12", 262605012, {0: AppUser(grants={RC: False})},
             installer="com.facebook.system", target_sdk=35),
        _app("org.telegram.messenger", 10234, "12.1.1", 61021, {0: AppUser(grants={RC: False})},
             installer="com.xiaomi.mipicks", target_sdk=35),
        # The telegram.org APK updates itself: its own name is recorded as installer (as for the
        # apps the real Honor 8 capture shows: docs/sources.md, "Real output").
        _app("org.telegram.messenger.web", 10235, "12.1.1", 61021, {0: AppUser(grants={RC: False})},
             installer="org.telegram.messenger.web", target_sdk=35),
        # An APK opened from Xiaomi's file manager goes through Xiaomi's package installer.
        _app("ch.threema.app", 10236, "6.1.2", 1060, {0: AppUser(grants={RC: False})},
             installer="com.miui.packageinstaller", allow_backup=False),
        _app("org.thoughtcrime.securesms", 10237, "7.24.2", 149101, {0: AppUser(grants={RC: False})},
             installer="com.xiaomi.discover", target_sdk=34),
    ]
    return PhoneSpec(
        serial="MSGSCAN13XI",
        props=_props(manufacturer="Xiaomi", brand="Redmi", model="23090RA98G", device="sapphire",
                     release="13", sdk=sdk, patch="2026-10-01", crypto=("encrypted", "file")),
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(),
        description=(
            "Android 13 phone (Redmi Note 13 layout) with messengers from the installers real phones "
            "record: WhatsApp preloaded through Meta App Installer (com.facebook.system, a system "
            "package), Telegram from Xiaomi GetApps, Signal through Xiaomi's system-app updater "
            "(com.xiaomi.discover, a system package msgscan does not list), the self-updating "
            "telegram.org APK (installer: itself) and Threema opened as an APK file through Xiaomi's "
            "package installer. WhatsApp 2.26.5.12 lies inside CVE-2026-23866 (2.25.8.0 through "
            "2.26.7.10). Shared storage holds no messenger files."
        ),
        expect={
            "today": TODAY,
            "findings": {
                # Findings come worst first, then by package (checks.evaluate).
                "MSG-01": [F], "MSG-02": [F], "MSG-03": [M, P, P, NA, NA],
                "MSG-04": [P, P, P, P, NA], "MSG-05": [NA], "MSG-06": [P, P, P, P, P],
                "MSG-07": [M, M], "MSG-08": [U, U, U, U, U], "MSG-09": [F, P, P, P, NA],
                "MSG-10": [F, F, P, P, P], "MSG-11": [P, P, P, P, P],
                "MSG-12": [INF, INF, INF, INF, P],
                **ORG, "DEV-01": [P], "DEV-02": [F], "DEV-03": [P],
            },
            "verdict": "non_compliant",
        },
    )


def telegram_x_signal() -> PhoneSpec:
    """Item 6: Telegram X has its own layout; Signal's backup search skips Android/data."""
    sdk = 34
    apps = _system_apps([0], sdk) + [
        _app("org.thunderdog.challegram", 10238, "0.27.5.1747", 1747, {0: AppUser(grants={RC: False, RMI: True})},
             target_sdk=34, allow_backup=False),
        _app("org.thoughtcrime.securesms", 10237, "7.24.2", 149101, {0: AppUser(grants={RC: False})}, target_sdk=34),
    ]
    # Telegram's own folder layout, left by a Telegram install removed earlier: not Telegram X's.
    files = [(f"/storage/emulated/0/Telegram/Telegram Images/f{i:04d}.jpg", _NOW - i * _DAY, 90_000) for i in range(5)]
    files += [("/storage/emulated/0/Download/f0001.pdf", _NOW - 3 * _DAY, 420_000)]
    return PhoneSpec(
        serial="MSGSCAN14TX",
        props=_props(manufacturer="Google", brand="google", model="Pixel 8", device="shiba",
                     release="14", sdk=sdk, patch="2026-10-05", crypto=("encrypted", "file")),
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(
            files=files,
            denied=("/storage/emulated/0/Android/data", "/storage/emulated/0/Android/obb"),
            folders=("/storage/emulated/0/Android/media",),
        ),
        description=(
            "Android 14 phone (Pixel 8) with Telegram X (TDLib, its own storage layout) and Signal "
            "without local backups. Android/data and Android/obb are not listable by the shell. "
            "Telegram's folders hold leftovers of a removed Telegram: Telegram X is not judged on "
            "them (MSG-04 and MSG-05 manual). Signal's backup search covers all shared storage but "
            "Android/data and Android/obb, where no backup can be saved: MSG-03 passes instead of "
            "turning unknown."
        ),
        expect={
            "today": TODAY,
            "findings": {
                "MSG-01": [NA], "MSG-02": [NA], "MSG-03": [P, NA], "MSG-04": [M, NA], "MSG-05": [M],
                "MSG-06": [P, P], "MSG-07": [M], "MSG-08": [U, U], "MSG-09": [P, NA], "MSG-10": [P, P],
                "MSG-11": [P, P], "MSG-12": [INF, P],
                # No WhatsApp-family app: ORG-02 and ORG-03 do not apply (checklist.md).
                "ORG-01": [M], "ORG-02": [NA], "ORG-03": [NA],
                "DEV-01": [P], "DEV-02": [P], "DEV-03": [P],
            },
            # Nothing fails; what a person must check is manual (Telegram X's folders, MSG-07).
            "verdict": "incomplete",
        },
    )


SETUPS: dict[str, tuple[Callable[[], PhoneSpec], tuple[str, str, str]]] = {
    "setup-android14-media-readers-only.json": (media_readers_only, ("Pixel 8", "shiba", "shiba")),
    "setup-android14-all-files-reader.json": (all_files_reader, ("Pixel 8", "shiba", "shiba")),
    "setup-android10-legacy-readers.json": (android10_legacy, ("moto g(8)", "rav_retail", "rav")),
    "setup-android13-preloaded-installers.json": (preloaded_installers, ("23090RA98G", "sapphire_eea", "sapphire")),
    "setup-android14-telegram-x-signal.json": (telegram_x_signal, ("Pixel 8", "shiba", "shiba")),
}
"""File name -> (phone, (model, product, device) of its ADB banner)."""

def _messengers(spec: PhoneSpec) -> dict[str, dict[str, list[int]]]:
    """The catalog messengers the spec installs and for whom (what a report must list)."""
    return {
        a.name: {"installed_for": sorted(u for u, au in a.users.items() if au.installed)}
        for a in spec.apps
        if a.name in VARIANTS
    }


def setup(name: str) -> Recording:
    make, (model, product, device) = SETUPS[name]
    spec = make()
    spec = replace(spec, expect={"messengers": _messengers(spec), **spec.expect})
    return build(spec, model=model, product=product, device=device)


def main() -> int:
    for name in SETUPS:
        save(setup(name), HERE / name)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

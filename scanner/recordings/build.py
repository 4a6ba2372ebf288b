"""The phones behind the shipped recordings, and a generator for large ones.

``python -m scanner.recordings.build`` rewrites the JSON files in this folder. Every phone here is
made up; package names of real apps are used because a scan must recognise them, and nothing on
these phones belongs to a person (user names are neutral, no serials or numbers of real devices).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from scanner.recording import Recording, save
from scanner.recordings import render
from scanner.recordings.construct import PhoneSpec, Storage, build
from scanner.recordings.render import App, AppUser
from scanner.recordings.signed_apks import recording_apk

HERE = Path(__file__).parent

# UserInfo flags (AOSP core/java/android/content/pm/UserInfo.java).
PRIMARY, ADMIN, INITIALIZED, MANAGED_PROFILE = 0x1, 0x2, 0x10, 0x20
FULL, SYSTEM, PROFILE, MAIN = 0x400, 0x800, 0x1000, 0x4000
OWNER_FLAGS_MODERN = PRIMARY | ADMIN | INITIALIZED | FULL | SYSTEM | MAIN  # 0x4c13 (Android 14+)
OWNER_FLAGS_10 = PRIMARY | ADMIN | INITIALIZED  # 0x13
WORK_PROFILE_FLAGS = MANAGED_PROFILE | INITIALIZED | PROFILE  # 0x1030
SECONDARY_FLAGS = INITIALIZED | FULL  # 0x410

RC = "android.permission.READ_CONTACTS"
WC = "android.permission.WRITE_CONTACTS"
RES = "android.permission.READ_EXTERNAL_STORAGE"
WES = "android.permission.WRITE_EXTERNAL_STORAGE"
RMI = "android.permission.READ_MEDIA_IMAGES"
RMV = "android.permission.READ_MEDIA_VIDEO"
CAM = "android.permission.CAMERA"
MIC = "android.permission.RECORD_AUDIO"
NOTIF = "android.permission.POST_NOTIFICATIONS"
# What a scan with the default policy must find, in finding order (package, then user), on TODAY.
TODAY = "2026-11-26"
P, F, NA, M, U = "pass", "fail", "not_applicable", "manual", "unknown"
I = "informational"
ORG = {"ORG-01": [M], "ORG-02": [M], "ORG-03": [M]}
ORG_NO_WHATSAPP = {"ORG-01": [M], "ORG-02": [NA], "ORG-03": [NA]}


def _props(
    *,
    manufacturer: str,
    brand: str,
    model: str,
    device: str,
    release: str,
    sdk: int,
    patch: str,
    crypto: tuple[str, str | None],
) -> dict[str, str]:
    props = {
        "ro.product.manufacturer": manufacturer,
        "ro.product.brand": brand,
        "ro.product.model": model,
        "ro.product.device": device,
        "ro.product.name": device,
        "ro.build.version.release": release,
        "ro.build.version.sdk": str(sdk),
        "ro.build.version.security_patch": patch,
        "ro.build.fingerprint": f"{brand}/{device}/{device}:{release}/MSGSCAN.{sdk}/1:user/release-keys",
        "ro.crypto.state": crypto[0],
        "ro.build.type": "user",
        "ro.debuggable": "0",
        "persist.sys.timezone": "Europe/Berlin",
    }
    if crypto[1]:
        props["ro.crypto.type"] = crypto[1]
    return props


def _app(name: str, app_id: int, version: str, code: int, users: Mapping[int, AppUser], **kw: object) -> App:
    return App(name, app_id, version, code, users=users, identity_hash=f"{app_id * 2654435761 % 0xFFFFFFF:07x}", **kw)  # type: ignore[arg-type]


def _system_apps(users: list[int], sdk: int) -> list[App]:
    """The platform and Google apps every phone has; photos/gallery may read shared media."""
    every = {u: AppUser(grants={}) for u in users}
    media = {RMI: True, RMV: True} if sdk >= 33 else {RES: True}
    return [
        _app("android", 1000, "14", 34, every, system=True, installer=None, allow_backup=False),
        _app("com.android.systemui", 10101, "14", 34, every, system=True, installer=None),
        _app("com.android.settings", 1000, "14", 34, every, system=True, installer=None),
        _app("com.google.android.gms", 10110, "24.47.13", 244713035, every, system=True),
        _app("com.android.vending", 10111, "43.9.17-31", 84391730, every, system=True),
        _app("com.android.providers.media.module", 10112, "340090000", 340090000, every, system=True, installer=None),
        _app("com.google.android.documentsui", 10113, "14-11812373", 340000000, every, system=True, installer=None),
        _app("com.google.android.apps.photos", 10120, "7.6.0.685525034", 49344810,
             {u: AppUser(grants=dict(media)) for u in users}, system=True),
        _app("com.android.chrome", 10121, "131.0.6778.81", 677808133, every, system=True),
        _app("com.google.android.gm", 10122, "2024.11.10.694001204", 64953617, every, system=True),
        _app("com.google.android.apps.maps", 10123, "11.155.0101", 1065421023, every, system=True),
    ]


# --- dumpsys device_policy / appops ------------------------------------------------------------


def android14_work_profile() -> PhoneSpec:
    sdk = 34
    users = [0, 10]
    wa_b = _app(
        "com.whatsapp.w4b", 10245, "2.26.41.74", 262641074,
        {10: AppUser(grants={RC: True, WC: True, CAM: True, MIC: False, NOTIF: True}, first_install="2026-02-11 08:30:12")},
        target_sdk=35,
    )
    apps = _system_apps(users, sdk) + [
        _app("com.google.android.apps.work.clouddpc", 10150, "165.28.0", 16528, {10: AppUser()}, installer="com.android.vending"),
        wa_b,
        _app("de.dkb.portalapp", 10201, "3.12.0", 3120, {0: AppUser(grants={CAM: True})}),
        _app("com.spotify.music", 10202, "8.9.96.476", 120304767, {0: AppUser(grants={NOTIF: True})}),
        _app("com.microsoft.teams", 10246, "1416/1.0.0.2024", 2024200101, {10: AppUser(grants={RC: False, MIC: True})}, installer="com.android.vending"),
    ]
    return PhoneSpec(
        serial="MSGSCAN14WP",
        props=_props(manufacturer="Google", brand="google", model="Pixel 7a", device="lynx",
                     release="14", sdk=sdk, patch="2026-10-05", crypto=("encrypted", "file")),
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True), (10, "Work profile", WORK_PROFILE_FLAGS, True)],
        apps=apps,
        device_policy=render.device_policy(
            sdk, device_owner=None,
            profile_owners={10: "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver"},
        ),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(denied=("/storage/emulated/10",)),
        apks={"com.whatsapp.w4b": recording_apk("com.whatsapp.w4b")},
        description=(
            "Android 14 phone (Pixel 7a) with a managed work profile (user 10, profile owner Android "
            "Device Policy). WhatsApp Business is installed only in the work profile, with contacts "
            "access; the personal profile has no messenger. The work profile's shared storage is not "
            "readable by the ADB shell. WhatsApp Business's APK is signed with a build-time test "
            "key; no published digest exists for it, so MSG-08 is manual."
        ),
        expect={
            "messengers": {"com.whatsapp.w4b": {"installed_for": [10]}},
            "users": {"0": "system", "10": "managed_profile"},
            "profile_owners": {"10": "com.google.android.apps.work.clouddpc"},
            "storage": "user 10 unreadable: every storage location of WhatsApp Business is unknown",
            "today": TODAY,
            "findings": {
                "MSG-01": [P], "MSG-02": [P], "MSG-03": [U, M], "MSG-04": [U], "MSG-05": [U],
                "MSG-06": [M], "MSG-07": [NA], "MSG-08": [M], "MSG-09": [P], "MSG-10": [P],
                "MSG-11": [P], "MSG-12": [I], **ORG, "DEV-01": [P], "DEV-02": [P], "DEV-03": [P],
            },
            "verdict": "incomplete",
        },
    )


def android16_personal() -> PhoneSpec:
    sdk = 36
    users = [0]
    wa_root = "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp"
    tg_root = "/storage/emulated/0/Android/media/org.telegram.messenger/Telegram"
    day = 86400
    now = render.epoch("2026-11-20T18:03:11")
    files: list[tuple[str, int, int]] = []
    files += [(f"{wa_root}/Media/WhatsApp Images/f{i:04d}.jpg", now - i * 3 * 3600, 180_000 + 911 * i) for i in range(37)]
    files += [(f"{wa_root}/Media/WhatsApp Images/Sent/.nomedia", now - 300 * day, 0)]
    files += [(f"{wa_root}/Media/WhatsApp Images/Private/.nomedia", now - 300 * day, 0)]
    files += [(f"{wa_root}/Media/WhatsApp Video/f{i:04d}.mp4", now - i * day, 4_100_000 + 7919 * i) for i in range(6)]
    files += [(f"{wa_root}/Media/WhatsApp Documents/f{i:04d}.pdf", now - i * 2 * day, 250_000 + 104_729 * i) for i in range(4)]
    files += [(f"{wa_root}/Media/WhatsApp Voice Notes/202647/f{i:04d}.opus", now - i * day, 21_000) for i in range(5)]
    files += [
        (f"{wa_root}/Databases/msgstore-2026-11-{d:02d}.1.db.crypt14", render.epoch(f"2026-11-{d:02d}T02:00:41"), 52_428_800 + d * 4096)
        for d in (18, 19)
    ] + [(f"{wa_root}/Databases/msgstore.db.crypt14", render.epoch("2026-11-20T02:00:40"), 52_436_992)]
    files += [(f"{tg_root}/Telegram Images/f{i:04d}.jpg", now - i * 5 * 3600, 95_000 + 313 * i) for i in range(12)]
    files += [(f"{tg_root}/Telegram Video/f{i:04d}.mp4", now - i * 5 * day, 2_000_000) for i in range(2)]
    wa = _app(
        "com.whatsapp", 10233, "2.26.41.74", 262641074,
        {0: AppUser(grants={RC: True, WC: True, RMI: True, RMV: True, CAM: True, MIC: True, NOTIF: True})},
        target_sdk=35,
    )
    tg = _app(
        "org.telegram.messenger", 10234, "12.1.1", 61021, {0: AppUser(grants={RC: False, RMI: True, RMV: True, NOTIF: True})},
        target_sdk=35,
    )
    apps = _system_apps(users, sdk) + [
        wa,
        tg,
        _app("com.ghisler.android.TotalCommander", 10240, "3.60", 1360, {0: AppUser()}, target_sdk=34),
        _app("com.simplemobiletools.gallery.pro", 10241, "6.28.1", 428, {0: AppUser(grants={RMI: True, RMV: True})}, installer="org.fdroid.fdroid"),
        _app("com.instagram.android", 10242, "356.0.0.40.93", 378406542, {0: AppUser(grants={RMI: True, RMV: False, CAM: True})}),
        _app("com.example.cleaner", 10243, "1.4.2", 142, {0: AppUser(grants={RMI: True, RMV: True})}, installer="com.google.android.packageinstaller"),
        _app("de.dkb.portalapp", 10201, "3.12.0", 3120, {0: AppUser(grants={CAM: True})}),
    ]
    return PhoneSpec(
        serial="MSGSCAN16PH",
        props=_props(manufacturer="samsung", brand="samsung", model="SM-S936B", device="pa2q",
                     release="16", sdk=sdk, patch="2026-06-05", crypto=("encrypted", "file")),
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, {(10240, "com.ghisler.android.TotalCommander"): {"MANAGE_EXTERNAL_STORAGE": "allow"}}),
        storage=Storage(files=files),
        apks={
            "com.whatsapp": recording_apk("com.whatsapp", rotated=True),
            "org.telegram.messenger": recording_apk("org.telegram.messenger"),
        },
        description=(
            "Android 16 phone (Galaxy S25+ layout) used privately and for work: consumer WhatsApp and "
            "Telegram in the personal profile, both with contacts or media access; WhatsApp media "
            "visible in shared storage (no .nomedia in the main folders), three local chat backups, "
            "Telegram media in Android/media; a file manager with all-files access, a gallery, "
            "Instagram and a sideloaded cleaner can read that media. Both messengers' APKs are "
            "signed with build-time test keys (WhatsApp's with a v3 key rotation), not by their "
            "vendors, so MSG-08 fails them against the vendors' published digests."
        ),
        expect={
            "messengers": {"com.whatsapp": {"installed_for": [0]}, "org.telegram.messenger": {"installed_for": [0]}},
            "whatsapp_images": {"files": 37, "nomedia": False},
            "whatsapp_archives": 3,
            "storage_readers": [
                "com.whatsapp", "org.telegram.messenger",
                "com.ghisler.android.TotalCommander", "com.simplemobiletools.gallery.pro",
                "com.instagram.android", "com.example.cleaner",
            ],
            "today": TODAY,
            "findings": {
                "MSG-01": [F], "MSG-02": [F], "MSG-03": [F, M, NA], "MSG-04": [F, F], "MSG-05": [F],
                "MSG-06": [M, P], "MSG-07": [M], "MSG-08": [F, F], "MSG-09": [P, P], "MSG-10": [P, P],
                "MSG-11": [P, P], "MSG-12": [I, I], **ORG, "DEV-01": [F], "DEV-02": [P], "DEV-03": [P],
            },
            "verdict": "non_compliant",
        },
    )


def android10_alternatives() -> PhoneSpec:
    sdk = 29
    users = [0]
    files = [
        ("/storage/emulated/0/Signal/Backups/signal-2026-11-19-03-00-12.backup", render.epoch("2026-11-19T03:00:12"), 187_904_512),
        ("/storage/emulated/0/Signal/Backups/signal-2026-11-20-03-00-09.backup", render.epoch("2026-11-20T03:00:09"), 188_010_496),
        ("/storage/emulated/0/Pictures/Threema/f0001.jpg", render.epoch("2026-11-02T12:00:00"), 310_000),
    ]
    apps = _system_apps(users, sdk) + [
        _app("org.thoughtcrime.securesms", 10160, "7.24.2", 149101, {0: AppUser(grants={RC: True, WC: True, RES: True, WES: True, CAM: True})}, target_sdk=34),
        # Threema and Wire ship allowBackup="false" (messengers.md §6.4, §7).
        _app("ch.threema.app", 10161, "6.1.2", 1060, {0: AppUser(grants={RC: False, RES: True, CAM: True})}, installer="com.android.vending", allow_backup=False),
        _app("com.wire", 10162, "4.9.1", 49100, {0: AppUser(grants={RES: True, CAM: True, MIC: True})}, allow_backup=False),
    ]
    return PhoneSpec(
        serial="MSGSCAN10AL",
        props=_props(manufacturer="motorola", brand="motorola", model="moto g(8)", device="rav",
                     release="10", sdk=sdk, patch="2021-03-01", crypto=("encrypted", "file")),
        users=[(0, "Owner", OWNER_FLAGS_10, True)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(files=files, folders=("/storage/emulated/0/Pictures",)),
        maxdata=256 * 1024,
        apks={
            "org.thoughtcrime.securesms": recording_apk("org.thoughtcrime.securesms", rotated=True),
            "ch.threema.app": recording_apk("ch.threema.app"),
            "com.wire": recording_apk("com.wire"),
        },
        description=(
            "Android 10 phone (moto g8) with the article's alternatives: Signal with two local backups "
            "in Signal/Backups and contacts access, Threema without contacts access and one picture "
            "saved to the gallery, Wire. Security patch from March 2021. The APKs are signed with "
            "build-time test keys: Signal's (rotated, v3) fails MSG-08 against Signal's published "
            "digests; Threema and Wire have no published digest, so MSG-08 is manual."
        ),
        expect={
            "messengers": {
                "org.thoughtcrime.securesms": {"installed_for": [0]},
                "ch.threema.app": {"installed_for": [0]},
                "com.wire": {"installed_for": [0]},
            },
            "signal_archives": 2,
            "security_patch": "2021-03-01",
            "today": TODAY,
            "findings": {
                "MSG-01": [NA], "MSG-02": [NA], "MSG-03": [F, P, M], "MSG-04": [NA, F, NA],
                "MSG-05": [F], "MSG-06": [M, P, P], "MSG-07": [NA], "MSG-08": [F, M, M],
                "MSG-09": [P, NA, NA], "MSG-10": [P, P, P], "MSG-11": [P, P, P], "MSG-12": [I, P, P],
                **ORG_NO_WHATSAPP, "DEV-01": [F], "DEV-02": [F], "DEV-03": [P],
            },
            "verdict": "non_compliant",
        },
    )


SHIPPED = {
    "android14-work-profile-business.json": (android14_work_profile, ("Pixel 7a", "lynx", "lynx")),
    "android16-personal-whatsapp-telegram.json": (android16_personal, ("SM-S936B", "pa2qxeea", "pa2q")),
    "android10-signal-threema-wire.json": (android10_alternatives, ("moto g(8)", "rav_retail", "rav")),
}


def shipped(name: str) -> Recording:
    make, (model, product, device) = SHIPPED[name]
    return build(make(), model=model, product=product, device=device)


def main() -> int:
    for name in SHIPPED:
        save(shipped(name), HERE / name)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def large_phone(packages: int = 300, users: int = 3, *, serial: str = "MSGSCANBIG1", maxdata: int = 1 << 20) -> PhoneSpec:
    """A busy Android 14 phone: ``packages`` apps, ``users`` users (owner, a work profile, then
    secondary users), WhatsApp for the owner, WhatsApp Business in the work profile, Telegram
    for the third user, media and backups in the owner's storage. For counting exchanges and
    for benchmarks; nothing in it is copied from a phone."""
    sdk = 34
    ids = [0, 10] + [10 + i for i in range(1, users - 1)] if users > 1 else [0]
    ids = ids[:users]
    base = _system_apps(ids, sdk)
    messengers = [
        _app("com.whatsapp", 10233, "2.26.41.74", 262641074, {0: AppUser(grants={RC: True, RMI: True})}),
        _app("com.whatsapp.w4b", 10245, "2.26.41.74", 262641074, {ids[min(1, len(ids) - 1)]: AppUser(grants={RC: False})}),
        _app("org.telegram.messenger", 10234, "12.1.1", 61021, {ids[-1]: AppUser(grants={RC: True})}),
    ]
    filler = [
        _app(
            f"com.vendor{i // 10}.app{i}",
            10300 + i,
            f"{1 + i % 7}.{i % 13}.{i % 5}",
            1000 + i,
            {u: AppUser(grants={CAM: i % 3 == 0, RMI: i % 4 == 0, NOTIF: True}) for u in ids if (i + u) % 3 != 1},
        )
        for i in range(max(0, packages - len(base) - len(messengers)))
    ]
    wa_root = "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp"
    now = render.epoch("2026-11-20T18:00:00")
    files = [(f"{wa_root}/Media/WhatsApp Images/f{i:05d}.jpg", now - i * 600, 150_000 + i) for i in range(2000)]
    files += [(f"{wa_root}/Databases/msgstore.db.crypt15", now - 57600, 80_000_000)]
    flags = {0: OWNER_FLAGS_MODERN, 10: WORK_PROFILE_FLAGS}
    return PhoneSpec(
        serial=serial,
        props=_props(manufacturer="Google", brand="google", model="Pixel 8", device="shiba",
                     release="14", sdk=sdk, patch="2026-09-05", crypto=("encrypted", "file")),
        users=[(u, "Owner" if u == 0 else f"User {u}", flags.get(u, SECONDARY_FLAGS), True) for u in ids],
        apps=base + messengers + filler,
        device_policy=render.device_policy(
            sdk, device_owner=None,
            profile_owners={10: "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver"} if 10 in ids else {},
        ),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(files=files),
        maxdata=maxdata,
        description=f"A constructed Android 14 phone with {packages} packages and {users} users.",
        apks={m.name: recording_apk(m.name) for m in messengers},
    )

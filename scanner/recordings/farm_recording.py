"""A farm phone's recording: its facts (``farm.FarmPhone``) made a ``PhoneSpec`` and built by
``construct.build``, like the shipped recordings.

User flags and ids follow AOSP ``UserInfo``/``UserTypeFactory`` (work profile 0x1030 from 11,
0x30 before; clone and private space carry FLAG_PROFILE 0x1000, private space quiet 0x1090 per
dumpsys-package-format.md); Samsung's users are 150 (Secure Folder) and 95 (Dual Messenger) as
adb.md §5 names them. Their exact vendor flags are not documented: Secure Folder is given the
managed-profile flags with Samsung's container agent as profile owner, Dual Messenger the profile
flag alone. Every other user's shared storage is closed to the shell.
"""

from __future__ import annotations

from datetime import date, timedelta

from scanner.recording import Recording
from scanner.recordings import build as shipped
from scanner.recordings import render
from scanner.recordings.construct import PhoneSpec, Storage, build
from scanner.recordings.farm import (
    APP_IDS,
    CURRENT,
    KNOX_ADMIN,
    MAKERS,
    MDM,
    MDM_ADMIN,
    OUTDATED,
    PROFILE_IDS,
    RELEASE,
    SIGNAL,
    TG,
    THREEMA,
    WA,
    WAB,
    FarmPhone,
)
from scanner.recordings.render import AppUser


def _user_rows(phone: FarmPhone) -> list[tuple[int, str, int, bool]]:
    modern = phone.sdk >= 30
    owner = shipped.OWNER_FLAGS_MODERN if phone.sdk >= 34 else shipped.OWNER_FLAGS_10
    rows = [(0, "Owner", owner, True)]
    managed = (
        shipped.WORK_PROFILE_FLAGS if modern else shipped.MANAGED_PROFILE | shipped.INITIALIZED
    )
    flags = {
        "work": managed,
        "secure_folder": managed,
        "dual_messenger": 0x1010 if modern else 0x10,
        "clone": 0x1010,
        "private": 0x1090,
    }
    names = {
        "work": "Work profile",
        "secure_folder": "Secure Folder",
        "dual_messenger": "DUAL_APP",
        "clone": "Clone profile",
        "private": "Private space",
    }
    rows += [(PROFILE_IDS[k], names[k], flags[k], k != "private") for k in phone.profiles]
    return rows


def _storage(phone: FarmPhone, now: int) -> Storage:
    files: list[tuple[str, int, int]] = []
    for m in phone.messengers:
        if m.user != 0 or m.package not in (WA, WAB):
            continue
        name = "WhatsApp" if m.package == WA else "WhatsApp Business"
        root = (
            f"/storage/emulated/0/Android/media/{m.package}/{name}"
            if phone.sdk >= 30
            else f"/storage/emulated/0/{name}"
        )
        files += [
            (
                f"{root}/Databases/msgstore-2026-11-{10 + d:02d}.1.db.crypt14",
                now - d * 86400,
                50_000_000 + d,
            )
            for d in range(m.backups)
        ]
        files += [
            (f"{root}/Media/{name} Images/f{i:04d}.jpg", now - i * 3600, 120_000 + i)
            for i in range(m.media)
        ]
    denied = tuple(f"/storage/emulated/{u}" for u in phone.user_ids() if u != 0)
    return Storage(files=files, denied=denied)


def recording(phone: FarmPhone, *, today: date | None = None) -> Recording:
    """The phone's recording, built by ``construct.build`` from a ``PhoneSpec`` of its facts."""
    today = today or date.today()
    manufacturer, brand, _ = MAKERS.get(phone.maker, (phone.maker, phone.maker, []))
    users = phone.user_ids()
    apps = shipped._system_apps(users, phone.sdk)
    seen: dict[str, dict[int, AppUser]] = {}
    for m in phone.messengers:
        seen.setdefault(m.package, {})[m.user] = AppUser(grants={shipped.RC: True})
    for package, per_user in seen.items():
        first = next(m for m in phone.messengers if m.package == package)
        version, code = OUTDATED if first.outdated else CURRENT
        if package not in (WA, WAB):
            version, code = {
                TG: ("12.1.1", 61021),
                SIGNAL: ("7.24.2", 149101),
                THREEMA: ("6.1.2", 1060),
            }[package]
        installer = (
            "com.google.android.packageinstaller" if first.sideloaded else "com.android.vending"
        )
        apps.append(
            shipped._app(
                package,
                APP_IDS[package],
                version,
                code,
                per_user,
                installer=installer,
                target_sdk=min(35, max(phone.sdk, 26)),
                allow_backup=package != THREEMA,
            )
        )
    if "work" in phone.profiles:
        apps.append(shipped._app(MDM, 10150, "165.28.0", 16528, {10: AppUser()}))
    owners = {}
    if "work" in phone.profiles:
        owners[10] = MDM_ADMIN
    if "secure_folder" in phone.profiles:
        owners[150] = KNOX_ADMIN
    patch = (today - timedelta(days=phone.patch_age_days)).isoformat()
    props = shipped._props(
        manufacturer=manufacturer,
        brand=brand,
        model=phone.model,
        device=phone.device,
        release=RELEASE.get(phone.sdk, str(phone.sdk)),
        sdk=phone.sdk,
        patch=patch,
        crypto=("encrypted", "file" if phone.sdk >= 29 else "block")
        if phone.encrypted
        else ("unencrypted", None),
    )
    now = int(render.epoch(f"{today.isoformat()}T06:00:00"))
    spec = PhoneSpec(
        serial=phone.serial,
        props=props,
        users=_user_rows(phone),
        apps=apps,
        device_policy=render.device_policy(phone.sdk, device_owner=None, profile_owners=owners),
        app_ops=render.dumpsys_appops(phone.sdk, {}),
        storage=_storage(phone, now),
        description=f"Farm phone {phone.serial}: {phone.maker} {phone.model}, Android "
        f"{RELEASE.get(phone.sdk)}, profiles {', '.join(phone.profiles) or 'none'}",
        expect={"farm": phone.to_json(), "today": today.isoformat()},
    )
    rec = build(spec, model=phone.model, product=phone.device, device=phone.device)
    meta = {
        **rec.meta,
        "how_made": rec.meta["how_made"] + " Drawn by scanner/recordings/farm.py "
        "(layouts of Android 6-8 follow the renderer's Android 9 layout where it has no older "
        "one).",
    }
    return Recording(rec.device, rec.commands, meta, rec.files)

"""Recordings of phones with profiles the shipped three do not cover (issue 11, items 1-3, 7).

``python -m scanner.recordings.profiles`` writes them next to the shipped ones. Every phone here
is made up by the spec below (``construct.build``); package names of real apps and DPCs are used
because a scan must recognise them. Each recording's metadata gives, per rule it is about, the
statuses a scan with the default policy must produce (``expect.findings``, in finding order).
"""

from __future__ import annotations

import sys

from scanner.recording import Recording, save
from scanner.recordings import render
from scanner.recordings.build import (
    HERE,
    OWNER_FLAGS_10,
    OWNER_FLAGS_MODERN,
    RC,
    TODAY,
    WORK_PROFILE_FLAGS,
    F,
    I,
    M,
    P,
    U,
    _app,
    _props,
    _system_apps,
)
from scanner.recordings.construct import PhoneSpec, Storage, build
from scanner.recordings.render import App, AppUser

__all__ = ["HERE", "RECORDINGS", "made", "main"]

INITIALIZED, PROFILE = 0x10, 0x1000
CLONE_FLAGS = PROFILE | INITIALIZED  # UserTypeFactory: clone = FLAG_PROFILE, no managed flag
QUIET = 0x80


def _wa(users: dict[int, AppUser]) -> App:
    return _app("com.whatsapp", 10233, "2.26.41.74", 262641074, users, target_sdk=35)


def _wab(users: dict[int, AppUser]) -> App:
    return _app("com.whatsapp.w4b", 10245, "2.26.41.74", 262641074, users, target_sdk=35)


def _phone(serial: str, sdk: int, release: str, model: str, device: str, brand: str = "google") -> dict[str, str]:
    return _props(manufacturer=brand if brand != "google" else "Google", brand=brand, model=model,
                  device=device, release=release, sdk=sdk, patch="2026-10-05", crypto=("encrypted", "file"))


def byod_intune() -> PhoneSpec:
    """Personal phone, Intune work profile with WhatsApp Business, consumer WhatsApp privately."""
    sdk, ids = 34, [0, 10]
    apps = _system_apps(ids, sdk) + [
        _app("com.microsoft.windowsintune.companyportal", 10150, "5.0.6294.0", 6294, {10: AppUser()}),
        _wa({0: AppUser(grants={RC: True})}),
        _wab({10: AppUser(grants={RC: True})}),
    ]
    return PhoneSpec(
        serial="MSGSCANBYOD",
        props=_phone("MSGSCANBYOD", sdk, "14", "Pixel 8", "shiba"),
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True), (10, "Work profile", WORK_PROFILE_FLAGS, True)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={
            10: "com.microsoft.windowsintune.companyportal/com.microsoft.omadm.client.PolicyManagerReceiver"}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(denied=("/storage/emulated/10",)),
        user_backup={10: None},
        description=(
            "BYOD: Android 14 phone whose work profile (user 10) is managed by Microsoft Intune "
            "(profile owner Company Portal) and holds WhatsApp Business; consumer WhatsApp sits in "
            "the personal profile. Android backup is on for the owner and not activated in the "
            "work profile (bmgr --user 10 answers 'not activated')."
        ),
        expect={"today": TODAY, "findings": {
            "MSG-01": [I, P], "MSG-02": [I, P], "MSG-12": [I, P], "ORG-02": [M], "ORG-03": [M]},
            "messengers": {"com.whatsapp": {"installed_for": [0]}, "com.whatsapp.w4b": {"installed_for": [10]}}},
    )


def secure_folder() -> PhoneSpec:
    """Samsung Secure Folder (user 150) with WhatsApp: a private vault, not an MDM container."""
    sdk, ids = 34, [0, 150]
    apps = _system_apps(ids, sdk) + [
        _app("com.samsung.knox.securefolder", 10144, "1.9.10.13", 190910013, {0: AppUser(), 150: AppUser()},
             system=True, installer=None),
        _wab({150: AppUser(grants={RC: True})}),
        _app("com.spotify.music", 10202, "8.9.96.476", 120304767, {0: AppUser()}),
    ]
    return PhoneSpec(
        serial="MSGSCANSF150",
        props=_phone("MSGSCANSF150", sdk, "14", "SM-S911B", "dm1q", brand="samsung"),
        # Flags as a public capture shows them (bayton.org FAQ): UserInfo{150:Secure Folder:10061030}.
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True), (150, "Secure Folder", 0x10061030, False)],
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={
            150: "com.samsung.knox.securefolder/.containeragent.detector.KnoxDeviceAdminReceiver"}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(denied=("/storage/emulated/150",)),
        user_backup={150: False},
        description=(
            "Android 14 Galaxy with Samsung Secure Folder (user 150, managed-profile flags, profile "
            "owner Samsung's Secure Folder app, as a public dump shows it) holding WhatsApp Business; no MDM on the phone. "
            "Android backup is off inside the Secure Folder."
        ),
        expect={"today": TODAY, "findings": {
            "MSG-01": [P], "MSG-02": [F], "MSG-12": [P], "ORG-02": [M], "ORG-03": [M]},
            "messengers": {"com.whatsapp.w4b": {"installed_for": [150]}}},
    )


def clones_private_space() -> PhoneSpec:
    """Android 15 with a clone profile (user 11) and a private space (user 12), WhatsApp in each."""
    sdk, ids = 35, [0, 11, 12]
    apps = _system_apps(ids, sdk) + [_wa({0: AppUser(), 11: AppUser(), 12: AppUser()})]
    return PhoneSpec(
        serial="MSGSCAN15CL",
        props=_phone("MSGSCAN15CL", sdk, "15", "Pixel 9", "tokay"),
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True), (11, "Clone", CLONE_FLAGS, True),
               (12, "Private space", CLONE_FLAGS | QUIET, False)],
        user_types={11: "profile.CLONE", 12: "profile.PRIVATE"},
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(hidden=("/storage/emulated/12",)),
        user_backup={11: True, 12: True},
        description=(
            "Android 15 phone with consumer WhatsApp in the personal profile, in an app-cloning "
            "profile (user 11, type profile.CLONE) and in the private space (user 12, type "
            "profile.PRIVATE, locked: stopped, its storage root not visible to the shell); no MDM. "
            "Backup is on in every profile."
        ),
        expect={"today": TODAY, "findings": {
            "MSG-01": [F, F, F], "MSG-02": [F, F, F], "MSG-12": [I, I, I], "ORG-02": [M], "ORG-03": [M]},
            "messengers": {"com.whatsapp": {"installed_for": [0, 11, 12]}}},
    )


def dual_messenger_unknown_owner() -> PhoneSpec:
    """Samsung Dual Messenger (user 95) and a work profile owned by a DPC msgscan does not know."""
    sdk, ids = 33, [0, 10, 95]
    apps = _system_apps(ids, sdk) + [
        _app("com.example.mdm.agent", 10150, "3.1", 31, {10: AppUser()}),
        _wa({0: AppUser(), 95: AppUser()}),
        _wab({10: AppUser()}),
    ]
    return PhoneSpec(
        serial="MSGSCANDUAL",
        props=_phone("MSGSCANDUAL", sdk, "13", "SM-A536B", "a53x", brand="samsung"),
        users=[(0, "Owner", 0x13 | 0x400 | 0x800, True), (10, "Work", WORK_PROFILE_FLAGS, True),
               (95, "DUAL_APP", 0x20001010, True)],  # as a public capture shows it
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={
            10: "com.example.mdm.agent/.AdminReceiver"}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(hidden=("/storage/emulated/10",)),
        user_backup={10: True},
        description=(
            "Android 13 Galaxy: consumer WhatsApp in the personal profile and a second copy in "
            "Samsung Dual Messenger (user 95); WhatsApp Business in a work profile (user 10) whose "
            "profile owner com.example.mdm.agent is not in msgscan's catalog of MDMs. Dual Messenger's "
            "user type is not known from a capture; the recording prints profile.CLONE for it. bmgr --user "
            "95 is not answered (this phone's recording lacks it): unknown. The shell cannot see the work "
            "profile's storage root (/storage/emulated/10: test -d fails, find says No such file or "
            "directory, as for a root not mounted in the shell's view): its WhatsApp Business "
            "folders are unknown, not absent."
        ),
        expect={"today": TODAY, "findings": {
            "MSG-01": [F, F, P], "MSG-02": [F, F, M], "MSG-12": [I, U, I], "ORG-02": [M], "ORG-03": [M]},
            "messengers": {"com.whatsapp": {"installed_for": [0, 95]}, "com.whatsapp.w4b": {"installed_for": [10]}}},
    )


def xiaomi_dual_apps_second_space() -> PhoneSpec:
    """Xiaomi with Dual apps (XSpace, user 999) and a Second Space (user 11), WhatsApp in each."""
    sdk, ids = 34, [0, 11, 999]
    apps = _system_apps(ids, sdk) + [_wa({0: AppUser(), 11: AppUser(), 999: AppUser()})]
    return PhoneSpec(
        serial="MSGSCANXIAO",
        props=_phone("MSGSCANXIAO", sdk, "14", "2306EPN60G", "aristotle", brand="Xiaomi"),
        # Flags as public notes of a Xiaomi 13T show them: XSpace 801010, Second Space 413.
        users=[(0, "Owner", OWNER_FLAGS_MODERN, True), (11, "security space", 0x413, False),
               (999, "XSpace", 0x801010, True)],
        user_types={11: "full.SECONDARY", 999: "profile.CLONE"},
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={}),
        app_ops=render.dumpsys_appops(sdk, {}),
        storage=Storage(denied=("/storage/emulated/11",)),
        user_backup={11: None, 999: False},
        description=(
            "Android 14 Xiaomi (HyperOS) with consumer WhatsApp in the personal profile, in Xiaomi's "
            "Dual apps (XSpace, user 999) and in a Second Space (user 11, a full secondary user, "
            "stopped); no MDM. The user types XSpace and Second Space print are not known from a "
            "capture; the recording prints profile.CLONE and full.SECONDARY. Backup is on for the "
            "owner, off in XSpace and not activated in the Second Space."
        ),
        expect={"today": TODAY, "findings": {
            "MSG-01": [F, F, F], "MSG-02": [F, F, F], "MSG-12": [I, P, P], "ORG-02": [M], "ORG-03": [M]},
            "messengers": {"com.whatsapp": {"installed_for": [0, 11, 999]}}},
    )


def work_profile_locked() -> PhoneSpec:
    """Android 10 work profile with its own challenge, running but locked since a reboot."""
    sdk, ids = 29, [0, 10]
    apps = _system_apps(ids, sdk) + [
        _app("com.microsoft.windowsintune.companyportal", 10150, "5.0.6294.0", 6294, {10: AppUser()}),
        _wa({0: AppUser(grants={RC: True})}),
        _wab({10: AppUser(grants={RC: True})}),
    ]
    return PhoneSpec(
        serial="MSGSCANLOCK",
        props=_phone("MSGSCANLOCK", sdk, "10", "SM-G973F", "beyond1", brand="samsung"),
        # MANAGED_PROFILE | INITIALIZED: before Android 11 a work profile has no FLAG_PROFILE.
        users=[(0, "Owner", OWNER_FLAGS_10, True), (10, "Work profile", 0x30, True)],
        locked=(10,),
        apps=apps,
        device_policy=render.device_policy(sdk, device_owner=None, profile_owners={
            10: "com.microsoft.windowsintune.companyportal/com.microsoft.omadm.client.PolicyManagerReceiver"}),
        app_ops=render.dumpsys_appops(sdk, {}),
        user_backup={10: None},
        description=(
            "Android 10 Galaxy whose Intune work profile (user 10, WhatsApp Business) has its own "
            "work challenge, not entered since the phone restarted: the profile runs (pm list users "
            "says running) but its credential-encrypted storage is locked (dumpsys mount names only "
            "user 0 unlocked). Its storage root answers test -d, while every name below it is "
            "ciphertext: find says No such file or directory for WhatsApp Business's folders "
            "whether they exist or not, so they are unknown, not absent. Consumer WhatsApp in the "
            "unlocked personal profile has no media or backups in shared storage (pass)."
        ),
        expect={"today": TODAY, "findings": {
            "MSG-01": [I, P], "MSG-02": [I, P], "MSG-03": [M, U], "MSG-04": [P, U],
            "MSG-12": [I, P], "ORG-02": [M], "ORG-03": [M]},
            "messengers": {"com.whatsapp": {"installed_for": [0]}, "com.whatsapp.w4b": {"installed_for": [10]}}},
    )


RECORDINGS = {
    "profiles-byod-intune-android14.json": (byod_intune, ("Pixel 8", "shiba", "shiba")),
    "profiles-secure-folder-android14.json": (secure_folder, ("SM-S911B", "dm1qxxx", "dm1q")),
    "profiles-clone-private-space-android15.json": (clones_private_space, ("Pixel 9", "tokay", "tokay")),
    "profiles-dual-messenger-unknown-dpc-android13.json": (dual_messenger_unknown_owner, ("SM-A536B", "a53xnsxx", "a53x")),
    "profiles-xiaomi-dual-apps-second-space-android14.json": (
        xiaomi_dual_apps_second_space, ("2306EPN60G", "aristotle_eea", "aristotle")),
    "profiles-work-profile-locked-android10.json": (work_profile_locked, ("SM-G973F", "beyond1ltexx", "beyond1")),
}


def made(name: str) -> Recording:
    make, (model, product, device) = RECORDINGS[name]
    rec = build(make(), model=model, product=product, device=device)
    if name.startswith("profiles-dual-messenger"):
        # The phone did not answer bmgr for the Dual Messenger user: that user's state is unknown.
        rec = Recording(rec.device, tuple(c for c in rec.commands if c.argv[:3] != ("bmgr", "--user", "95")),
                        rec.meta, rec.files)
    return rec


def main() -> int:
    for name in RECORDINGS:
        save(made(name), HERE / name)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

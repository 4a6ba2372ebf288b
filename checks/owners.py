"""Whose container is it: known profile owners and what each Android user or profile is.

Catalog data (with sources) and one pure function, ``classify``. Only a device-policy
controller (DPC) of an organisation's MDM isolates work apps (MSG-02); a vendor's own container
(Samsung Secure Folder) is a private vault its user controls, a clone or dual-app user is a
second copy of the personal side, a private space is the owner's hidden personal apps.

Evidence the phone gives (AOSP, non-root shell):

* ``pm list users``: id and ``UserInfo`` flags (``FLAG_MANAGED_PROFILE`` 0x20 marks every
  profile built on the managed-profile type: work profiles and Samsung's Knox containers alike;
  ``FLAG_PROFILE`` 0x1000 every profile on Android 11+).
* ``cmd user list -v`` (Android 11+): the user type (``profile.MANAGED``, ``profile.CLONE`` from
  Android 12/14, ``profile.PRIVATE`` from Android 15) and the parent user.
* ``dumpsys device_policy``: the profile owner of each user and the device owner.

Flags and type alone never make a profile an MDM's: that takes a profile owner the catalog
knows as an MDM's DPC. An unknown profile owner is reported as such (MSG-02 ``manual``), never
assumed to be an MDM.
"""

from __future__ import annotations

from msgspec import Struct

from checks.enums import FastEnum
from checks.facts import DevicePolicy, User, UserKind
from checks.findings import Message, say

__all__ = ["DPCS", "VENDOR_CONTAINERS", "Owner", "Profile", "ProfileKind", "classify"]


class OwnerKind(FastEnum):
    MDM = "mdm"
    """An organisation's mobile device management agent (a DPC)."""
    VENDOR = "vendor"
    """The phone maker's own container app, set up and controlled by the phone's user."""


class Owner(Struct, frozen=True):
    package: str
    name: str
    kind: OwnerKind
    source: str


_PROVISION = (
    "the DPC admin components for `dpm set-device-owner` in a public Android Enterprise ADB "
    "provisioning note (2022-09-02): MobileIron Cloud com.mobileiron.anyware.android/"
    "com.mobileiron.polaris.manager.device.AndroidDeviceAdminReceiver, MobileIron Core "
    "com.mobileiron/com.mobileiron.receiver.MIDeviceAdmin, Workspace ONE com.airwatch.androidagent/"
    "com.airwatch.agent.DeviceAdministratorReceiver, Android Management API "
    "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver, Cisco Meraki "
    "com.meraki.sm/.DeviceAdmin"
)
_AMAPI = "developers.google.com/android/management/provision-device; " + _PROVISION
_INTUNE = (
    "learn.microsoft.com/intune/intune-service/enrollment/android-work-profile-enroll and "
    "techcommunity.microsoft.com/blog/intunecustomersuccess/4370417: the Company Portal app is "
    "Intune's custom DPC for personally owned work profiles (corporate modes use Android Device "
    "Policy)"
)
_AIRWATCH = (
    "docs.vmware.com VMware-AirWatch 9.1 GUID-AW91-AFWProfiles_Concept: enrolment installs the "
    "AirWatch Agent (now Intelligent Hub) inside the work profile as its profile owner; "
    + _PROVISION
)
_SOTI = (
    "SOTI MobiControl Android Enterprise agent, play.google.com/store/apps/details?id="
    "net.soti.mobicontrol.androidwork; provisioning component net.soti.mobicontrol.androidwork/"
    "net.soti.mobicontrol.admin.DeviceAdminAdapter in public QR-provisioning code"
)
_KNOX_MANAGE = (
    "Knox Manage's EMM agent com.sds.emm.cloud.knox.samsung (admin receiver "
    "com.sds.emm.emmagent.core.event.receiver.DeviceAdminPolicyReceiver in a public Samsung "
    "security write-up); docs.samsungknox.com/admin/knox-manage"
)
_MAAS360 = (
    "IBM MaaS360 agent com.fiberlink.maas360.android.control (its devicepolicies code in public "
    "decompiles; play.google.com/store/apps/details?id=com.fiberlink.maas360.android.control)"
)

DPCS: dict[str, Owner] = {
    o.package: o
    for o in (
        Owner(
            "com.google.android.apps.work.clouddpc", "Android Device Policy", OwnerKind.MDM, _AMAPI
        ),
        Owner(
            "com.microsoft.windowsintune.companyportal",
            "Microsoft Intune Company Portal",
            OwnerKind.MDM,
            _INTUNE,
        ),
        Owner(
            "com.airwatch.androidagent", "Workspace ONE Intelligent Hub", OwnerKind.MDM, _AIRWATCH
        ),
        Owner("com.mobileiron", "Ivanti Mobile@Work (MobileIron Core)", OwnerKind.MDM, _PROVISION),
        Owner(
            "com.mobileiron.anyware.android",
            "Ivanti Go (MobileIron Cloud)",
            OwnerKind.MDM,
            _PROVISION,
        ),
        Owner("net.soti.mobicontrol.androidwork", "SOTI MobiControl", OwnerKind.MDM, _SOTI),
        Owner("com.sds.emm.cloud.knox.samsung", "Samsung Knox Manage", OwnerKind.MDM, _KNOX_MANAGE),
        Owner("com.fiberlink.maas360.android.control", "IBM MaaS360", OwnerKind.MDM, _MAAS360),
        Owner("com.meraki.sm", "Cisco Meraki Systems Manager", OwnerKind.MDM, _PROVISION),
    )
}
"""Known DPCs of MDM products, by package. Google's TestDPC (com.afwsamples.testdpc) is a
developer sample, not an organisation's MDM, and is deliberately absent: it is an unknown owner."""

_SECURE_FOLDER = (
    "Secure Folder's profile owner in a public Android bug-report parser's test (Samsung dump of "
    "2026-01-21): `Profile Owner (User 150)`, admin=ComponentInfo{com.samsung.knox.securefolder/"
    "com.samsung.knox.securefolder.containeragent.detector.KnoxDeviceAdminReceiver}, package="
    "com.samsung.knox.securefolder, isOrganizationOwnedDevice=false; bayton.org FAQ (jasonbayton/"
    "11ty) 'Enrolment failed but the work profile was created': `UserInfo{150:Secure Folder:"
    "10061030}` beside a work profile; samsung.com/au/support/skp/faq/1123767 (what Secure "
    "Folder is)"
)
_CONTAINERAGENT = (
    "Samsung framework SemPersonaManager (B2C_FILE_SHARE = com.samsung.android.knox.containeragent"
    ".switcher.fileshare.B2CShareViaActivity), GrifoDev/SuperMan-ModdedFiles framework.jar.out/"
    "smali_classes3/com/samsung/android/knox/SemPersonaManager.smali: the container agent of "
    "earlier One UI / Knox releases; Secure Folder's own receiver keeps the containeragent name"
)

VENDOR_CONTAINERS: dict[str, Owner] = {
    o.package: o
    for o in (
        Owner(
            "com.samsung.knox.securefolder",
            "Samsung Secure Folder",
            OwnerKind.VENDOR,
            _SECURE_FOLDER,
        ),
        Owner(
            "com.samsung.android.knox.containeragent",
            "Samsung Secure Folder",
            OwnerKind.VENDOR,
            _CONTAINERAGENT,
        ),
    )
}
"""Profile owners that are the phone maker's own container app, not an organisation's MDM."""

SAMSUNG_DUAL_APP_USER = 95
"""Samsung Dual Messenger's user (``SemDualAppManager.isDualAppId``); a public capture shows
``UserInfo{95:DUAL_APP:20001010}``: FLAG_PROFILE, no managed-profile flag, no owner."""
XIAOMI_DUAL_APP_USER = 999
"""Xiaomi / MIUI / HyperOS "Dual apps" (XSpace) user; public notes of a Xiaomi 13T show
``UserInfo{999:XSpace:801010}`` (FLAG_PROFILE, no owner). Xiaomi's "Second Space" is a full
secondary user (``UserInfo{11:security space:413}`` in the same kind of notes)."""
_DUAL_APP_USERS = (SAMSUNG_DUAL_APP_USER, XIAOMI_DUAL_APP_USER)


class ProfileKind(FastEnum):
    MAIN = "main"  # user 0: the personal side, or the whole phone under a device owner
    WORK_MDM = "work_mdm"  # a profile whose owner is a known MDM's DPC
    WORK_UNKNOWN_OWNER = "work_unknown_owner"  # a profile owner msgscan does not know
    WORK_UNMANAGED = "work_unmanaged"  # a managed-profile type without any profile owner
    VENDOR_CONTAINER = "vendor_container"  # Samsung Secure Folder
    CLONE = "clone"  # Android app cloning, Samsung Dual Messenger, Xiaomi Dual apps
    PRIVATE = "private"  # Android 15 private space
    SECONDARY = "secondary"  # a full second user (Xiaomi Second Space is one)
    GUEST = "guest"
    RESTRICTED = "restricted"
    OTHER_PROFILE = "other_profile"  # a profile of a type msgscan does not know


class Profile(Struct, frozen=True):
    user_id: int
    kind: ProfileKind
    owner: str | None
    """Package of the user's profile owner (or, for user 0, the device owner), if any."""
    known: Owner | None
    """The catalog entry of that owner, if the catalog knows it."""

    @property
    def main_managed(self) -> bool:
        """The main user of a phone a device owner manages."""
        return self.kind is ProfileKind.MAIN and self.owner is not None

    @property
    def mdm(self) -> bool:
        """Managed by an organisation's MDM (a known DPC)."""
        return self.kind is ProfileKind.WORK_MDM

    def describe(self) -> str:
        """What the profile is, in words a person knows (the English of ``message``)."""
        return self.message().english()

    def message(self) -> Message:
        """What the profile is, as a message each language renders (ids ``owners.*``)."""
        uid, owner = self.user_id, self.owner
        named = f"{self.known.name} ({owner})" if self.known and owner else owner
        kind = self.kind
        if kind is ProfileKind.MAIN and owner:
            return say(
                "owners.main_managed",
                "the phone's main user (user {user}), fully managed by device owner {owner}",
                user=uid,
                owner=named,
            )
        if kind is ProfileKind.MAIN:
            return say("owners.main", "the personal profile (user {user})", user=uid)
        if kind is ProfileKind.WORK_MDM:
            return say(
                "owners.work_mdm",
                "a work profile (user {user}) managed by the MDM {owner}",
                user=uid,
                owner=named,
            )
        if kind is ProfileKind.WORK_UNKNOWN_OWNER:
            return say(
                "owners.work_unknown_owner",
                "a managed profile (user {user}) whose profile owner {owner} is not a known MDM",
                user=uid,
                owner=owner,
            )
        if kind is ProfileKind.WORK_UNMANAGED:
            return say(
                "owners.work_unmanaged",
                "a work profile (user {user}) without a profile owner: no MDM manages it",
                user=uid,
            )
        if kind is ProfileKind.VENDOR_CONTAINER:
            return say(
                "owners.vendor_container",
                "Samsung Secure Folder (user {user}), owned by Samsung's own app {owner}, "
                "not by an MDM",
                user=uid,
                owner=owner,
            )
        if kind is ProfileKind.CLONE:
            return self._clone()
        return self._other()

    def _clone(self) -> Message:
        uid = self.user_id
        if uid == SAMSUNG_DUAL_APP_USER:
            return say(
                "owners.samsung_dual",
                "Samsung Dual Messenger (user {user}), a second copy of personal apps",
                user=uid,
            )
        if uid == XIAOMI_DUAL_APP_USER:
            return say(
                "owners.xiaomi_dual",
                "Xiaomi Dual apps (user {user}), a second copy of personal apps",
                user=uid,
            )
        return say(
            "owners.clone",
            "a clone profile (user {user}), Android's second copy of personal apps",
            user=uid,
        )

    def _other(self) -> Message:
        uid, kind = self.user_id, self.kind
        if kind is ProfileKind.PRIVATE:
            return say(
                "owners.private",
                "the private space (user {user}), the owner's hidden personal apps",
                user=uid,
            )
        if kind is ProfileKind.SECONDARY:
            return say("owners.secondary", "a secondary user (user {user})", user=uid)
        if kind is ProfileKind.GUEST:
            return say("owners.guest", "a guest user (user {user})", user=uid)
        if kind is ProfileKind.RESTRICTED:
            return say("owners.restricted", "a restricted profile (user {user})", user=uid)
        return say(
            "owners.other_profile",
            "a profile (user {user}) of a kind msgscan does not know, not managed by an MDM",
            user=uid,
        )


def _known(package: str | None) -> Owner | None:
    if package is None:
        return None
    return DPCS.get(package) or VENDOR_CONTAINERS.get(package)


def classify(user: User, policy: DevicePolicy) -> Profile:
    """What the user is and who owns it, from its flags, type, id and profile owner.

    Order of evidence: the profile owner decides first (a known MDM, Samsung's container app, or
    an unknown owner); then the user type (Android 11+); then flags; the well-known vendor ids
    (Samsung 95, Xiaomi 999) only name a clone profile that has no owner.
    """
    uid = user.id
    if user.kind is UserKind.SYSTEM:
        owner = policy.device_owner
        return Profile(uid, ProfileKind.MAIN, owner, _known(owner))
    owner = policy.profile_owners.get(uid)
    known = _known(owner)
    if owner is not None:
        if known is not None and known.kind is OwnerKind.MDM:
            return Profile(uid, ProfileKind.WORK_MDM, owner, known)
        if known is not None and known.kind is OwnerKind.VENDOR:
            return Profile(uid, ProfileKind.VENDOR_CONTAINER, owner, known)
        return Profile(uid, ProfileKind.WORK_UNKNOWN_OWNER, owner, None)
    kind = _by_type(user.type)
    if uid in _DUAL_APP_USERS and kind is not ProfileKind.PRIVATE:
        kind = ProfileKind.CLONE
    elif kind is None:
        kind = _by_flags(user)
    return Profile(uid, kind, None, None)


_TYPES = {
    "profile.MANAGED": ProfileKind.WORK_UNMANAGED,
    "profile.CLONE": ProfileKind.CLONE,
    "profile.PRIVATE": ProfileKind.PRIVATE,
    "full.SECONDARY": ProfileKind.SECONDARY,
    "full.GUEST": ProfileKind.GUEST,
    "full.RESTRICTED": ProfileKind.RESTRICTED,
}
"""AOSP user types (``UserManager.USER_TYPE_*`` without ``android.os.usertype.``)."""


def _by_type(user_type: str | None) -> ProfileKind | None:
    if user_type is None:
        return None
    return _TYPES.get(
        user_type, ProfileKind.OTHER_PROFILE if user_type.startswith("profile.") else None
    )


def _by_flags(user: User) -> ProfileKind:
    return {
        UserKind.MANAGED_PROFILE: ProfileKind.WORK_UNMANAGED,
        UserKind.OTHER_PROFILE: ProfileKind.OTHER_PROFILE,
        UserKind.GUEST: ProfileKind.GUEST,
        UserKind.RESTRICTED: ProfileKind.RESTRICTED,
    }.get(user.kind, ProfileKind.SECONDARY)

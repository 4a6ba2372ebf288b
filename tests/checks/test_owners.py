"""checks/owners.py: what each Android user or profile is and who owns it, and the catalog."""

from __future__ import annotations

import re

import pytest

from checks.facts import DevicePolicy, User, UserKind
from checks.owners import DPCS, VENDOR_CONTAINERS, OwnerKind, ProfileKind, classify

PACKAGE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", re.IGNORECASE)
ADP = "com.google.android.apps.work.clouddpc"
INTUNE = "com.microsoft.windowsintune.companyportal"
SECURE_FOLDER = "com.samsung.knox.securefolder"

OWNER = User(0, UserKind.SYSTEM, 0x4C13, True)
WORK = User(10, UserKind.MANAGED_PROFILE, 0x1030, True, "profile.MANAGED", 0)
SF = User(150, UserKind.MANAGED_PROFILE, 0x10061030, False)
DUAL = User(95, UserKind.OTHER_PROFILE, 0x20001010, True)
XSPACE = User(999, UserKind.OTHER_PROFILE, 0x801010, True)
SECOND_SPACE = User(11, UserKind.SECONDARY, 0x413, False)
CLONE = User(11, UserKind.OTHER_PROFILE, 0x1010, True, "profile.CLONE", 0)
PRIVATE = User(12, UserKind.OTHER_PROFILE, 0x1090, False, "profile.PRIVATE", 0)
UNTYPED_PROFILE = User(13, UserKind.OTHER_PROFILE, 0x1010, True)
SECONDARY = User(14, UserKind.SECONDARY, 0x410, True, "full.SECONDARY")
GUEST = User(15, UserKind.GUEST, 0x414, True)
VENDOR_TYPE = User(16, UserKind.OTHER_PROFILE, 0x1010, True, "profile.VENDOR_THING")


class TestClassify:
    @pytest.mark.parametrize(
        ("user", "policy", "kind"),
        [
            (OWNER, DevicePolicy(None), ProfileKind.MAIN),
            (WORK, DevicePolicy(None, {10: ADP}), ProfileKind.WORK_MDM),
            (WORK, DevicePolicy(None, {10: INTUNE}), ProfileKind.WORK_MDM),
            (WORK, DevicePolicy(None, {10: "com.example.mdm"}), ProfileKind.WORK_UNKNOWN_OWNER),
            (WORK, DevicePolicy(None, {10: "com.afwsamples.testdpc"}), ProfileKind.WORK_UNKNOWN_OWNER),
            (WORK, DevicePolicy(None), ProfileKind.WORK_UNMANAGED),
            (SF, DevicePolicy(None, {150: SECURE_FOLDER}), ProfileKind.VENDOR_CONTAINER),
            (SF, DevicePolicy(None, {150: "com.samsung.android.knox.containeragent"}), ProfileKind.VENDOR_CONTAINER),
            (DUAL, DevicePolicy(None), ProfileKind.CLONE),
            (XSPACE, DevicePolicy(None), ProfileKind.CLONE),
            (CLONE, DevicePolicy(None), ProfileKind.CLONE),
            (PRIVATE, DevicePolicy(None), ProfileKind.PRIVATE),
            (UNTYPED_PROFILE, DevicePolicy(None), ProfileKind.OTHER_PROFILE),
            (VENDOR_TYPE, DevicePolicy(None), ProfileKind.OTHER_PROFILE),
            (SECONDARY, DevicePolicy(None), ProfileKind.SECONDARY),
            (SECOND_SPACE, DevicePolicy(None), ProfileKind.SECONDARY),
            (GUEST, DevicePolicy(None), ProfileKind.GUEST),
        ],
        ids=[
            "owner", "android-device-policy", "intune", "unknown-dpc", "test-dpc", "no-owner",
            "secure-folder", "secure-folder-containeragent", "samsung-dual-messenger",
            "xiaomi-dual-apps", "android-clone", "private-space", "untyped-profile",
            "vendor-type", "secondary", "xiaomi-second-space", "guest",
        ],
    )
    def test_kind(self, user: User, policy: DevicePolicy, kind: ProfileKind) -> None:
        """The profile owner decides first, then the user type, then flags and vendor ids."""
        assert kind is classify(user, policy).kind

    def test_only_a_known_dpc_is_an_mdm(self) -> None:
        """Managed-profile flags and any owner are not enough: only a catalog DPC is an MDM."""
        assert [True, False, False, False] == [
            classify(WORK, DevicePolicy(None, {10: ADP})).mdm,
            classify(WORK, DevicePolicy(None, {10: "com.example.mdm"})).mdm,
            classify(SF, DevicePolicy(None, {150: SECURE_FOLDER})).mdm,
            classify(WORK, DevicePolicy(None)).mdm,
        ]

    @pytest.mark.parametrize(
        ("user", "policy", "words"),
        [
            (SF, DevicePolicy(None, {150: SECURE_FOLDER}),
             ("Samsung Secure Folder (user 150), owned by Samsung's own app "
             "com.samsung.knox.securefolder, not by an MDM")),
            (WORK, DevicePolicy(None, {10: ADP}),
             ("a work profile (user 10) managed by the MDM Android Device Policy "
             "(com.google.android.apps.work.clouddpc)")),
            (WORK, DevicePolicy(None, {10: "com.example.mdm"}),
             "a managed profile (user 10) whose profile owner com.example.mdm is not a known MDM"),
            (DUAL, DevicePolicy(None), "Samsung Dual Messenger (user 95), a second copy of personal apps"),
            (XSPACE, DevicePolicy(None), "Xiaomi Dual apps (user 999), a second copy of personal apps"),
            (PRIVATE, DevicePolicy(None), "the private space (user 12), the owner's hidden personal apps"),
            (OWNER, DevicePolicy(ADP),
             ("the phone's main user (user 0), fully managed by device owner Android Device Policy "
             "(com.google.android.apps.work.clouddpc)")),
        ],
        ids=["secure-folder", "mdm", "unknown-owner", "dual-messenger", "dual-apps", "private", "device-owner"],
    )
    def test_words_a_person_knows(self, user: User, policy: DevicePolicy, words: str) -> None:
        """The description names the profile and its owner as people know them."""
        assert words == classify(user, policy).describe()


class TestCatalog:
    def test_every_owner_is_sourced_and_well_formed(self) -> None:
        """Each known owner has a valid package name, a name, its kind and a source."""
        for package, owner in {**DPCS, **VENDOR_CONTAINERS}.items():
            assert (package, True, True) == (owner.package, bool(PACKAGE.match(package)), len(owner.source) > 20)
            assert owner.name.strip()

    def test_kinds_do_not_mix(self) -> None:
        """DPCs are MDMs, vendor containers are not, and no package is both."""
        assert {OwnerKind.MDM} == {o.kind for o in DPCS.values()}
        assert {OwnerKind.VENDOR} == {o.kind for o in VENDOR_CONTAINERS.values()}
        assert not set(DPCS) & set(VENDOR_CONTAINERS)

    def test_the_dpcs_named_in_the_issue_are_known(self) -> None:
        """Android Device Policy, Intune, Workspace ONE, Ivanti, SOTI and Knox Manage."""
        assert {
            ADP, INTUNE, "com.airwatch.androidagent", "com.mobileiron", "com.mobileiron.anyware.android",
            "net.soti.mobicontrol.androidwork", "com.sds.emm.cloud.knox.samsung",
        } <= set(DPCS)

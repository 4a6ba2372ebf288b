"""MSG-01, MSG-07 to MSG-11: which messengers, which builds, how new, from where, allowed."""

from __future__ import annotations

import pytest

from checks.facts import DevicePolicy, Snapshot, Unseen
from checks.findings import Status
from checks.policy import DEFAULT, Policy
from checks.rules.authenticity import unofficial_client
from checks.rules.forbidden import policy_forbidden
from checks.rules.sources import untrusted_source
from checks.rules.telegram import telegram_cloud_chats
from checks.rules.versions import outdated_messenger
from checks.rules.whatsapp import consumer_whatsapp
from tests.checks.factories import (
    MDM,
    MISSING,
    NA,
    PERSONAL,
    REFUSED,
    WORK,
    E,
    F,
    M,
    P,
    U,
    app,
    findings,
    phone,
    statuses,
    texts,
)

UNSEEN_PACKAGES = phone(packages=REFUSED)
LOST = phone(packages=MISSING, complete=False)


class TestConsumerWhatsapp:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app("com.whatsapp")), [F]),
            (phone(app("com.whatsapp", users=(0, 10)), users=(PERSONAL, WORK)), [F, F]),
            (phone(app("com.whatsapp"), app("com.whatsapp.w4b", users=(10,))), [F, P]),
            (phone(app("com.whatsapp.w4b")), [P]),
            (phone(app("org.thoughtcrime.securesms")), [NA]),
            (phone(app("com.gbwhatsapp")), [NA]),
            (UNSEEN_PACKAGES, [U]),
            (LOST, [E]),
        ],
        ids=[
            "consumer",
            "consumer-two-profiles",
            "consumer-and-business",
            "business-only",
            "signal-only",
            "mod-only",
            "packages-unseen",
            "phone-lost",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """Consumer WhatsApp fails per profile; Business alone passes; neither is not applicable."""
        assert expected == statuses(consumer_whatsapp, snapshot)

    def test_fail_names_user_and_business(self) -> None:
        """The failure says where consumer WhatsApp is and that Business is there too."""
        snap = phone(
            app("com.whatsapp"), app("com.whatsapp.w4b", users=(10,)), users=(PERSONAL, WORK)
        )

        assert [
            "consumer WhatsApp (com.whatsapp) installed for user 0 (personal profile)",
            "WhatsApp Business is also installed (users 10)",
            "WhatsApp Business installed for user 10 (unmanaged work profile)",
        ] == texts(consumer_whatsapp, snap)


class TestTelegramCloudChats:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app("org.telegram.messenger")), [M]),
            (
                phone(
                    app("org.thunderdog.challegram"),
                    app("org.telegram.messenger.web", users=(0, 10)),
                    users=(PERSONAL, WORK),
                ),
                [M, M, M],
            ),
            (phone(app("com.whatsapp")), [NA]),
            (UNSEEN_PACKAGES, [U]),
        ],
        ids=["telegram", "telegram-x-and-web", "no-telegram", "packages-unseen"],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """Every Telegram install needs a person to attest secret chats."""
        assert expected == statuses(telegram_cloud_chats, snapshot)


class TestUnofficialClient:
    @pytest.mark.parametrize(
        ("package", "expected"),
        [
            ("com.gbwhatsapp", F),
            ("com.whatsapp", P),
            ("org.telegram.messenger.beta", P),
            ("im.molly.app", P),
        ],
    )
    def test_statuses(self, package: str, expected: Status) -> None:
        """A known mod fails; official, beta and fork builds pass."""
        assert [expected] == statuses(unofficial_client, phone(app(package)))

    def test_no_messenger(self) -> None:
        """Without a messenger the rule is not applicable."""
        assert [NA] == statuses(unofficial_client, phone(app("com.example.notes")))

    def test_pass_says_certificate_unchecked(self) -> None:
        """A pass never claims more than the package name shows."""
        [text] = texts(unofficial_client, phone(app("im.molly.app")))

        assert (
            "third-party build" in text
            and "signing certificate not checked (needs the deep mode)" in text
        )


class TestOutdatedMessenger:
    @pytest.mark.parametrize(
        ("package", "version", "expected"),
        [
            ("com.whatsapp", "2.19.100", F),
            # CVE-2026-23866: 2.25.8.0 through 2.26.7.10 (CVE-2026-23871 is withdrawn).
            ("com.whatsapp", "2.25.7.99", P),
            ("com.whatsapp", "2.25.8.0", F),
            ("com.whatsapp", "2.26.7.10", F),
            ("com.whatsapp", "2.26.7.11", P),
            ("com.whatsapp", "2.26.17.3", P),
            ("com.whatsapp.w4b", "2.26.7.10", P),
            ("com.whatsapp.w4b", "2.26.41.74", P),
            ("org.telegram.messenger", "10.14.4", F),
            ("org.telegram.messenger", "12.1.1", P),
            ("org.thunderdog.challegram", "0.27.5.1747", NA),
            ("ch.threema.app", "6.1.2", NA),
            ("com.wire", "4.9.1", NA),
            ("com.whatsapp", None, U),
            ("com.whatsapp", "beta", U),
        ],
    )
    def test_statuses(self, package: str, version: str | None, expected: Status) -> None:
        """Inside any affected range fails, outside all passes, no floor is n/a, no version is
        unknown."""
        assert [expected] == statuses(outdated_messenger, phone(app(package, version=version)))

    def test_fail_lists_missed_advisories(self) -> None:
        """The failure names every advisory the version lacks, and only those."""
        [finding] = findings(outdated_messenger, phone(app("com.whatsapp", version="2.22.16.2")))

        assert ["CVE-2022-36934"] == finding.evidence[0].data["missing"]
        assert "source https://www.cve.org/CVERecord?id=CVE-2022-36934" in finding.evidence[1].text


class TestUntrustedSource:
    @pytest.mark.parametrize(
        ("installer", "initiating", "expected"),
        [
            ("com.android.vending", None, P),
            ("org.fdroid.fdroid", "org.fdroid.fdroid", P),
            ("com.android.vending", "com.android.vending", P),
            ("com.android.vending", "com.sec.android.easyMover", P),
            ("com.android.vending", "com.android.shell", F),
            ("com.android.vending", "com.google.android.packageinstaller", F),
            (None, None, F),
            ("com.google.android.packageinstaller", None, F),
            ("com.android.shell", None, F),
            ("com.example.store", None, F),
            (MDM, None, P),
        ],
    )
    def test_installers(
        self, installer: str | None, initiating: str | None, expected: Status
    ) -> None:
        """Stores and the MDM pass; APK files, adb, no installer or an unknown one fail."""
        snap = phone(
            app("com.whatsapp", installer=installer, initiating=initiating),
            policy=DevicePolicy(MDM),
        )

        assert [expected] == statuses(untrusted_source, snap)

    @pytest.mark.parametrize(
        ("snapshot", "policy", "expected"),
        [
            (
                phone(
                    app("com.whatsapp.w4b", installer=MDM, users=(10,)),
                    users=(PERSONAL, WORK),
                    policy=DevicePolicy(None, {10: MDM}),
                ),
                DEFAULT,
                [P],
            ),
            (
                phone(app("com.whatsapp", installer="com.example.store")),
                Policy(trusted_installers=frozenset({"com.example.store"})),
                [P],
            ),
            (
                phone(
                    app("com.whatsapp", installer="com.example.store"),
                    policy=Unseen("dumpsys device_policy failed (exit 1)"),
                ),
                DEFAULT,
                [U],
            ),
            (phone(app("com.whatsapp", installer=None, system=True)), DEFAULT, [P]),
            (phone(app("com.example.notes", installer=None)), DEFAULT, [NA]),
            (UNSEEN_PACKAGES, DEFAULT, [U]),
        ],
        ids=[
            "profile-owner",
            "trusted-by-policy",
            "unknown-installer-policy-unseen",
            "firmware",
            "no-messenger",
            "packages-unseen",
        ],
    )
    def test_context(self, snapshot: Snapshot, policy: Policy, expected: list[Status]) -> None:
        """The work profile's MDM, the policy's installers and the firmware are trusted too."""
        assert expected == statuses(untrusted_source, snapshot, policy)

    def test_disguised_apk_is_explained(self) -> None:
        """A store named as installer of an adb install is called what it is."""
        snap = phone(app("com.whatsapp", initiating="com.android.shell"))

        assert [
            (
                "recorded installer is Google Play, but the install was started by adb install: an "
                "APK file installed under a store's name"
            )
        ] == texts(untrusted_source, snap)


class TestPolicyForbidden:
    @pytest.mark.parametrize(
        ("denied", "snapshot", "expected"),
        [
            (
                frozenset({"whatsapp"}),
                phone(app("com.whatsapp"), app("org.telegram.messenger")),
                [F, P],
            ),
            (
                frozenset({"org.telegram.messenger"}),
                phone(app("org.telegram.messenger", users=(0, 10)), users=(PERSONAL, WORK)),
                [F, F],
            ),
            (frozenset(), phone(app("com.whatsapp")), [P]),
            (frozenset({"whatsapp"}), phone(app("com.example.notes")), [NA]),
            (frozenset({"whatsapp"}), UNSEEN_PACKAGES, [U]),
        ],
        ids=["by-key", "by-package", "default-policy", "no-messenger", "packages-unseen"],
    )
    def test_statuses(
        self, denied: frozenset[str], snapshot: Snapshot, expected: list[Status]
    ) -> None:
        """Each install the policy denies fails; the default policy denies none."""
        assert expected == statuses(
            policy_forbidden, snapshot, Policy(name="acme", denied_messengers=denied)
        )

    def test_fail_names_policy(self) -> None:
        """The failure names the policy that forbids it."""
        policy = Policy(name="acme", denied_messengers=frozenset({"whatsapp"}))

        assert ["WhatsApp is forbidden by policy acme"] == texts(
            policy_forbidden, phone(app("com.whatsapp")), policy
        )

"""DEV-01 patch level, DEV-02 Android release, DEV-03 encryption."""

from __future__ import annotations

from datetime import date

import pytest
from msgspec.structs import replace

from checks.facts import Encryption, Unseen
from checks.findings import Status
from checks.policy import DEFAULT, Policy
from checks.rules.device import encryption, os_version, patch_level, sdk_of_release
from tests.checks.factories import IDENTITY, phone, statuses, texts

P, F, U, E = Status.PASS, Status.FAIL, Status.UNKNOWN, Status.ERROR
REFUSED = Unseen("getprop printed no properties")
LOST = Unseen("getprop: not collected (phone did not answer)")


class TestPatchLevel:
    @pytest.mark.parametrize(
        ("patch", "policy", "expected"),
        [
            (date(2026, 10, 5), DEFAULT, P),
            (date(2026, 8, 28), DEFAULT, P),
            (date(2026, 8, 27), DEFAULT, F),
            (date(2026, 6, 5), DEFAULT, F),
            (date(2026, 6, 5), Policy(max_patch_age_days=365), P),
            (date(2026, 12, 5), DEFAULT, P),
            (None, DEFAULT, U),
        ],
        ids=[
            "recent",
            "exactly-90-days",
            "91-days",
            "old",
            "old-but-lenient-policy",
            "future",
            "not-set",
        ],
    )
    def test_statuses(self, patch: date | None, policy: Policy, expected: Status) -> None:
        """Older than the policy's limit before today fails; the limit day itself passes."""
        snap = phone(identity=replace(IDENTITY, security_patch=patch))

        assert [expected] == statuses(patch_level, snap, policy)

    @pytest.mark.parametrize(
        ("identity", "complete", "expected"), [(REFUSED, True, U), (LOST, False, E)]
    )
    def test_unseen(self, identity: Unseen, complete: bool, expected: Status) -> None:
        """Unreadable properties are unknown, or an error when the phone was lost."""
        assert [expected] == statuses(patch_level, phone(identity=identity, complete=complete))

    def test_evidence(self) -> None:
        """The evidence gives the date, its age and the policy's limit."""
        snap = phone(identity=replace(IDENTITY, security_patch=date(2026, 6, 5)))

        assert ["security patch 2026-06-05, 174 days old (policy allows 90)"] == texts(
            patch_level, snap
        )


class TestOsVersion:
    @pytest.mark.parametrize(
        ("release", "sdk", "policy", "expected"),
        [
            ("10", 29, DEFAULT, F),
            ("13", 33, DEFAULT, F),
            ("14", 34, DEFAULT, P),
            ("16", 36, DEFAULT, P),
            ("15", 35, Policy(min_android=16), F),
            ("16", 36, Policy(min_android=17), F),
            ("8.1.0", 27, Policy(min_android=8), P),
            ("16", None, DEFAULT, U),
        ],
    )
    def test_statuses(
        self, release: str, sdk: int | None, policy: Policy, expected: Status
    ) -> None:
        """The API level is compared with the first API level of the policy's minimum release."""
        snap = phone(identity=replace(IDENTITY, release=release, sdk=sdk))

        assert [expected] == statuses(os_version, snap, policy)

    def test_unseen(self) -> None:
        """Unreadable properties are unknown."""
        assert [U] == statuses(os_version, phone(identity=REFUSED))

    @pytest.mark.parametrize(
        ("release", "sdk"), [(6, 23), (12, 31), (13, 33), (16, 36), (17, 37), (5, 1)]
    )
    def test_sdk_of_release(self, release: int, sdk: int) -> None:
        """Releases map to their first API level; later ones continue one level per release."""
        assert sdk == sdk_of_release(release)


class TestEncryption:
    @pytest.mark.parametrize(
        ("state", "expected"),
        [
            (Encryption.FILE_BASED, P),
            (Encryption.FULL_DISK, P),
            (Encryption.ENCRYPTED, P),
            (Encryption.UNENCRYPTED, F),
            (Encryption.UNSUPPORTED, F),
            (Encryption.UNREPORTED, U),
        ],
    )
    def test_statuses(self, state: Encryption, expected: Status) -> None:
        """Unencrypted storage fails; a missing ro.crypto.state is unknown, never a pass."""
        assert [expected] == statuses(
            encryption, phone(identity=replace(IDENTITY, encryption=state))
        )

    def test_unseen(self) -> None:
        """Unreadable properties are an error when the phone was lost."""
        assert [E] == statuses(encryption, phone(identity=LOST, complete=False))

"""MSG-06: phonebook access per messenger and user."""

from __future__ import annotations

import pytest

from checks.facts import AppOps, OpMode, Snapshot, Unseen
from checks.findings import Status
from checks.rules.permissions import contacts_access
from tests.checks.factories import (
    MISSING,
    NA,
    PERSONAL,
    RC,
    REFUSED,
    WC,
    WORK,
    E,
    F,
    M,
    P,
    U,
    app,
    phone,
    statuses,
    texts,
)

WA = "com.whatsapp"


class TestContactsAccess:
    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app(WA, grants={RC: True, WC: True})), [M]),
            (phone(app(WA, grants={WC: True})), [M]),
            (phone(app(WA, grants={RC: False, WC: False})), [P]),
            (phone(app(WA)), [P]),
            (
                phone(
                    app(WA, grants={RC: True}),
                    app_ops=AppOps({(0, WA): {"READ_CONTACTS": OpMode.IGNORE}}),
                ),
                [P],
            ),
            (
                phone(
                    app(WA, grants={RC: True}),
                    app_ops=AppOps({(0, WA): {"READ_CONTACTS": OpMode.DENY}}),
                ),
                [P],
            ),
            (
                phone(
                    app(WA, grants={RC: True, WC: True}),
                    app_ops=AppOps({(0, WA): {"READ_CONTACTS": OpMode.IGNORE}}),
                ),
                [M],
            ),
            (
                phone(app(WA, grants={RC: True}), app_ops=Unseen("dumpsys appops failed (exit 1)")),
                [M],
            ),
            (phone(app(WA, install_permissions={RC: True}, target_sdk=22)), [M]),
            (phone(app(WA, install_permissions={RC: True}, target_sdk=34)), [P]),
            (phone(app("com.wire", grants={RC: True})), [F]),
            (phone(app("com.wire")), [P]),
            (
                phone(
                    app("org.telegram.messenger", grants={RC: True}),
                    app("org.thoughtcrime.securesms", grants={RC: False}),
                ),
                [M, P],
            ),
            (
                phone(
                    app("ch.threema.app", users=(0, 10), grants={RC: True}), users=(PERSONAL, WORK)
                ),
                [M, M],
            ),
            (phone(app("com.example.notes", grants={RC: True})), [NA]),
            (phone(packages=REFUSED), [U]),
            (phone(packages=MISSING, complete=False), [E]),
        ],
        ids=[
            "read-and-write",
            "write-only",
            "denied",
            "no-entry",
            "blocked-by-op-ignore",
            "blocked-by-op-deny",
            "write-not-blocked",
            "app-ops-unseen",
            "legacy-install-grant",
            "install-grant-modern-target",
            "wire-granted",
            "wire-not-granted",
            "telegram-and-signal",
            "per-profile",
            "no-messenger",
            "packages-unseen",
            "phone-lost",
        ],
    )
    def test_statuses(self, snapshot: Snapshot, expected: list[Status]) -> None:
        """A grant needs an attestation, except for Wire, which needs no phonebook at all."""
        assert expected == statuses(contacts_access, snapshot)

    @pytest.mark.parametrize(
        ("snapshot", "expected"),
        [
            (phone(app(WA, grants={RC: True})), "READ_CONTACTS granted for user 0"),
            (phone(app(WA, grants={RC: False})), "READ_CONTACTS denied for user 0"),
            (phone(app(WA)), "contacts permissions not granted for user 0 (no entry)"),
            (
                phone(
                    app(WA, grants={RC: True, WC: False}),
                    app_ops=AppOps({(0, WA): {"READ_CONTACTS": OpMode.IGNORE}}),
                ),
                "READ_CONTACTS granted but blocked by its app op; WRITE_CONTACTS denied for user 0",
            ),
        ],
        ids=["granted", "denied", "no-entry", "blocked-and-denied"],
    )
    def test_evidence(self, snapshot: Snapshot, expected: str) -> None:
        """Evidence tells a grant, a denial, a missing row and a blocking app op apart."""
        assert expected == texts(contacts_access, snapshot)[0]

"""Pins for mutants of ``checks/rules/_common.py``'s ``grants_unread`` that the rule tests let
live: the evidence of an app whose grants under ``Shared users:`` were not read names that
shared user id, in its text as in its data (the person must know which block to look at)."""

from __future__ import annotations

from msgspec.structs import replace

from checks.findings import Status
from checks.rules.permissions import contacts_access
from tests.checks.factories import app, findings, phone

SHARED = "com.example.suite"


def test_the_unread_shared_user_is_named_in_the_text() -> None:
    messenger = replace(app("com.whatsapp"), grants_read=False, shared_user=SHARED)
    [finding] = findings(contacts_access, phone(messenger))
    [unread] = [e for e in finding.evidence if e.message and e.message.id == "grants.unread"]
    assert finding.status is Status.UNKNOWN
    assert unread.text == (
        f"com.whatsapp runs under the shared user id {SHARED}, whose permissions could not be "
        "read (dumpsys package shared-users): its grants are not known"
    )
    assert unread.data["shared_user"] == SHARED

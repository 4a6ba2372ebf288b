"""Pins for mutants of ``checks/rules/_readers.py`` (MSG-05's readers) that the rule tests let
live: a third-party app whose grants were not read (shared user id, ``Shared users:`` not read)
is named once, as an app whose grants are not known; it is never also listed among the apps
that "can read none of the exposed files" (a claim its unread grants cannot back), even when
the images access it was seen holding cannot reach the chat backups."""

from __future__ import annotations

from msgspec.structs import replace

from checks.findings import Status
from checks.rules.exposure import storage_exposure
from tests.checks.factories import RMI, app, findings, folder, phone, seen

WA = "com.whatsapp"
GALLERY = "com.example.suite.gallery"


def test_an_unread_app_is_not_said_to_read_nothing() -> None:
    media = replace(
        app(GALLERY, app_id=10401, grants={RMI: True}),
        grants_read=False,
        shared_user="com.example.suite",
    )
    backups = [seen(WA, "scoped.databases", folder(3))]
    [finding] = findings(storage_exposure, phone(app(WA, app_id=10233), media, storage=backups))

    assert finding.status is Status.UNKNOWN
    ids = [e.message.id for e in finding.evidence if e.message is not None]
    assert ids.count("grants.unread") == 1
    assert "readers.unreached" not in ids
    assert not [e for e in finding.evidence if "unreached" in e.data]
    assert not [e for e in finding.evidence if "can read none" in e.text]

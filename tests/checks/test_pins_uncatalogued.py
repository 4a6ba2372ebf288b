"""Pins for mutants of ``checks/rules/storage.py`` and ``checks/rules/_exposed.py`` that the rule
tests let live.

* A messenger whose folders the catalog does not know (WhatsApp Plus and Threema's internal
  builds have no catalog locations): MSG-03 and MSG-04 are manual, and the evidence says which
  folder is unknown, in the singular ("no chat backup folder", "no media folder").
* A media folder whose catalog entry is not found (a location id the catalog does not have, as
  in a snapshot from an older catalog) is taken to hold media of every kind: an app with images
  access reads it (MSG-05 fails); the rule does not break on it.
"""

from __future__ import annotations

import pytest

from checks.facts import EvidenceKind, StorageEvidence
from checks.findings import Status
from checks.rule import Check
from checks.rules.exposure import storage_exposure
from checks.rules.storage import chat_archives, media_autosave
from tests.checks.factories import RMI, app, findings, folder, phone


@pytest.mark.parametrize(
    ("check", "package", "text"),
    [
        (
            chat_archives,
            "com.whatsapp.plus",
            "the catalog knows no chat backup folder of WhatsApp Plus; check the phone by hand",
        ),
        (
            media_autosave,
            "com.whatsapp.plus",
            "the catalog knows no media folder of WhatsApp Plus; check the phone by hand",
        ),
        (
            chat_archives,
            "ch.threema.app.green",
            "the catalog knows no chat backup folder of "
            "Threema (internal); check the phone by hand",
        ),
    ],
)
def test_a_folder_the_catalog_does_not_know_is_named_in_the_singular(
    check: Check, package: str, text: str
) -> None:
    outcomes = [f for f in findings(check, phone(app(package))) if f.package == package]
    uncatalogued = [
        f
        for f in outcomes
        if any(e.message and e.message.id == "storage.uncatalogued" for e in f.evidence)
    ]
    [finding] = uncatalogued
    assert finding.status is Status.MANUAL
    assert finding.evidence[0].text == text  # (MSG-03's manual parts add an attestation note)


def test_a_media_folder_missing_from_the_catalog_holds_any_media() -> None:
    old = StorageEvidence(
        "com.whatsapp",
        0,
        "old.media",
        EvidenceKind.MEDIA,
        "/storage/emulated/0/WhatsApp/Media/WhatsApp Images",
        folder(5),
    )
    gallery = app("com.example.gallery", app_id=10400, grants={RMI: True})
    snap = phone(app("com.whatsapp", app_id=10233), gallery, storage=[old])
    [finding] = findings(storage_exposure, snap)
    assert finding.status is Status.FAIL
    [readers] = [e.data["readers"] for e in finding.evidence if "readers" in e.data]
    assert readers == ["com.example.gallery"]

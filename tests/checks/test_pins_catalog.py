"""Pins for mutants of ``checks/catalog.py`` that the rule tests let live.

messengers.md §3: the WhatsApp mods with media roots keep WhatsApp's layout under their own
name, scoped (``Android/media/<pkg>/<Name>/Media``) and legacy (``/sdcard/<Name>/Media``).
"""

from __future__ import annotations

import pytest

from checks.catalog import VARIANTS
from checks.facts import EvidenceKind
from checks.rules.storage import media_autosave
from tests.checks.factories import F, app, every, folder, phone, seen, statuses

MODS_WITH_MEDIA = {
    "com.gbwhatsapp": "GBWhatsApp",
    "com.fmwhatsapp": "FMWhatsApp",
    "com.yowhatsapp": "YoWhatsApp",
    "com.WhatsApp2Plus": "WhatsApp2Plus",
}


@pytest.mark.parametrize(("package", "name"), sorted(MODS_WITH_MEDIA.items()))
def test_a_mods_media_roots_are_its_own(package: str, name: str) -> None:
    media = {
        loc.resolve(package)
        for loc in VARIANTS[package][1].locations
        if loc.kind is EvidenceKind.MEDIA
    }
    assert media == {f"Android/media/{package}/{name}/Media", f"{name}/Media"}


@pytest.mark.parametrize("where", ["scoped.media", "legacy.media"])
def test_media_a_mod_saved_to_shared_storage_fails(where: str) -> None:
    """MSG-04: a GBWhatsApp whose Media folder (either root) holds files fails, as WhatsApp's."""
    mod = "com.gbwhatsapp"
    others = [e for e in every(mod, folder(exists=False)) if e.location != where]
    snapshot = phone(app(mod), storage=[seen(mod, where, folder(12)), *others])
    assert statuses(media_autosave, snapshot) == [F]

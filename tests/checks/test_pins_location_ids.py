"""Pins for mutants of ``checks/locations.py`` that the catalog tests let live: a location's id
(in every storage evidence's data, ``"location"``: what a SIEM search keys on) is a dotted
lower-case slug, unique per variant; WhatsApp's hidden ``Sent/``/``Private/`` media folders are
``<mode>.<folder>.hidden`` with the folder's spaces made underscores, as for the visible ones."""

from __future__ import annotations

import re

from checks.catalog import VARIANTS
from checks.facts import EvidenceKind

SLUG = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")


def test_every_location_id_is_a_unique_slug() -> None:
    for package, (_, variant) in VARIANTS.items():
        ids = [loc.id for loc in variant.locations]
        assert len(set(ids)) == len(ids), package
        assert [i for i in ids if not SLUG.fullmatch(i)] == [], package


def test_whatsapps_hidden_media_ids() -> None:
    locations = VARIANTS["com.whatsapp"][1].locations
    hidden = [loc.id for loc in locations if loc.kind is EvidenceKind.PRIVATE_MEDIA]
    assert hidden == [
        f"{mode}.{folder}.hidden"
        for mode in ("scoped", "legacy")
        for folder in ("images", "video", "audio", "documents", "animated_gifs")
    ]
    visible = {loc.id for loc in locations if loc.kind is EvidenceKind.MEDIA}
    assert {h.removesuffix(".hidden") for h in hidden} <= visible

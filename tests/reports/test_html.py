"""The HTML report on hand-made scans: withheld facts, waivers, attestations, hostile strings."""

from __future__ import annotations

from datetime import date

import pytest
from msgspec.structs import replace

from checks.findings import Attestation, Status, Waiver
from checks.policy import Policy
from reports.i18n import Lang
from reports.render.html import HtmlRenderer
from reports.render.interface import Renderer
from tests.reports.scans import handmade, scan, withheld
from tests.reports.test_render import hostile_snapshot


def page(result, lang: Lang = Lang.EN) -> str:  # type: ignore[no-untyped-def]
    return HtmlRenderer(lang).render(result).decode("utf-8")


def test_follows_the_protocol() -> None:
    """The HTML renderer is a Renderer: media type and bytes."""
    assert isinstance(HtmlRenderer(), Renderer)
    assert HtmlRenderer().media_type.startswith("text/html")


@pytest.mark.parametrize("lang", list(Lang))
def test_withheld_facts_and_a_lost_phone(lang: Lang) -> None:
    """A scan that lost the phone renders: unknown facts with their reason, the early stop noted."""
    out = page(scan(withheld(), error="the phone went away"), lang)

    assert "the phone went away" in out
    assert ("stopped early" if lang is Lang.EN else "vorzeitig beendet") in out.lower()
    assert "dumpsys package: not collected (phone lost)" in out


def test_waived_and_attested() -> None:
    """A waiver and an attestation show who, until or when, and the attested item leaves the sheet."""
    policy = Policy(waivers=(Waiver("TST-01", "*", date(2027, 1, 31), "MDM rollout"),))
    result = scan(handmade(), policy=policy)
    note = Attestation("J. Doe", date(2026, 11, 1), "checked")
    findings = tuple(replace(f, attested=note) if f.status is Status.MANUAL else f for f in result.findings)
    out = page(replace(result, findings=findings))

    assert "Waived until 2027-01-31: MDM rollout" in out
    assert "Attested by J. Doe on 2026-11-01 – checked" in out
    sheet = out[out.index('class="attest"'):]
    assert "Nothing to attest on this phone." in sheet


def test_manual_items_are_statements_with_one_signature_block() -> None:
    """Each open manual item is a statement to tick yes or no; one block takes name, date,
    valid-until and signature (reports/render/sheet.py)."""
    result = scan(handmade())
    out = page(result)
    sheet = out[out.index('class="attest"'):]
    manual = [f for f in result.findings if f.status is Status.MANUAL and f.attested is None]

    assert sheet.count('class="statement"') == len(manual) > 0
    assert sheet.count('class="box"') == 2 * len(manual)  # yes and no
    assert sheet.count('class="sign"') == 4
    for field in ("Name, role", "Date", "Valid until", "Signature"):
        assert f'<div class="sign"></div>{field}</div>' in sheet


def test_hostile_strings_are_text() -> None:
    """Escapes and markup in device strings never reach the page raw."""
    out = page(scan(hostile_snapshot()))

    assert not any(c in out for c in "\x1b\x9b\u202e\x00\x7f\r")
    assert "<script" not in out.lower()

"""MSG-09's advisories are data with a source and a range, and the WhatsApp ones are exactly the
rows of ../shared/reference/messengers.md §2.5 (read in place)."""

from __future__ import annotations

import re

import pytest

from checks import advisories
from checks.advisories import Advisory, SourceKind, version_key
from checks.catalog import MESSENGERS
from tests.conftest import _shared_text

CVE_ID = re.compile(r"CVE-\d{4}-\d{4,}")
ALL = [a for m in MESSENGERS for a in m.advisories] + [
    a for m in MESSENGERS for v in m.variants for a in (v.advisories or ())
]


def _section_2_5() -> list[list[str]]:
    """The table rows of §2.5: [CVE, issue, WhatsApp fixed in, Business fixed in]."""
    text = _shared_text("reference/messengers.md")  # ../shared, found as the captures are
    section = text[text.index("### 2.5 "):text.index("## 3. ")]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| CVE-")
    ]
    assert rows, "messengers.md §2.5 has no CVE rows"
    return rows


def _floor(cell: str) -> str | None:
    """ "2.19.134" -> itself; "after 2.26.7.10 (floor 2.26.7.11)" -> the floor; else None."""
    if m := re.search(r"floor (\d+(?:\.\d+)+)", cell):
        return m.group(1)
    return cell if re.fullmatch(r"\d+(?:\.\d+)+", cell) else None


class TestWellFormed:
    @pytest.mark.parametrize("advisory", ALL, ids=lambda a: a.id)
    def test_sourced_and_ranged(self, advisory: Advisory) -> None:
        """Every advisory names its record: a CVE id with its cve.org record, or (no CVE id) the
        vendor's or finders' advisory; its floor and start are versions, start below floor."""
        assert advisory.source.startswith("https://")
        if advisory.source_kind is SourceKind.CVE:
            assert CVE_ID.fullmatch(advisory.id)
            assert advisory.source == f"https://www.cve.org/CVERecord?id={advisory.id}"
        else:
            assert not CVE_ID.search(advisory.id) and "no CVE id" in advisory.id
        floor = version_key(advisory.fixed_in)
        assert floor is not None and ".".join(map(str, floor)) == advisory.fixed_in
        if advisory.affected_from is not None:
            start = version_key(advisory.affected_from)
            assert start is not None and start < floor
        assert advisory.issue

    def test_ids_unique_per_messenger(self) -> None:
        for m in MESSENGERS:
            ids = [a.id for a in m.advisories]
            assert len(ids) == len(set(ids)), m.key

    def test_withdrawn_id_is_gone(self) -> None:
        """CVE-2026-23871 has no record anywhere (messengers.md §2.5 correction)."""
        assert "CVE-2026-23871" not in {a.id for a in ALL}

    def test_range(self) -> None:
        """Inside the affected range fails, below its start and at the floor do not."""
        [cve] = [a for a in advisories.WHATSAPP if a.id == "CVE-2026-23866"]
        inside = [v for v in ("2.25.7.99", "2.25.8.0", "2.26.7.10", "2.26.7.11")
                  if cve.affects(version_key(v) or ())]
        assert ["2.25.8.0", "2.26.7.10"] == inside


class TestMatchesReference:
    def test_whatsapp_rows(self) -> None:
        """WhatsApp's advisories are §2.5's rows, id for id and floor for floor."""
        expected = [(row[0], _floor(row[2])) for row in _section_2_5()]
        assert expected == [(a.id, a.fixed_in) for a in advisories.WHATSAPP]

    def test_business_rows(self) -> None:
        """Business gets a row's advisory only where §2.5 states a Business fix."""
        expected = [(row[0], _floor(row[3])) for row in _section_2_5() if _floor(row[3])]
        assert expected == [(a.id, a.fixed_in) for a in advisories.WHATSAPP_BUSINESS]

    def test_ranges_stated_in_the_reference(self) -> None:
        """A row naming an affected range ("affected A through B") starts the range at A."""
        for row in _section_2_5():
            if m := re.search(r"affected (\d+(?:\.\d+)+) through (\d+(?:\.\d+)+)", row[1]):
                [adv] = [a for a in advisories.WHATSAPP if a.id == row[0]]
                assert m.group(1) == adv.affected_from
                last = version_key(m.group(2)) or ()
                assert adv.affects(last) and not adv.affects(version_key(adv.fixed_in) or ())

    def test_catalog_uses_them(self) -> None:
        by_key = {m.key: m.advisories for m in MESSENGERS}
        for key, advs in advisories.BY_MESSENGER.items():
            assert advs == by_key[key]

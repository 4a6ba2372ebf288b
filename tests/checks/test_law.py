"""The law as data (checks/law.py) and the rule texts: English and German say the same, soberly."""

from __future__ import annotations

import re

import pytest

from checks import law
from checks.alternatives import ALTERNATIVES, compare
from checks.catalog import MESSENGERS
from checks.registry import CHECKS
from reports.i18n.de_checks import CHECKS as DE

NUMBERS = re.compile(r"\d+")
IDS = [c.info.id for c in CHECKS]


def numbers(text: str) -> list[str]:
    return sorted(NUMBERS.findall(text))


def test_every_rule_names_its_provisions() -> None:
    """Every released rule serves at least one provision; the mapping names only known rules."""
    assert set(IDS) == set(law.LEGAL)
    assert all(law.legal(i) for i in IDS)
    assert () == law.legal("TST-01")


def test_the_issue_s_provisions_are_mapped() -> None:
    """The provisions the issue names are each served by the rules they belong to."""
    uids = {i: {b.provision.uid for b in law.legal(i)} for i in IDS}

    assert {"GDPR Art. 5(1)(c)", "GDPR Art. 5(1)(f)", "GDPR Art. 32"} <= uids["MSG-04"]
    assert "GDPR Art. 28" in uids["MSG-01"]
    assert {"GDPR Art. 9", "GDPR Art. 35", "StGB § 203"} <= uids["ORG-03"]
    assert {"GDPR Art. 6(1)(a)", "GDPR Art. 7"} <= uids["MSG-06"]
    assert any(u.startswith("GDPR Art. 6") for u in uids["ORG-02"])


@pytest.mark.parametrize(
    ("number", "en", "de"),
    [
        ("5(1)(f)", "Art. 5(1)(f) GDPR", "Art. 5 Abs. 1 lit. f DSGVO"),
        ("6(1)(a)", "Art. 6(1)(a) GDPR", "Art. 6 Abs. 1 lit. a DSGVO"),
        ("32", "Art. 32 GDPR", "Art. 32 DSGVO"),
    ],
)
def test_citations_in_each_language(number: str, en: str, de: str) -> None:
    p = law.Provision("GDPR", number, "t", "t", law.GDPR_URL)
    assert (en, de) == (p.cite, p.cite_de)
    assert ("§ 203 StGB", "§ 203 StGB") == (law.SECRECY.cite, law.SECRECY.cite_de)


@pytest.mark.parametrize("check_id", IDS)
def test_legal_en_and_de_name_the_same(check_id: str) -> None:
    """Each provision's English and German citation and rationale carry the same numbers;
    both languages are filled in."""
    for b in law.legal(check_id):
        p = b.provision
        assert numbers(p.cite) == numbers(p.cite_de)
        assert numbers(b.en) == numbers(b.de)
        assert b.en and b.de and p.title and p.title_de


_BREACH_EN = re.compile(
    r"\b(is|are|constitutes?) (a |an )?(breach|violation|infringement|unlawful)"
    r"|\bviolates\b|\binfringes\b|\bis illegal\b",
    re.IGNORECASE,
)
_BREACH_DE = re.compile(
    r"\b(ist|sind) (ein |eine )?(Verstoß|rechtswidrig|unzulässig)|verstößt", re.IGNORECASE
)


@pytest.mark.parametrize("check_id", IDS)
def test_legal_texts_are_sober(check_id: str) -> None:
    """A legal rationale says what may be so, never that a breach exists."""
    for b in law.legal(check_id):
        assert not _BREACH_EN.search(b.en), b.en
        assert not _BREACH_DE.search(b.de), b.de


_TERMS = (
    (r"\bGDPR\b", r"\bDSGVO\b"),
    (r"\bArt\.", r"\bArt\."),
    (r"§", r"§"),
    (r"\bStGB\b", r"\bStGB\b"),
    (r"Business Platform", r"Business Platform"),
    (r"Cloud API", r"Cloud API"),
    (r"\bMeta\b", r"\bMeta\b"),
    (r"\bUSA\b", r"\bUSA\b"),
    (r"data-processing agreement", r"Auftragsverarbeitung"),
)


@pytest.mark.parametrize("check_id", IDS)
def test_rule_texts_en_and_de_make_the_same_claims(check_id: str) -> None:
    """A rule's rationale and remediation say the same in English and German: the same
    numbers, and the same legal and factual terms as often (the German once added GDPR claims
    the English lacked)."""
    info = next(c.info for c in CHECKS if c.info.id == check_id)
    de = DE[check_id]
    en_text = " ".join((info.rationale, *info.remediation))
    de_text = " ".join((de.rationale, *de.remediation))

    assert numbers(en_text) == numbers(de_text)
    assert numbers(info.rationale) == numbers(de.rationale)
    for en_term, de_term in _TERMS:
        assert len(re.findall(en_term, en_text)) == len(re.findall(de_term, de_text)), (
            check_id,
            en_term,
        )


def test_whatsapp_business_app_versus_platform() -> None:
    """MSG-01 says in both languages that only the Business Platform (Cloud API), not the
    Business app, comes with Meta's data-processing terms; its Art. 28 entry says so too."""
    info = next(c.info for c in CHECKS if c.info.id == "MSG-01")
    for text in (info.rationale, DE["MSG-01"].rationale):
        assert "WhatsApp Business Platform (Cloud API)" in text
    art28 = next(b for b in law.legal("MSG-01") if b.provision is law.PROCESSOR)
    assert (
        "Business Platform (Cloud API)" in art28.en and "Business Platform (Cloud API)" in art28.de
    )


def test_comparison_is_the_article_s_whole() -> None:
    """The article's five messengers, each with the catalog's facts; the found ones marked."""
    rows = compare([("whatsapp_business", "WhatsApp Business"), ("signal", "Signal")])

    assert ["whatsapp", "threema", "telegram", "signal", "wire"] == [r["key"] for r in rows]
    assert {"whatsapp": ["WhatsApp Business"], "signal": ["Signal"]} == {
        r["key"]: r["found_as"] for r in rows if r["found"]
    }
    profiles = {m.key: m.profile for m in MESSENGERS}
    for alt, row in zip(ALTERNATIVES, rows, strict=True):
        p = profiles[alt.messengers[0]]
        assert p is not None and (p.operator.english(), p.registration.english()) == (
            row["operator"],
            row["registration"],
        )
        assert numbers(alt.note) == numbers(alt.note_de)

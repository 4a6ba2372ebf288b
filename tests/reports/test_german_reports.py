"""German reports of every shipped recording, profile recording and phone set-up, under the
default policy, one that forbids personal WhatsApp and one with signed attestations (applied and
refused): every line comes from a message id with German in the catalog, no English sentence is
left in the text or HTML report, and numbers, sizes, dates and times are written the German way.

(Issue 13's "Done when": the German report shows localised numbers and dates and no English
leftovers.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from checks.advisories import BY_MESSENGER
from checks.attested import TAMPERED, Claim, with_claims
from checks.findings import Attestation, Message, Waiver
from checks.owners import ProfileKind, classify
from checks.policy import DEFAULT, Policy
from reports.i18n import Lang, de_evidence, evidence
from reports.render.html import HtmlRenderer
from reports.render.text import TextRenderer
from reports.report import build_report
from scanner import recording
from scanner.app.scan import scan_result
from scanner.recordings import profiles, setups
from scanner.recordings.build import HERE, SHIPPED
from scanner.replay import ReplayTransport
from tests.reports.test_i18n_profiles import POLICIES, USERS
from tests.reports.test_messages import ENGLISH, _visible

A16 = HERE / "android16-personal-whatsapp-telegram.json"
PHONES: list[Path] = [
    *(HERE / n for n in SHIPPED),
    *(HERE / n for n in profiles.RECORDINGS),
    *(HERE / n for n in setups.SETUPS),
]
_UNTIL = date.today() + timedelta(days=90)


def _attested() -> Policy:
    """A signed attestation for this phone (applied), one forged and one for another phone; and
    the failures of the phone's chat backups waived."""

    def claim(device: str, problem: Message | None, note: str) -> Claim:
        a = Attestation("Team lead", date(2026, 11, 20), note, _UNTIL, device)
        return Claim("MSG-07", a, "a.json", None if problem else "sha256:ab12", problem)

    waivers = tuple(
        Waiver(check, "*", date(2027, 3, 31), "Altbestand wird bis März gelöscht")
        for check in ("MSG-03", "MSG-04")
    )
    return with_claims(
        replace(DEFAULT, waivers=waivers),
        [
            claim("MSGSCAN16PH", None, "nur geheime Chats"),
            claim("MSGSCAN16PH", TAMPERED, "gefälscht"),
            claim("ANOTHERPHONE", None, "anderes Gerät"),
        ],
    )


def _scans() -> Iterator[tuple[str, Path, Policy]]:
    for path in PHONES:
        yield path.name, path, DEFAULT
        yield (
            f"{path.name} (personal WhatsApp forbidden)",
            path,
            Policy(personal_whatsapp_forbidden=True),
        )
    yield f"{A16.name} (attestations)", A16, _attested()


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    return {
        name: build_report(scan_result(ReplayTransport(recording.load(path)), policy, timeout=30))
        for name, path, policy in _scans()
    }


@pytest.fixture(scope="module")
def german(reports: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each report as a person reads it in German: the text report and the HTML page's text.
    The pre-1.3 table (de_evidence) is emptied first, so the test below can tell whether any
    line needed it."""
    de_evidence.tables.cache_clear()
    return {
        name: TextRenderer(Lang.DE).render_report(r).decode()
        + "\n"
        + _visible(HtmlRenderer(Lang.DE).render_report(r).decode())
        for name, r in reports.items()
    }


def _ids(value: object) -> Iterator[str]:
    """Every message id in an evidence item, nested ones included."""
    if isinstance(value, dict):
        if "id" in value and "params" in value:
            yield str(value["id"])
        for v in value.values():
            yield from _ids(v)
    elif isinstance(value, list):
        for v in value:
            yield from _ids(v)


def test_the_set_ups_cover_profiles_advisories_signers_and_attestations(
    reports: dict[str, dict[str, Any]],
) -> None:
    """The reports below hold every family of message this test is about (so it cannot pass by
    rendering nothing): profile descriptions, advisories, signer references, refusals."""
    used = {i for r in reports.values() for f in r["findings"] for i in _ids(f["evidence"])}
    families = {i.split(".")[0] for i in used}
    assert {"owners", "advisory", "signers", "attest"} <= families
    assert {"attest.refused", "attest.other_phone", "attest.signed"} <= used
    assert any(f["waived"] for r in reports.values() for f in r["findings"])
    assert len(reports) == 2 * len(PHONES) + 1 and len(PHONES) >= 13


def test_every_line_carries_an_id_with_german_in_the_catalog(
    reports: dict[str, dict[str, Any]],
) -> None:
    """Every evidence item (and every message nested in one) has an id whose German entry is
    in the shipped catalog, not empty."""
    german = evidence.catalog(Lang.DE)
    without, missing = [], set()
    for r in reports.values():
        for f in r["findings"]:
            for e in f["evidence"]:
                if "id" not in e:
                    without.append(e["text"])
                missing |= {i for i in _ids(e) if not all(german.get(i, ("",)))}
    assert (without, sorted(missing)) == ([], [])


def test_no_line_falls_back_to_the_table_of_old_reports(german: dict[str, str]) -> None:
    """Rendering all of them never needed the regular expressions kept for reports before
    schema 1.3: every line came from its message id."""
    assert german and de_evidence.tables.cache_info().currsize == 0


ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|was not|not|of|and|with|which|for|from|user|profile|installed|attestation|"
    r"signed|found|unknown|files?|folders?|key|source|affected|below|has|have|been|phone|apps|"
    r"backup|shared|storage|granted|denied|could|cannot|must|none|every|only|by|on|to|at|or|"
    r"its|this|that|no)\b"
)
"""English words of the templates and messages (German has "in", "was", "App" too: not listed)."""
_NOT_PROSE = (
    re.compile(r"\(device, by, on, until\)|mit by, on, note|--user \d+"),  # policy keys, a flag
    re.compile(r"\(aus [^)]*\)"),  # the probe command a line came from
    re.compile(r"\S*[./:~=*\\]\S*"),  # paths, file patterns, packages, URLs, digests, versions
)


def _prose(text: str) -> str:
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def test_no_english_words_in_the_german_reports(german: dict[str, str]) -> None:
    """No English word of the templates, messages or catalog remains in what a person reads
    (phone data such as paths, package names, digests and the policy's own key names aside),
    nor any phrase of the issue's list ("default (article)", "(aus catalog)", "Device Owner")."""
    found: dict[str, set[str]] = {}
    for name, text in german.items():
        for line in text.splitlines():
            words = set(ENGLISH_WORDS.findall(_prose(line)))
            words |= {p for p in ENGLISH if p in line}
            for w in words:
                found.setdefault(w, set()).add(f"{name}: {line.strip()[:140]}")
    assert found == {}


def test_numbers_sizes_dates_and_times_are_german(german: dict[str, str]) -> None:
    """ "61,7 / 100", "150,2 MiB", "20.11.2026", "20.11.2026, 09:30:00 UTC"; never an ISO date,
    time or a decimal point in a score or size."""
    text = "\n".join(german.values())
    assert re.search(r"\b\d{1,3},\d / 100\b", text)
    assert re.search(r"\b\d+,\d (KiB|MiB|GiB)\b", text)
    assert re.search(r"\b\d{2}\.\d{2}\.\d{4}\b", text)
    assert re.search(r"\b\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} UTC\b", text)
    assert re.findall(r"\b\d{4}-\d{2}-\d{2}(?:T[\d:]+Z?)?\b", text) == []
    assert re.findall(r"\b\d+\.\d (?:KiB|MiB|GiB)\b|\b\d+\.\d / 100\b", text) == []


def test_every_profile_and_advisory_message_renders_german() -> None:
    """Whatever classify() returns, and every advisory of the catalog: German from the id,
    not the English."""
    messages: dict[object, Message] = {}
    for policy in POLICIES:
        for user in USERS:
            p = classify(user, policy)
            messages[p.kind] = p.message()
    messages |= {a.id: a.issue for advs in BY_MESSENGER.values() for a in advs}
    assert set(ProfileKind) <= set(messages)
    english = {}
    for key, m in messages.items():
        text = evidence.render(m.plain(), Lang.DE)
        if text == m.english() or ENGLISH_WORDS.search(_prose(text)):
            english[key] = text
    assert english == {}

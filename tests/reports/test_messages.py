"""Evidence as messages: the gettext catalog is current, complete, and German reports show no
English leftovers (reports/i18n/evidence.py, reports/i18n/locale)."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from checks.findings import Message, say, say_n
from checks.policy import DEFAULT
from reports.i18n import Lang, Texts
from reports.i18n.formats import day, number, size
from reports.localized import with_texts
from reports.render.html import HtmlRenderer
from reports.render.text import TextRenderer
from reports.report import build_report
from scanner import recording
from scanner.app.scan import scan_result
from scanner.replay import ReplayTransport

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "reports" / "i18n" / "locale"
PO = LOCALE / "de" / "LC_MESSAGES" / "msgscan.po"
KEYWORDS = {"say": ((1, "c"), 2), "say_n": ((1, "c"), 2, 3)}
RECORDINGS = sorted((ROOT / "scanner" / "recordings").glob("*.json"))

ENGLISH = (
    "default (article)",
    "(aus catalog)",
    "(aus policy)",
    "Device Owner",
    " could not be read",
    " installed for ",
    " granted",
    "shared storage",
    "newest ",
    " files",
    " folder",
    "for user",
    "of user",
    " not collected",
    "by hand",
    " backup ",
    "is on",
    "is off",
    "chat backups",
    "looked at",
)
"""English words and phrases no German report may show."""


def _extracted() -> dict[str, object]:
    out: dict[str, object] = {}
    for _, _, msgid, _, context in extract_from_dir(
        str(ROOT), method_map=[("checks/**.py", "python")], keywords=KEYWORDS
    ):
        assert context, f"a message without an id: {msgid!r}"
        out[context] = msgid
    return out


def _po() -> Any:
    with PO.open("rb") as f:
        return read_po(f, locale="de")


def test_mo_is_compiled_from_the_po() -> None:
    buf = BytesIO()
    write_mo(buf, _po())
    assert (PO.with_suffix(".mo")).read_bytes() == buf.getvalue()


def test_pot_and_po_hold_every_message_of_the_rules_and_nothing_else() -> None:
    extracted = _extracted()
    with (LOCALE / "msgscan.pot").open("rb") as f:
        pot = {m.context: m.id for m in read_po(f) if m.id}
    po = {m.context: m.id for m in _po() if m.id}
    assert extracted == pot == po


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{[^}]*\}", text))


def test_every_message_has_german_with_the_same_placeholders() -> None:
    missing, mismatched = [], []
    for m in _po():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if not all(strings) or m.fuzzy:
            missing.append(m.context)
        for s in strings:
            if _placeholders(s) - {"{n}"} != _placeholders(ids[0]) - {"{n}"}:
                mismatched.append(m.context)
    assert (missing, mismatched) == ([], [])


def test_english_is_the_template_filled_in() -> None:
    where = say("user.labelled", "user {user} ({kind})", user=10, kind=say("k", "work profile"))
    m = say_n("storage.backup_files", "{n} chat backup file", "{n} chat backup files", 3)
    archive = say(
        "storage.archive",
        "{what}, {size:size}, newest {newest:date}, in {where}",
        what=m,
        size=157_500_000,
        newest="2026-11-20",
        where=where,
    )
    assert (
        archive.english()
        == "3 chat backup files, 150.2 MiB, newest 2026-11-20, in user 10 (work profile)"
    )
    params = archive.plain()["params"]
    assert isinstance(params, dict)
    assert params["where"] == {
        "id": "user.labelled",
        "params": {"user": 10, "kind": {"id": "k", "params": {}}},
    }


def test_german_from_the_id_and_values() -> None:
    item: dict[str, object] = {
        "text": "ignored",
        "id": "storage.archive",
        "params": {
            "what": {"id": "storage.backup_files", "params": {"n": 3}},
            "size": 157_500_000,
            "newest": "2026-11-20",
            "where": {"id": "storage.path", "params": {"path": "/storage/emulated/0/WhatsApp"}},
        },
    }
    german = Texts(Lang.DE).evidence(item)
    assert (
        german
        == "3 Chat-Sicherungsdateien, 150,2 MiB, neueste vom 20.11.2026, in /storage/emulated/0/WhatsApp"
    )
    assert Texts(Lang.EN).evidence(item) == "ignored"


@pytest.mark.parametrize(
    ("lang", "score", "bytes_", "date"),
    [(Lang.DE, "61,7", "150,2 MiB", "20.11.2026"), (Lang.EN, "61.7", "150.2 MiB", "2026-11-20")],
)
def test_numbers_sizes_and_dates_per_language(
    lang: Lang, score: str, bytes_: str, date: str
) -> None:
    assert (number(61.66, lang), size(157_500_000, lang), day("2026-11-20", lang)) == (
        score,
        bytes_,
        date,
    )
    assert Texts(lang).t("score.value", score=61.7).startswith(score)


@pytest.fixture(scope="module")
def reports() -> list[dict[str, Any]]:
    return [
        build_report(scan_result(ReplayTransport(recording.load(p)), DEFAULT, timeout=30))
        for p in RECORDINGS
    ]


def test_every_evidence_of_the_rules_carries_an_id_that_renders_its_text(
    reports: list[dict[str, Any]],
) -> None:
    """The JSON keeps id and params beside the English text; the English catalog entry filled
    with the params is the text (so a SIEM grouping by id groups the same sentence)."""
    without, differ = [], []
    for report in reports:
        for f in report["findings"]:
            for e in f["evidence"]:
                if "id" not in e:
                    without.append(e["text"])
                    continue
                if _english(e) != e["text"]:
                    differ.append((e["id"], e["text"]))
    assert (without, differ) == ([], [])


def _english(item: dict[str, Any]) -> str:
    def value(v: object) -> object:
        if isinstance(v, dict) and "id" in v:
            one, many = _templates()[v["id"]]
            return Message(v["id"], one, {k: value(x) for k, x in v["params"].items()}, many)
        if isinstance(v, list):
            return [value(x) for x in v]
        return v

    m = value(item)
    assert isinstance(m, Message)
    return m.english()


def _templates() -> dict[str, tuple[Any, Any]]:
    """Message id -> its English (singular, plural) from the .pot."""
    with (LOCALE / "msgscan.pot").open("rb") as f:
        return {
            str(m.context): (m.id[0], m.id[1]) if isinstance(m.id, tuple) else (m.id, None)
            for m in read_po(f)
            if m.id
        }


def test_german_reports_of_every_recording_have_no_english_leftovers(
    reports: list[dict[str, Any]],
) -> None:
    found: dict[str, set[str]] = {}
    for report in reports:
        texts = with_texts(report, Lang.DE)["texts"]
        german = "\n".join(
            (
                TextRenderer(Lang.DE).render_report(report).decode(),
                _visible(HtmlRenderer(Lang.DE).render_report(report).decode()),
                json.dumps(texts, ensure_ascii=False),
                "\n".join(
                    Texts(Lang.DE).evidence(e) for f in report["findings"] for e in f["evidence"]
                ),
            )
        )
        for line in german.splitlines():  # a calendar day in German: 20.11.2026
            if re.search(r"\b\d{4}-\d{2}-\d{2}\b(?!T)", line):
                found.setdefault("ISO date", set()).add(line.strip()[:160])
        for phrase in ENGLISH:
            for line in german.splitlines():
                if phrase in line:
                    found.setdefault(phrase, set()).add(line.strip()[:160])
    assert found == {}


def _visible(html: str) -> str:
    """The text a person sees: no style, script, tags or attribute values."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "\n", html)


def test_ocsf_and_ecs_carry_the_message_id_of_each_evidence() -> None:
    from reports.render.ecs import EcsRenderer
    from reports.render.ocsf import OcsfRenderer

    result = scan_result(ReplayTransport(recording.load(RECORDINGS[0])), DEFAULT, timeout=30)
    ids = {e["id"] for f in build_report(result)["findings"] for e in f["evidence"] if e["data"]}
    ocsf = [json.loads(line) for line in OcsfRenderer().render(result).splitlines() if line]
    ecs = EcsRenderer().render(result).decode()
    seen = {ev["data"]["message_id"] for event in ocsf for ev in event.get("evidences", [])}

    assert ids and seen == ids
    assert all(f'"message_id": "{i}"' in ecs or f'"message_id":"{i}"' in ecs for i in ids)

"""The law and the article's comparison in every report: JSON, text and HTML, English and German."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest

from checks import law
from checks.policy import Policy
from reports.i18n import Lang
from reports.render.html import HtmlRenderer
from reports.render.json import JsonRenderer
from reports.render.text import TextRenderer
from reports.report import validate
from scanner import recording
from scanner.app.scan import scan_result
from scanner.recordings import build
from scanner.replay import ReplayTransport

A16 = "android16-personal-whatsapp-telegram.json"
"""Consumer WhatsApp and Telegram on one phone: two of the five messengers compared."""


@pytest.fixture(scope="module")
def outputs() -> dict[tuple[str, str], str]:
    """The scan of the recording as JSON, text and HTML in English and German."""
    result = scan_result(ReplayTransport(recording.load(build.HERE / A16)), Policy())
    out: dict[tuple[str, str], str] = {("json", "en"): JsonRenderer().render(result).decode()}
    for lang in (Lang.EN, Lang.DE):
        out[("text", lang.value)] = TextRenderer(lang).render(result).decode()
        out[("html", lang.value)] = HtmlRenderer(lang).render(result).decode()
    return out


def report_of(outputs: dict[tuple[str, str], str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(outputs[("json", "en")])
    return data


def test_json_legal_per_finding(outputs: dict[tuple[str, str], str]) -> None:
    """Every finding carries its ``legal`` list, the same as checks/law.py; the report validates."""
    report = report_of(outputs)
    validate(report)

    assert report["findings"]
    for f in report["findings"]:
        assert law.as_json(f["check_id"]) == f["legal"]
        assert f["legal"], f["check_id"]


def test_json_whole_comparison_found_marked(outputs: dict[tuple[str, str], str]) -> None:
    rows = report_of(outputs)["alternatives"]

    assert ["whatsapp", "threema", "telegram", "signal", "wire"] == [r["key"] for r in rows]
    assert {"whatsapp": ["WhatsApp"], "telegram": ["Telegram"]} == {
        r["key"]: r["found_as"] for r in rows if r["found"]
    }


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_legal_mapping_in_text_and_html(
    outputs: dict[tuple[str, str], str], lang: str
) -> None:
    """Each provision of every finding that is not a pass is in the text summary, and each of
    every finding in the HTML page, cited in the page's language, with its rationale."""
    report = report_of(outputs)
    text, page = outputs[("text", lang)], html.unescape(outputs[("html", lang)])
    language = Lang(lang)
    for f in report["findings"]:
        for b in law.legal(f["check_id"]):
            cite = b.provision.cite_de if language is Lang.DE else b.provision.cite
            why = b.de if language is Lang.DE else b.en
            assert cite in page and why in page, (f["check_id"], cite)
            if f["status"] not in ("pass", "not_applicable"):
                assert cite in text, (f["check_id"], cite)
    other = "DSGVO" if language is Lang.EN else "GDPR"
    assert other not in text


@pytest.mark.parametrize("lang", ["en", "de"])
def test_comparison_in_text_and_html_found_marked(
    outputs: dict[tuple[str, str], str], lang: str
) -> None:
    """All five messengers in the text and the page; those found marked, the others not."""
    text, page = outputs[("text", lang)], outputs[("html", lang)]
    found = {"WhatsApp / WhatsApp Business", "Telegram"}
    for name in (
        "WhatsApp / WhatsApp Business",
        "Threema / Threema Work",
        "Telegram",
        "Signal",
        "Wire",
    ):
        mark = "*" if name in found else "-"
        assert f"\n    {mark} {name} (" in text, name
        cell = (
            f'<th class="found">{html.escape(name)} <span class="mark">'
            if name in found
            else f"<th>{html.escape(name)}</th>"
        )
        assert cell in page, name
    assert ("Threema GmbH" in text) and ("Wire Swiss GmbH" in page)


def test_ocsf_references_are_the_same_provisions() -> None:
    """The SIEM events cite exactly the provisions of the report's ``legal`` list (one place)."""
    from reports.render.ocsf import snapshot_events

    result = scan_result(ReplayTransport(recording.load(build.HERE / A16)), Policy())
    events = snapshot_events(result)
    assert events
    for e in events:
        check_id = e["compliance"]["control"]
        refs = [r["uid"] for r in e["compliance"]["compliance_references"]][1:]
        assert [b.provision.uid for b in law.legal(check_id)] == refs
        assert refs

"""The printed sign-off sheet of one phone, and the running header and page numbers of every
printed page of a report.

The sheet names the phone (model, serial or pseudonym), the scan id and date, the policy and its
digest, the report's digest and the signing key, so a signed sheet cannot be filed for another
phone or another scan. Each item a person attests is a statement to tick yes or no; one block
at the end takes name, date and signature.

Running header and page numbers are CSS paged media margin boxes (``@page { @top-left { … } }``
with ``counter(page)`` and ``counter(pages)``), which Chromium prints since version 131 (Debian's
is newer; ``tests/reports/test_sheet_pdf.py`` checks the PDF text). The header's text comes from
the phone (model, serial), so it is written as a CSS string with every character outside
``[A-Za-z0-9 .:_-]`` as a CSS hex escape: nothing a phone says can end the string or the
``<style>`` element.
"""

from __future__ import annotations

from typing import Any

from reports.i18n import CheckText, Lang, Texts
from reports.i18n.formats import day
from reports.i18n.statements import label, statement
from reports.render._html_findings import about
from reports.render.text import clean

_CSS_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .:_-")


def css_string(value: str) -> str:
    """``value`` as a double-quoted CSS string that cannot break out of itself."""
    return '"' + "".join(c if c in _CSS_SAFE else f"\\{ord(c):x} " for c in clean(value)) + '"'


def model_of(device: dict[str, Any]) -> str:
    parts = [device.get("manufacturer"), device.get("model")]
    return " ".join(str(p) for p in parts if isinstance(p, str) and p) or "–"


def paged_media(lang: Lang, report: dict[str, Any]) -> str:
    """The ``@page`` rules: running header (device, scan id, date) and "Page n of m"."""
    device, scan = report["device"], report["scan"]
    head = f"msgscan · {model_of(device)} · {device['serial']}"
    right = f"{label(lang, 'scan')} {scan['id']} · {day(scan['started'], lang)}"
    pages = f"{label(lang, 'page')} "
    return (
        "@page{"
        "@top-left{content:" + css_string(head) + ";font:8pt sans-serif;color:#5b6475}"
        "@top-right{content:" + css_string(right) + ";font:8pt sans-serif;color:#5b6475}"
        "@bottom-right{content:"
        + css_string(pages)
        + " counter(page) "
        + css_string(f" {label(lang, 'of')} ")
        + " counter(pages);font:8pt sans-serif;color:#5b6475}"
        "}"
    )


def _facts(lang: Lang, report: dict[str, Any]) -> list[tuple[str, str]]:
    device, scan = report["device"], report["scan"]
    policy = scan["policy"]
    rows = [
        ("device", model_of(device)),
        ("serial", device["serial"]),
        ("scan", scan["id"]),
        ("date", day(scan["started"], lang) + " " + scan["started"][11:19] + " UTC"),
        ("policy", Texts(lang).policy_name(policy["name"])),
        ("policy_digest", policy["digest"]),
    ]
    return [(label(lang, k), v) for k, v in rows]


def sheet(
    tx: Texts,
    report: dict[str, Any],
    labels: dict[int, str],
    texts: dict[str, CheckText],
    *,
    report_digest: str,
    key: str | None,
    kept_until: str | None = None,
) -> dict[str, Any]:
    """The sign-off sheet (template ``report/sheet.html``): the phone's identity, one statement
    per open manual item (statement, check id, what it is about), and the signature block."""
    lang = tx.lang
    manual = [f for f in report["findings"] if f["status"] == "manual" and f["attested"] is None]
    return {
        "facts": _facts(lang, report),
        "digest": report_digest,
        "key": key or label(lang, "unsigned"),
        "kept_until": kept_until,
        "statements": [
            (
                statement(lang, f["check_id"], f["messenger"], texts[f["check_id"]].title),
                f["check_id"],
                about(tx, f, labels),
            )
            for f in manual
        ],
        "words": {k: label(lang, k) for k in _WORDS},
    }


_WORDS = (
    "heading",
    "none",
    "intro",
    "statement",
    "yes",
    "no",
    "name",
    "signed_on",
    "until",
    "signature",
    "report_digest",
    "report_digest_how",
    "key",
    "retention",
)
"""The sheet's own words (``reports.i18n.statements.label``), as ``sheet.words`` in templates."""


__all__ = ["css_string", "label", "model_of", "paged_media", "sheet"]

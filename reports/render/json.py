"""The versioned JSON report (``reports.report``) as UTF-8 bytes."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import msgspec

from checks.result import ScanResult
from reports.i18n import Lang
from reports.integrity import MEMBER, canonical_text, normalized, seal_covered, seal_json
from reports.localized import with_texts
from reports.render.controls import clean_tree, strip_controls
from reports.report import build_report
from reports.signing import SigningKey

_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""Characters json leaves raw with ensure_ascii=False that a terminal or an editor acts on: DEL,
the C1 controls (U+009B starts an escape sequence like ESC [), bidi and zero-width marks, and
the line separators JavaScript does not allow in strings."""


_WALK_NEEDED = re.compile(
    r"\\[bfr]|\\u00[01]"  # a C0 control but tab and newline, escaped by json (or a backslash)
    r"|[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"  # the others raw
    r'|(?:":|[\[,])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+|(?<=\.0))(?=[,\]}])'  # 1e+16, 1.5e-05, N.0
    r'|"-?\d+(?:\.\d+)?[eE][-+]?\d+":|"-?(?:NaN|Infinity)":'  # a float key with an exponent
)
"""In a report's canonical text (``reports.integrity.canonical_text``): what the cleaning walk
(``clean_normal``) would change, or what msgspec writes otherwise than json (an exponent, a
key made from a float). Text inside a string that looks like one (a backslash before ``b``)
only costs the walk."""


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


class JsonRenderer:
    """The report, indented by two, keys in the report's own order, ending in a newline.

    With a language, the report carries ``texts`` in it beside the language-neutral fields;
    ``retention`` (the agent's) says until when the evidence is kept. The last member is
    ``integrity``: its SHA-256 and, with ``key``, its signature (``reports.integrity``).
    """

    media_type = "application/json"

    def __init__(self, lang: Lang | None = None, key: SigningKey | None = None,
                 retention: dict[str, Any] | None = None, *, compact: bool = False) -> None:
        self.lang = lang
        self.key = key
        self.retention = retention
        self.compact = compact
        """One line, no indentation (the agent's per-phone files: 6x cheaper to write, and
        ``jq .`` indents them; the integrity seal does not cover whitespace)."""

    def render(self, result: ScanResult) -> bytes:
        return self.render_report(build_report(result))

    def render_report(self, report: dict[str, Any]) -> bytes:
        """A report (also a saved one: its ``texts`` are made again in ``lang``, if given)."""
        if self.lang is not None:
            report = with_texts({k: v for k, v in report.items() if k != "texts"}, self.lang)
        if self.retention is not None:
            report["retention"] = self.retention
        try:
            fast = self._clean_already(report)
        except Exception:  # noqa: BLE001 - the walk below raises what it raises, as it did
            fast = None
        if fast is not None:
            return fast
        return dumps(seal_json(clean_normal(report), self.key, normal=True), compact=self.compact)

    def _clean_already(self, report: dict[str, Any]) -> bytes | None:
        """The report written without the cleaning walk, when its canonical text shows the walk
        would change nothing: no control character to strip (json escapes C0 controls, so they
        show as escapes; the others show as themselves) and no number whose text the walk or
        another encoder would write differently (an integral float: ``N.0``, an exponent).
        Else None. The bytes are the walk's bytes: ``tests/reports/test_clean_already_s22.py``."""
        body = {k: v for k, v in report.items() if k != MEMBER}
        text = canonical_text(body)
        if _WALK_NEEDED.search(text):
            return None
        sealed = seal_covered(body, text.encode("utf-8"), self.key)
        if self.compact:  # msgspec's C encoder: the same text as json's for what passed above
            try:
                return msgspec.json.encode(sealed) + b"\n"
            except (TypeError, ValueError, OverflowError):  # a key or a subclass it does not take
                pass
        return (json.dumps(sealed, indent=None if self.compact else 2, ensure_ascii=False)
                + "\n").encode("utf-8")


def clean_normal(value: Any) -> Any:
    """``normalized(clean_tree(value))`` in one walk of the tree instead of two (a 300-package
    phone's report: 5.6 to 3.4 ms): every string and key through ``strip_controls``, a tuple
    as a list, an integral float as an int (``reports.integrity.normalized``)."""
    kind = type(value)
    if kind is str:
        return strip_controls(value)
    if kind is dict:
        return {
            strip_controls(k) if isinstance(k, str) else k: clean_normal(v)
            for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [clean_normal(v) for v in value]
    if kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return int(value) if math.isfinite(value) and value.is_integer() else value
    return normalized(clean_tree(value))  # subclasses (a str enum, an OrderedDict): as before


def dumps(report: dict[str, Any], *, compact: bool = False) -> bytes:
    """A JSON document as msgscan writes it: indented (or on one line, ``compact``: json's C
    encoder), readable names, unsafe characters escaped."""
    # ensure_ascii=False keeps names readable; json escapes C0 controls itself, and these
    # characters only occur inside strings, where a \u escape means the same character.
    text = json.dumps(report, indent=None if compact else 2, ensure_ascii=False)
    return (_UNSAFE.sub(_escape, text) + "\n").encode("utf-8")


__all__ = ["JsonRenderer", "clean_normal", "dumps"]

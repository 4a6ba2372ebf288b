"""The versioned JSON report (``reports.report``) as UTF-8 bytes."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

import msgspec

from checks.result import ScanResult
from reports.i18n import Lang
from reports.localized import with_texts
from reports.render.controls import clean_tree, strip_controls
from reports.report import build_report
from reports.seal import MEMBER, canonical_text, normalized, seal_covered, seal_json

if TYPE_CHECKING:  # cryptography loads only when a key signs (start-up)
    from reports.signing import SigningKey

_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""Characters json leaves raw with ensure_ascii=False that a terminal or an editor acts on: DEL,
the C1 controls (U+009B starts an escape sequence like ESC [), bidi and zero-width marks, and
the line separators JavaScript does not allow in strings."""


_ESCAPED_C0 = re.compile(rb"\\[bfr]|\\u00[01]")
"""A C0 control but tab and newline as json escapes it in a string (or a backslash written
before ``b``, ``f``, ``r``, ``u00``: that only costs the walk)."""
_NOT_LEAD = bytes(range(256)).translate(None, b"\x7f\xc2\xd8\xe2\xef")
"""Every byte but DEL and the UTF-8 lead bytes of the other characters ``strip_controls``
removes (C1 U+0080-009F, U+061C, U+200B-200F, U+2028-202E, U+2060-2069, U+FEFF)."""
_RAW_CONTROL = re.compile(
    rb"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xa9]|\xef\xbb\xbf"
)
"""Those characters in UTF-8 (a lead byte starts a character: no false match inside one)."""
_INTEGRAL = re.compile(rb"\.0[,\]}]")
"""An integral float as json writes it (``66.0``, ``-0.0``; from 1e16 on with ``e+``, looked for
apart: one literal each is a fast search): ``normalized`` writes it as an int (text in a string
that looks like one only costs the walk)."""


def _raw_control(data: bytes) -> bool:
    leads = data.translate(None, _NOT_LEAD)
    if not leads:
        return False
    if len(leads) > 256:  # many dashes and quotes: one pass of the pattern
        return _RAW_CONTROL.search(data) is not None
    for lead in set(leads):
        at = data.find(lead)
        while at >= 0:
            if _RAW_CONTROL.match(data, at):
                return True
            at = data.find(lead, at + 1)
    return False


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
        return sealed(report, self.key, compact=self.compact)

    def _clean_already(self, report: dict[str, Any]) -> bytes | None:
        return _clean_already(report, self.key, self.compact)


def sealed(document: dict[str, Any], key: SigningKey | None, *, compact: bool = False) -> bytes:
    """``document`` cleaned of control characters, sealed (signed with ``key``) and written
    (``dumps``): ``dumps(seal_json(clean_tree(document), key), compact=compact)``, without the
    walks when they would change nothing (``_clean_already``)."""
    try:
        fast = _clean_already(document, key, compact)
    except Exception:  # noqa: BLE001 - the walk below raises what it raises, as it did
        fast = None
    if fast is not None:
        return fast
    return dumps(seal_json(clean_normal(document), key, normal=True), compact=compact)


def _clean_already(document: dict[str, Any], key: SigningKey | None, compact: bool) -> bytes | None:
    """The document written without the cleaning walk when it would change nothing, else None.
    It would change nothing when the canonical text (json's) holds no control character to
    strip (json escapes C0 controls; the others are raw) and no integral float (which
    ``normalized`` writes as an int). Its text is then the canonical form. msgspec writes the
    file (one line, or indented by two as json does) when its sorted text is byte for byte
    json's, so the numbers in the file are the ones sealed; else json does.
    ``tests/reports/test_clean_already_s22.py``. The canonical text is msgspec's sorted one
    where ``_json_sorted`` shows it is json's (8x cheaper), else json's own."""
    body = {k: v for k, v in document.items() if k != MEMBER}
    covered = _json_sorted(body)
    same = covered is not None
    if covered is None:
        covered = canonical_text(body).encode("utf-8")
    if (_ESCAPED_C0.search(covered) or _INTEGRAL.search(covered) or b"e+" in covered
            or _raw_control(covered)):
        return None
    done = seal_covered(body, covered, key)
    if not same:
        try:
            same = msgspec.json.encode(body, order="sorted") == covered
        except (TypeError, ValueError, OverflowError):  # a key or a type it does not take
            same = False
    if same:
        line = msgspec.json.encode(done)
        return (line if compact else msgspec.json.format(line, indent=2)) + b"\n"
    return (json.dumps(done, indent=None if compact else 2, ensure_ascii=False)
            + "\n").encode("utf-8")


def _as_json_writes(text: str) -> float:
    """A float of msgspec's text read back, refused (``ValueError``) when json writes it
    otherwise (``repr``: ``1e+22`` for msgspec's ``1e22``, ``1e-05`` for ``0.00001``)."""
    value = float(text)
    if repr(value) != text:
        raise ValueError(text)
    return value


_READ_BACK = msgspec.json.Decoder(float_hook=_as_json_writes)


def _json_sorted(body: dict[str, Any]) -> bytes | None:
    """``canonical_text(body)`` in UTF-8 written by msgspec, or None when it might differ
    from json's. For the types json takes (str keys, str, int, float, bool, None, list,
    dict; their subclasses) both write the same escapes in the same order (UTF-8 bytes sort
    as code points), and the same numbers except some floats. So the text is read back: every
    float in it must be written as json writes it (``_as_json_writes``), and the values must
    be ``body``'s, which they are not when msgspec wrote what json refuses (a datetime, a set,
    bytes; NaN as null) or a tuple (read back a list: json then writes it, as before).
    ``tests/reports/test_seal_text_s24.py``."""
    try:
        text = msgspec.json.encode(body, order="sorted")
        if _READ_BACK.decode(text) != body:
            return None
    except (TypeError, ValueError, OverflowError):  # msgspec.DecodeError is a ValueError
        return None  # a key or a type msgspec does not take, a lone surrogate, a float
    return text


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


__all__ = ["JsonRenderer", "clean_normal", "dumps", "sealed"]

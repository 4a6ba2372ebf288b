"""The JSON report's writer when msgspec's text is not json's (``_clean_already``'s last line).

A float msgspec writes otherwise (``0.00001`` for json's ``1e-05``) keeps the fast path (nothing
to clean) but the file is written by json, so the numbers in the file are the ones sealed: the
bytes are the walk's, indented or on one line, names kept readable (``ensure_ascii=False``).
A key msgspec does not take (a float) is written by json too, not refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reports.integrity import Outcome, seal_json, verify
from reports.render.json import JsonRenderer, clean_normal, dumps
from tests.reports.test_clean_already_s22 import _KEY

_FALLBACK = (
    {"score": 1e-05, "model": "Pixel ünï"},
    {"x": [2.5e-05, "é", {"b": 1e-07, "a": "😀"}], "n": 3},
    {"k": {2.5: "float key é", 3.5: 0.00001}},
)


def _walked(report: dict[str, Any], compact: bool) -> bytes:
    return dumps(seal_json(clean_normal(report), _KEY, normal=True), compact=compact)


@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("report", _FALLBACK)
def test_the_file_is_the_walk_s_bytes(report: dict[str, Any], compact: bool) -> None:
    renderer = JsonRenderer(key=_KEY, compact=compact)
    assert renderer._clean_already(dict(report)) is not None, "the fast path is not taken"
    written = renderer.render_report(dict(report))
    assert written == _walked(dict(report), compact)
    assert (b"\n  " in written) is not compact
    assert verify(written, [_KEY.private.public_key()]).outcome is Outcome.VALID


@pytest.mark.parametrize("compact", [True, False])
def test_the_numbers_in_the_file_are_the_sealed_ones(compact: bool) -> None:
    written = JsonRenderer(key=_KEY, compact=compact).render_report({"score": 1e-05})
    assert b"1e-05" in written and b"0.00001" not in written
    assert json.loads(written)["score"] == 1e-05

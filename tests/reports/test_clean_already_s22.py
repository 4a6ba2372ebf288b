"""The JSON report without the cleaning walk (``JsonRenderer._clean_already``, session 22): when
the canonical text shows nothing to clean and no number another encoder writes differently, the
report is sealed from that text and written by msgspec (compact) or json (indented). It must
give what the walk gives: the same digest, the same JSON, token for token; on every tree,
hostile strings and odd numbers included; and ``jq`` must print the canonical form it sealed."""

from __future__ import annotations

import enum
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.integrity import Outcome, canonical, seal_json, verify
from reports.render.json import JsonRenderer, clean_normal, dumps
from reports.signing import SigningKey, fingerprint

_HOSTILE = st.sampled_from(
    ["\x1b[31m", "\x1b]0;t\x07", "\x9b2J", "\x00", "\r", "\x7f", "\u202e", "\ufeff", "\t", "\n",
     "\x08", "\x0c", "\\b", "\\u0001", "\u2028", "\u061c", "\x85", "é", "😀", '"', "1e5", "a1e+3"]
)
_TEXT = st.lists(st.one_of(st.text(max_size=6), _HOSTILE), max_size=4).map("".join)
_NUMBER = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.0, -0.0, 1e300, 2.5, 0.0, 66.3, 1e16, 1e-5, 0.0001, 123.25, 1e22]),
)
_LEAF = st.one_of(_TEXT, _NUMBER, st.booleans(), st.none())
_TREE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(_TEXT, inner, max_size=4),
    ),
    max_leaves=30,
)
_PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
_KEY = SigningKey(_PRIVATE, fingerprint(_PRIVATE.public_key()))


def _walked(report: dict[str, Any], renderer: JsonRenderer) -> bytes:
    """What the renderer wrote before session 22: the walk, then json."""
    return dumps(seal_json(clean_normal(report), renderer.key, normal=True),
                 compact=renderer.compact)


def _tokens(data: bytes) -> str:
    """The document's JSON with every number as written (1 and 1.0 differ), one spacing."""
    return json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=400)
@given(st.dictionaries(_TEXT, _TREE, max_size=5), st.booleans(), st.booleans())
def test_the_report_is_what_the_walk_wrote(
    report: dict[str, Any], compact: bool, signed: bool
) -> None:
    renderer = JsonRenderer(None, _KEY if signed else None, compact=compact)
    written = renderer.render_report(dict(report))
    before = _walked(dict(report), renderer)
    if compact:
        assert _tokens(written) == _tokens(before)
    else:
        assert written == before
    seal = json.loads(written)["integrity"]
    assert seal == json.loads(before)["integrity"]
    assert seal["sha256"] == hashlib.sha256(canonical(json.loads(written))).hexdigest()


class _Status(enum.StrEnum):
    FAIL = "fail"
    BAD = "fail\x1b[0m"


class _Code(enum.IntEnum):
    TWO = 2


@pytest.mark.parametrize("compact", [True, False])
def test_subclasses_keys_and_odd_numbers_as_the_walk(compact: bool) -> None:
    renderer = JsonRenderer(compact=compact)
    for report in (
        {"s": _Status.FAIL, _Status.FAIL: [_Code.TWO, (1, 2)], "n": 2.5},
        {"s": _Status.BAD},
        {"k": {1: "int key", 2.5: "float key", 1e16: "exp key"}},
        {"score": 66.0}, {"score": -0.0}, {"score": 1e16}, {"score": 1e-5},
        {"big": 2**80, "neg": -(2**64)},
        {"n": "text with \\b and \\u0001 written in it"},
    ):
        written = renderer.render_report(dict(report))
        assert _tokens(written) == _tokens(_walked(dict(report), renderer))


def test_what_cannot_be_written_still_fails() -> None:
    renderer = JsonRenderer(compact=True)
    for report in ({"x": float("nan")}, {"x": {"a", "b"}}, {"x": "\ud800"}):
        with pytest.raises((ValueError, TypeError, UnicodeEncodeError)):
            renderer.render_report(report)


def test_the_walk_is_skipped_only_when_nothing_needs_it() -> None:
    """The fast path is what a plain report takes (or the speed-up is not there), and a string
    with a control character or an integral float does take the walk."""
    renderer = JsonRenderer(compact=True)
    assert renderer._clean_already({"model": "Pixel 8", "score": 66.3, "n": [1, 2]}) is not None
    for odd in ({"model": "Pixel\x1b[31m"}, {"model": "a\u202e"}, {"score": 66.0},
                {"x": 1e16}, {"m": "a\x7f"}, {"m": "\r"}):
        assert renderer._clean_already(odd) is None
    cleaned = json.loads(renderer.render_report({"model": "Pixel\x1b[31m 8", "score": 66.0}))
    assert cleaned["model"] == "Pixel 8" and cleaned["score"] == 66
    assert type(cleaned["score"]) is int


def test_a_scanned_phone_s_report_skips_the_walk() -> None:
    from checks.policy import Policy
    from reports.report import build_report
    from scanner.app.scan import scan_result
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build
    from scanner.replay import ReplayTransport

    rec = build(large_phone(30, 2), model="Pixel 8", product="shiba", device="shiba")
    report = build_report(scan_result(ReplayTransport(rec), Policy()))
    renderer = JsonRenderer(compact=True, key=_KEY)
    assert renderer._clean_already(dict(report)) is not None
    written = renderer.render_report(dict(report))
    assert _tokens(written) == _tokens(_walked(dict(report), renderer))
    assert verify(written, [_KEY.private.public_key()]).outcome is Outcome.VALID


def test_jq_prints_the_canonical_form_of_a_compact_report(tmp_path: Path) -> None:
    jq = shutil.which("jq")
    if not jq:
        if os.environ.get("CI") == "true":
            pytest.fail("jq must be installed in CI (.ci/run)")
        pytest.skip("jq is not installed")
    report = {"summary": {"score": 66.3, "n": 2**52}, "model": "Pixel 8 ünï 😀 \\ \" \t\n",
              "list": [0.1, 1.5e-3, 12345.678, -2.5, True, None]}
    data = JsonRenderer(compact=True, key=_KEY).render_report(report)
    assert JsonRenderer(compact=True)._clean_already(dict(report)) is not None
    (tmp_path / "r.json").write_bytes(data)
    printed = subprocess.run([jq, "-cSj", "del(.integrity)", str(tmp_path / "r.json")],
                             capture_output=True, check=True).stdout
    assert hashlib.sha256(printed).hexdigest() == json.loads(data)["integrity"]["sha256"]
    assert verify(data, [_KEY.private.public_key()]).outcome is Outcome.VALID


@settings(max_examples=200)
@given(st.dictionaries(_TEXT, _TREE, max_size=5))
def test_sealed_is_what_the_fleet_summary_wrote(document: dict[str, Any]) -> None:
    """``sealed`` (the fleet summary's writer since session 22) gives the bytes of what it
    wrote before: ``dumps(seal_json(clean_tree(summary), key))``, indented by two."""
    from reports.render.controls import clean_tree
    from reports.render.json import sealed

    assert sealed(dict(document), _KEY) == dumps(seal_json(clean_tree(dict(document)), _KEY))

"""The seal's canonical text written by msgspec (``reports.render.json._json_sorted``, session
24): where it is used, it is byte for byte json's sorted text (``canonical_text``), which
defines the canonical form; where it might not be (a float json writes otherwise, a value json
refuses or writes from another type), it is not used and json writes it, as before."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import random
import struct
import sys
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from msgspec import Struct

from reports import integrity
from reports.integrity import canonical_text
from reports.render.json import JsonRenderer, _json_sorted
from reports.signing import SigningKey, fingerprint

_PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
_KEY = SigningKey(_PRIVATE, fingerprint(_PRIVATE.public_key()))

_TEXT = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["\x1b[31m", "\x00", "\x7f", "\u2028", "\ufeff", "\U0001f600", "\uffff",
                     '"', "\\", "\t\n\r\x08\x0c", "é", "a:1e5", ",1e5", "[0.00001"]),
)
_FLOAT = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e22, 1e16, 1e-5, 1.5e-7, 0.0001, 0.00012, 5e-324, 1.7976931348623157e308,
                     -0.0, 66.0, 2.5, 1e15, 123456789012345.6, 9999999999999998.0]),
)
_LEAF = st.one_of(_TEXT, _FLOAT, st.integers(), st.integers(min_value=-(2**80), max_value=2**80),
                  st.booleans(), st.none())
_TREE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=30,
)


def _json(body: dict[str, Any]) -> bytes:
    return canonical_text(body).encode("utf-8")


@settings(max_examples=600)
@given(st.dictionaries(_TEXT, _TREE, max_size=6))
def test_msgspec_s_text_is_json_s_or_not_used(body: dict[str, Any]) -> None:
    try:
        expected = _json(body)
    except (ValueError, UnicodeEncodeError):
        assert _json_sorted(body) is None
        return
    text = _json_sorted(body)
    assert text is None or text == expected


def test_every_float_it_writes_is_written_as_json_writes_it() -> None:
    """A million random bit patterns (every exponent) and decimal-looking values: a float is
    either written as json writes it or the text is not used."""
    rng = random.Random(24)
    used = 0
    values = [struct.unpack("d", rng.randbytes(8))[0] for _ in range(300_000)]
    values += [rng.random() * 10 ** rng.randint(-9, 22) for _ in range(100_000)]
    values += [round(rng.uniform(-1000, 1000), rng.randint(0, 7)) for _ in range(100_000)]
    for value in values:
        if value != value or value in (float("inf"), float("-inf")):
            continue
        body = {"v": [value]}
        text = _json_sorted(body)
        if text is not None:
            used += 1
            assert text == _json(body), value
    assert used > 200_000  # the plain floats (a score, a duration) do take it


class _Status(enum.StrEnum):
    FAIL = "fail"


class _Code(enum.IntEnum):
    TWO = 2


class _Point(Struct):
    x: int


@pytest.mark.parametrize(
    "value",
    [datetime.datetime(2026, 12, 3, 6, 0), datetime.date(2026, 12, 3), {"a", "b"}, frozenset(),
     b"bytes", bytearray(b"x"), uuid.UUID(int=1), decimal.Decimal("1.5"), _Point(1), (1, 2),
     float("nan"), float("inf"), "\ud800", {1: "int key"}, {None: 1}],
)
def test_what_json_refuses_or_writes_from_another_type_is_left_to_json(value: object) -> None:
    assert _json_sorted({"x": value}) is None


def test_subclasses_json_writes_as_their_base_are_written_alike() -> None:
    body: dict[str, Any] = {"s": _Status.FAIL, _Status.FAIL: [_Code.TWO, True], "n": 2.5}
    assert _json_sorted(body) == _json(body)


def test_a_scanned_phone_s_report_is_sealed_from_msgspec_s_text() -> None:
    """The speed-up is there: a 30-package phone's report (hex digests with ``:0E``, a score)
    takes it, and its seal verifies."""
    from checks.policy import Policy
    from reports.report import build_report
    from scanner.app.scan import scan_result
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build
    from scanner.replay import ReplayTransport

    rec = build(large_phone(30, 2), model="Pixel 8", product="shiba", device="shiba")
    report = build_report(scan_result(ReplayTransport(rec), Policy()))
    body = {k: v for k, v in report.items() if k != integrity.MEMBER}
    assert _json_sorted(body) == _json(body)
    written = JsonRenderer(compact=True, key=_KEY).render_report(dict(report))
    assert integrity.verify(written, [_KEY.private.public_key()]).outcome is integrity.Outcome.VALID
    assert json.loads(written)["integrity"]["sha256"] == integrity.digest(
        integrity.canonical(json.loads(written))
    )


def test_the_digest_is_the_same_with_or_without_hashlib(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    data = bytes(range(256)) * 500
    with_hashlib = integrity.digest(data)
    monkeypatch.delitem(sys.modules, "hashlib")
    assert integrity.digest(data) == with_hashlib == hashlib.sha256(data).hexdigest()
    assert integrity.digest(b"") == hashlib.sha256(b"").hexdigest()

"""``clean_normal``: the JSON report's one walk must give what the two it replaced gave
(``normalized(clean_tree(...))``), on every tree, hostile strings and odd numbers included."""

from __future__ import annotations

import enum
import hashlib
import json
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reports.integrity import canonical, normalized
from reports.render.controls import clean_tree
from reports.render.json import JsonRenderer, clean_normal

_HOSTILE = st.sampled_from(
    ["\x1b[31m", "\x1b]0;t\x07", "\x9b2J", "\x00", "\r", "\x7f", "\u202e", "\ufeff", "\t", "\n"]
)
_TEXT = st.lists(st.one_of(st.text(max_size=6), _HOSTILE), max_size=4).map("".join)
_NUMBER = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.0, -0.0, 1e300, 2.5, 0.0]),
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


def _same(a: Any, b: Any) -> None:
    """Equal as JSON: 1 and 1.0 are == in Python, not in the text a digest covers."""
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


@given(_TREE)
def test_one_walk_gives_what_the_two_gave(tree: Any) -> None:
    _same(clean_normal(tree), normalized(clean_tree(tree)))


@given(st.dictionaries(_TEXT, _TREE, max_size=5))
def test_the_sealed_digest_is_the_one_of_the_two_walks(report: dict[str, Any]) -> None:
    rendered = json.loads(JsonRenderer(compact=True).render_report(dict(report)))
    expected = normalized(clean_tree({k: v for k, v in report.items() if k != "integrity"}))
    assert rendered["integrity"]["sha256"] == hashlib.sha256(canonical(expected)).hexdigest()


class _Status(enum.StrEnum):
    BAD = "fail\x1b[0m"


def test_subclasses_and_odd_values_are_cleaned_as_before() -> None:
    tree = {_Status.BAD: [_Status.BAD, 3.0, True, math.inf, ("a\x00", 2.0)], 4.0: "x"}
    _same(clean_normal(tree), normalized(clean_tree(tree)))
    out = clean_normal(tree)
    assert out == {"fail": ["fail", 3, True, math.inf, ["a", 2]], 4.0: "x"}
    assert type(out["fail"][1]) is int and type(out["fail"][2]) is bool

"""``reports.report._plain`` (session 22) takes an exact dict, list or tuple first: the evidence
data of a report must come out as the order of tests it replaced gave it, on every value."""

from __future__ import annotations

import enum
import json
import math
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec import Struct

from checks.facts import Unseen
from reports import report
from reports.report import _plain


def _before(value: Any) -> Any:
    """``_plain`` as it was before session 22 (its own recursion, the old order of tests)."""
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, Unseen):
        return report._unseen(value)
    if isinstance(value, datetime):
        return report._iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _before(value.value)
    if isinstance(value, Struct):
        return {name: _before(getattr(value, name)) for name in value.__struct_fields__}
    if isinstance(value, Mapping):
        return {str(k): _before(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, frozenset | set):
        return sorted((_before(v) for v in value), key=str)
    if isinstance(value, tuple | list):
        return [_before(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class _Kind(enum.StrEnum):
    A = "a"


class _Level(enum.IntEnum):
    ONE = 1


class _Point(Struct, frozen=True):
    x: int
    label: str


_LEAF = st.one_of(
    st.text(max_size=5), st.integers(), st.booleans(), st.none(),
    st.floats(), st.sampled_from([_Kind.A, _Level.ONE, _Point(1, "p"), date(2026, 1, 2),
                                  datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                                  datetime(2026, 1, 2, 3, 4, 5), b"raw", 1j]),
)
_TREE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), inner, max_size=4),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(OrderedDict),
        st.frozensets(st.one_of(st.text(max_size=3), st.integers()), max_size=3),
    ),
    max_leaves=25,
)


@settings(max_examples=500)
@given(_TREE)
def test_plain_gives_what_it_gave(value: Any) -> None:
    assert json.dumps(_plain(value), sort_keys=False) == json.dumps(_before(value))

"""Values of the facts model as plain JSON data (``reports.report``'s evidence and members):
dates ISO 8601, enums by value, Structs and mappings as objects with sorted string keys."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from msgspec import Struct

from checks.facts import Unseen

UNSEEN = "unseen"
"""The member naming why a fact is unknown: ``{"unseen": "<reason>"}`` (``reports.report``)."""


def unseen(fact: Unseen) -> dict[str, str]:
    return {UNSEEN: fact.reason}


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_LEAVES = frozenset({str, int, bool})


def _by_key(item: tuple[Any, Any]) -> str:
    return str(item[0])


def plain(value: Any) -> Any:
    """Evidence data as JSON: dates ISO, enums by value, mappings with sorted string keys."""
    kind = type(value)
    if value is None or kind in _LEAVES:  # most values, first (not a str or int enum)
        return value
    if kind is dict:  # exactly a dict (not one of the types below): as Mapping does, at once
        # the keys sorted by their text as the items are by ``_by_key`` (a stable sort: the
        # same order), without a tuple and a call per item
        return {str(k): plain(value[k]) for k in sorted(value, key=str)}
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if isinstance(value, Unseen):
        return unseen(value)
    if isinstance(value, datetime):
        return iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, Struct):  # the facts model's values (checks/)
        return {name: plain(getattr(value, name)) for name in value.__struct_fields__}
    if hasattr(type(value), "__dataclass_fields__"):  # a dataclass instance: its module is
        import dataclasses  # loaded already; a scan has none (start-up: no ``dataclasses``)

        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=_by_key)}
    if isinstance(value, frozenset | set):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and Infinity are not JSON
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


__all__ = ["UNSEEN", "iso", "plain", "unseen"]

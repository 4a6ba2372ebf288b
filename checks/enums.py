"""Bases for msgscan's enums that the interpreter builds in about half the instructions
(issue 18 item 1: 16 enums cost a replay's start-up ~10 M instructions; bench/RESULTS.md,
"Start-up", session 27).

``class Status(FastEnum):`` gives exactly the class ``class Status(enum.Enum):`` gives: the
standard library's ``enum._simple_enum`` builds it from the plain class body, the way CPython
builds its own enums (``re.RegexFlag``, ``http.HTTPStatus``), without ``EnumType``'s checks per
member. The result is an ``enum.Enum`` (or ``enum.IntEnum``) whose base is that class, not
``FastEnum``: its members, their order, values, aliases, methods, ``repr``, pickling and
``Status("pass")`` are the ones ``enum.Enum`` makes, which ``enum._test_simple_enum`` (the
standard library's own check of a simple enum against one built the usual way) confirms for
every enum of msgscan in ``tests/checks/test_fast_enums_s27.py``. A type checker sees
``enum.Enum`` itself.

What the plain build does not check, the tests do: a member name given twice in one body
(``enum.Enum`` refuses it; a plain body keeps the last), ``_sunder_`` names, ``auto()``. A
Python without ``enum._simple_enum`` (a private helper of 3.11 to 3.13) builds the usual way.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

__all__ = ["BODIES", "FastEnum", "FastIntEnum"]

BODIES: dict[type, dict[str, Any]] = {}
"""Each enum built here, with the class body it was built from (the tests build its twin)."""

_simple: Any = getattr(enum, "_simple_enum", None)
_ROOTS: dict[type, type] = {}
"""``FastEnum`` -> ``enum.Enum``, ``FastIntEnum`` -> ``enum.IntEnum``."""


class _Builder(enum.EnumType):
    """The metaclass of ``FastEnum``'s subclasses' class statements (module docstring)."""

    @classmethod
    def __prepare__(  # type: ignore[override]  # a plain dict for a simple enum's body
        metacls, cls: str, bases: tuple[type, ...], **kwds: Any
    ) -> Any:
        if _simple is not None and bases and bases[0] in _ROOTS:
            return {}
        return enum.EnumType.__prepare__(cls, bases, **kwds)

    def __new__(metacls, name: str, bases: tuple[type, ...], body: Any, **kwds: Any) -> Any:
        if _simple is None or not bases or bases[0] not in _ROOTS:
            if bases and bases[0] in _ROOTS:  # no _simple_enum: the usual way
                bases = (_ROOTS[bases[0]], *bases[1:])
                return enum.EnumType.__new__(enum.EnumType, name, bases, body, **kwds)
            return super().__new__(metacls, name, bases, body, **kwds)
        if len(bases) != 1 or kwds:
            raise TypeError(f"{name}: a FastEnum has one base and no keywords")
        made = _simple(_ROOTS[bases[0]])(type(name, (), dict(body)))
        BODIES[made] = dict(body)
        return made


if TYPE_CHECKING:
    from enum import Enum as FastEnum
    from enum import IntEnum as FastIntEnum
else:

    class FastEnum(enum.Enum, metaclass=_Builder):
        """Base of an enum built as ``enum.Enum`` would build it (module docstring)."""

    class FastIntEnum(enum.IntEnum, metaclass=_Builder):
        """Base of an enum built as ``enum.IntEnum`` would build it (module docstring)."""

    _ROOTS[FastEnum] = enum.Enum
    _ROOTS[FastIntEnum] = enum.IntEnum

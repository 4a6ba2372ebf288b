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


class _Builder(type):
    """The metaclass of ``FastEnum`` and ``FastIntEnum`` (plain classes: a subclass's class
    statement is turned into the enum, ``_ROOTS[base]``'s subclass, module docstring)."""

    @classmethod
    def __prepare__(metacls, name: str, bases: tuple[type, ...], /, **kwds: Any) -> Any:
        if _simple is None:  # no _simple_enum: the usual way
            return enum.EnumType.__prepare__(name, _usual(name, bases), **kwds)
        return {}

    def __new__(metacls, name: str, bases: tuple[type, ...], body: Any, /, **kwds: Any) -> Any:
        root = _usual(name, bases)[0]
        if kwds or _simple is None:
            return enum.EnumType(name, (root,), body, **kwds)
        if any(key[:1] != "_" and key in vars(base) for base in root.__mro__ for key in body):
            # a name a base defines (``name``, ``value``): enum.Enum's redirects, the usual way
            usual = enum.EnumType.__prepare__(name, (root,))
            for key, value in body.items():
                usual[key] = value
            return enum.EnumType(name, (root,), usual)
        made = _simple(root)(_Body(dict(body)))
        for key, member in made._member_map_.items():
            # enum.Enum keeps each member in the class's dict (``Status.PASS`` a dict look-up);
            # _simple_enum leaves a redirect that looks it up in ``_member_map_`` each time
            type.__setattr__(made, key, member)
        if body.get("__doc__") is None:
            made.__doc__ = None  # as enum.Enum leaves it (_simple_enum writes "An enumeration.")
        BODIES[made] = dict(body)
        return made


class _Body:
    """What ``enum._simple_enum`` reads of the class it converts, its name and its dict, without
    building that class (a class costs ~55,000 instructions)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.__dict__ = body

    @property
    def __name__(self) -> str:
        qualname: str = self.__dict__["__qualname__"]
        return qualname.rpartition(".")[2]


def _usual(name: str, bases: tuple[type, ...]) -> tuple[type, ...]:
    """The bases ``enum.Enum`` would build ``name`` on: the root's enum type, alone."""
    if len(bases) != 1 or bases[0] not in _ROOTS:
        raise TypeError(f"{name}: a FastEnum or FastIntEnum subclass has it as its only base")
    return (_ROOTS[bases[0]],)


if TYPE_CHECKING:
    from enum import Enum as FastEnum
    from enum import IntEnum as FastIntEnum
else:
    FastEnum = type.__new__(_Builder, "FastEnum", (), {"__module__": __name__})
    FastIntEnum = type.__new__(_Builder, "FastIntEnum", (), {"__module__": __name__})
    _ROOTS[FastEnum] = enum.Enum
    _ROOTS[FastIntEnum] = enum.IntEnum

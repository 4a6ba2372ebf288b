"""Reading a TOML settings file strictly: the part the policy file and the agent config share.

Pure (it gets bytes, not a path). A subclass says how a problem is raised (``fail``: which error
class, how the key is named) and what its syntax hint is; every message names the key and what
was wrong, and refuses misspelt keys rather than ignoring them.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Mapping
from datetime import date, datetime, time
from typing import NoReturn, TypeVar

_T = TypeVar("_T")
_POSITION = re.compile(r"(?P<msg>.*?) \(at (?P<where>line \d+, column \d+|end of document)\)")

REQUIRED = object()
"""``get(..., default=REQUIRED)``: the key must be there."""
EXPECTED = {
    bool: "true or false",
    int: "an integer",
    str: "a string",
    date: "a date",
    list: "a list of strings",
}
EXAMPLE = {bool: "true", int: "90", str: '"..."', date: "2026-12-31", list: '["..."]'}


def describe(value: object) -> str:
    """A value as the message shows what was found ("got 'yes'", "got a table")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, datetime):
        return f"{value.isoformat()} (a date with a time)"
    if isinstance(value, date | time):
        return f"{value.isoformat()} (a {type(value).__name__})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def is_kind(value: object, kind: type) -> bool:
    if kind is int:  # TOML's true is a bool, but Python's bool is an int
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is date:  # and a date with a time is a date
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, kind)


def did_you_mean(word: str, choices: Collection[str]) -> str:
    by_case = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(by_case), n=1)
    return f"did you mean {by_case[close[0]]}? " if close else ""


class TomlReader:
    syntax_hint = (
        "strings need quotes, numbers and true/false do not, and each [table] appears once"
    )

    def fail(self, key: str, problem: str, hint: str) -> NoReturn:
        raise NotImplementedError

    def load(self, data: bytes) -> dict[str, object]:
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")  # a BOM from Windows editors
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            self.fail(
                f"line {line}",
                f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
                "save the file as UTF-8: TOML requires it (umlauts are fine in UTF-8)",
            )
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            m = _POSITION.fullmatch(str(e))
            where, msg = (m["where"], m["msg"]) if m else ("somewhere", str(e))
            self.fail(where, f"not valid TOML: {msg}", self.syntax_hint)

    def table(
        self, value: object, key: str, allowed: Collection[str] | None, form: str | None = None
    ) -> dict[str, object]:
        if not isinstance(value, dict):
            self.fail(
                key, f"got {describe(value)}, expected a table", f"write it as {form or f'[{key}]'}"
            )
        for k in value:
            if allowed is not None and k not in allowed:
                self.fail(
                    f"{key}.{k}",
                    f"unknown key {k}; known: {', '.join(allowed)}",
                    f"{did_you_mean(k, allowed)}a misspelt key would be silently ignored,"
                    " so msgscan refuses it",
                )
        return value

    def get(
        self,
        table: Mapping[str, object],
        key: str,
        kind: type[_T],
        default: object,
        example: object = None,
    ) -> _T:
        """``table[key]`` of ``kind``; ``example``: the value the hint shows (else one of
        ``kind``'s, which may be outside the key's range)."""
        name = key.rpartition(".")[2]
        hint = f"write {name} = {EXAMPLE[kind] if example is None else example}"
        if kind is date:
            hint += " (a TOML date: no quotes, no time)"
        if name not in table:
            if default is REQUIRED:
                self.fail(key, "missing", hint)
            return default  # type: ignore[return-value]
        value = table[name]
        if not is_kind(value, kind):
            if isinstance(value, str) and kind in (int, bool, date):
                hint = f"remove the quotes: {hint}"
            self.fail(key, f"got {describe(value)}, expected {EXPECTED[kind]}", hint)
        return value  # type: ignore[return-value]

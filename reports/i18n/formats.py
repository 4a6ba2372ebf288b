"""Numbers, sizes and dates as each language writes them (Babel's CLDR data).

"61.7 / 100", "150.2 MiB", "2026-11-20" in English; "61,7 / 100", "150,2 MiB", "20.11.2026" in
German; a moment "2026-11-20T09:30:00Z" in English, "20.11.2026, 09:30:00 UTC" in German. English
dates stay ISO 8601, as the JSON report and the evidence have always written them.

Babel is imported where a number or German date is written, not with this module: a scan whose
report writes none (an English JSON report) does not load it (start-up, issue 18).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from reports.i18n.texts import Lang

_LOCALES = {Lang.EN: "en_US", Lang.DE: "de_DE"}
_UNITS = ("B", "KiB", "MiB", "GiB")


def number(value: float, lang: Lang, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals (trailing zeros kept): "61,7" in German."""
    from babel.numbers import format_decimal  # deferred: see the module docstring

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=_LOCALES[lang])


def count(value: int, lang: Lang) -> str:
    """A whole number with the language's grouping: "1,234" / "1.234"."""
    from babel.numbers import format_decimal  # deferred: see the module docstring

    return format_decimal(value, "#,##0", locale=_LOCALES[lang])


def size(n: int, lang: Lang) -> str:
    """Bytes in binary units, one decimal (bytes whole): "150,2 MiB" in German."""
    value = float(n)
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            return f"{number(value, lang, 0 if unit == 'B' else 1)} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def day(value: date | datetime | str, lang: Lang) -> str:
    """A calendar day: ISO in English, "20.11.2026" in German; text that is no date stays."""
    if isinstance(value, str):
        try:
            when = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        when = value.date() if isinstance(value, datetime) else value
    if lang is Lang.EN:
        return when.isoformat()
    from babel.dates import format_date  # deferred: German only

    return format_date(when, "dd.MM.yyyy", locale=_LOCALES[lang])


def moment(value: str, lang: Lang) -> str:
    """A time of the report (ISO 8601 in UTC, "2026-11-20T09:30:00Z"): as it is in English,
    "20.11.2026, 09:30:00 UTC" in German; text that is no such time stays."""
    if lang is Lang.EN:
        return value
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if when.utcoffset() != timedelta(0):
        return value
    return f"{day(when, lang)}, {when:%H:%M:%S} UTC"


__all__ = ["count", "day", "moment", "number", "size"]

"""When the agent's rounds run: ``[schedule]`` durations and cron lines, and the APScheduler
trigger built from them.

A cron line is read by APScheduler itself (``CronTrigger.from_crontab``), so a schedule that loads
is one the scheduler runs. Two things crontab users expect are kept on top of it:

- the day of the week counts as crontab counts (0 or 7 = Sunday, 1-5 = Monday to Friday).
  APScheduler 3 counts Monday as 0 (its docs for ``from_crontab``, issue 286), so this field is
  read with APScheduler's own expression classes against crontab's numbering and handed to the
  trigger as names;
- when both day fields are restricted, crontab runs when either matches and ``CronTrigger`` only
  when both do: such a line becomes two triggers joined by ``OrTrigger``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from checks.toml_reader import describe
from scanner.endpoints import InvalidValue

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

# APScheduler is imported where a cron line or a trigger needs it, not with this module: it
# costs about 0.1 s at start-up (tzlocal, zoneinfo), and an interval schedule, "msgscan agent
# --once" and "msgscan scan --send" never need it.

__all__ = [
    "MAX_DURATION",
    "Cron",
    "Interval",
    "background",
    "parse_cron",
    "parse_duration",
    "trigger",
]

MAX_DURATION = timedelta(days=366)
_DURATION = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
_DURATION_HINT = 'write e.g. "90s", "15m", "6h", "1d" or "1h30m", or whole seconds without quotes'
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FIELDS = (  # crontab's name, APScheduler's, lowest, highest, what names it takes
    ("minute", "minute", 0, 59, ""),
    ("hour", "hour", 0, 23, ""),
    ("day of month", "day", 1, 31, ""),
    ("month", "month", 1, 12, " or jan-dec"),
)
_FIELDS_HINT = "fields: minute hour day-of-month month day-of-week"
_SHORTCUTS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Interval:
    """A round every ``every`` (APScheduler 3: ``IntervalTrigger(seconds=...)``)."""

    every: timedelta


@dataclass(frozen=True, slots=True)
class Cron:
    """A 5-field crontab schedule, read in the machine's local time zone; see ``parse_cron``."""

    expression: str
    """As written, whitespace collapsed to single spaces."""
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    """Days of the month, 1 to 31."""
    months: frozenset[int]
    weekdays: frozenset[int]
    """0 = Sunday to 6 = Saturday, as crontab counts (7 is folded into 0)."""

    def apscheduler_fields(self) -> tuple[dict[str, str], ...]:
        """Keyword arguments for APScheduler 3's ``CronTrigger``, one dict per trigger.

        Two dicts (combine them with ``OrTrigger``) when both day fields are restricted.
        Weekdays are passed as names (Monday first), the other fields as crontab wrote them.
        """
        minute, hour, day, month, weekday = self.expression.split()
        common = {"minute": minute, "hour": hour, "month": month}
        order = sorted(self.weekdays, key=lambda d: (d - 1) % 7)  # Monday first, Sunday last
        weekdays = "*" if weekday == "*" else ",".join(_WEEKDAYS[d] for d in order)
        if not day.startswith("*") and not weekday.startswith("*"):
            return (common | {"day": day}, common | {"day_of_week": weekdays})
        return (common | {"day": day, "day_of_week": weekdays},)


def parse_duration(value: object) -> timedelta:
    """Whole seconds (an int) or "90s", "15m", "6h", "1d", "1h30m"; raises InvalidValue."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        text = value.strip()  # units in lower case only: M would read as months
        m = _DURATION.fullmatch(text)
        if text.isdigit():
            raise InvalidValue(
                f"{describe(value)} has no unit", hint=f"write {text} without quotes, or {text}s"
            )
        if not text or not m:
            raise InvalidValue(f"{describe(value)} is not a duration", hint=_DURATION_HINT)
        d, h, mi, s = (int(m[k] or 0) for k in "dhms")
        seconds = ((d * 24 + h) * 60 + mi) * 60 + s
    else:
        raise InvalidValue(f"got {describe(value)}, expected a duration", hint=_DURATION_HINT)
    if not 0 <= seconds <= MAX_DURATION.total_seconds():
        raise InvalidValue(
            f"got {describe(value)}, expected 0 s to 366 days", hint="durations are not negative"
        )
    return timedelta(seconds=seconds)


def parse_cron(text: str) -> Cron:
    """A 5-field crontab expression (Vixie/cronie syntax), as APScheduler reads it; raises
    InvalidValue naming the field that is wrong.

    Each field is ``*`` or a list of numbers and ranges, each with an optional ``/step``;
    months and weekdays may be named (jan, mon); Sunday is 0 or 7. A day of the month that no
    listed month has (30 in February) is refused: such a schedule never runs.
    """
    fields = text.split()
    if text.strip().lower() in _SHORTCUTS:
        raise InvalidValue(
            f"{describe(text)}: @ shortcuts are not supported",
            hint=f'write the five fields: cron = "{_SHORTCUTS[text.strip().lower()]}"',
        )
    if len(fields) != 5:
        raise InvalidValue(
            f"{describe(text)} has {len(fields)} fields, expected 5 "
            "(minute hour day-of-month month day-of-week)",
            hint='e.g. cron = "0 7 * * 1-5" (07:00 on weekdays); no seconds, no years',
        )
    minutes, hours, days, months = (_field(fields, i, *spec) for i, spec in enumerate(_FIELDS))
    weekdays = _weekdays(fields[4])
    only_days_count = not fields[2].startswith("*") and fields[4].startswith("*")
    if only_days_count and not any(d <= _MONTH_DAYS[m - 1] for d in days for m in months):
        raise InvalidValue(
            f"{describe(text)} never runs: none of its months has such a day",
            hint="pick days every listed month has, or use day-of-week",
        )
    cron = Cron(" ".join(fields), minutes, hours, days, months, weekdays)
    from apscheduler.triggers.cron import CronTrigger

    for kwargs in cron.apscheduler_fields():  # the triggers the agent will run
        try:
            CronTrigger(**kwargs, timezone=UTC)
        except ValueError as e:
            raise InvalidValue(
                f"APScheduler refuses {describe(text)}: {e}",
                hint='write a plain 5-field line such as "0 7 * * 1-5"',
            ) from None
    return cron


def trigger(schedule: Interval | Cron, jitter: timedelta) -> BaseTrigger:
    """The APScheduler trigger of ``[schedule]``: an interval, or the cron line's trigger(s)."""
    from apscheduler.triggers.combining import OrTrigger
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    seconds = int(jitter.total_seconds()) or None
    if isinstance(schedule, Interval):
        return IntervalTrigger(seconds=schedule.every.total_seconds(), jitter=seconds)
    parts = [CronTrigger(**kw, jitter=seconds) for kw in schedule.apscheduler_fields()]
    return parts[0] if len(parts) == 1 else OrTrigger(parts)


def background(schedule: Interval | Cron, jitter: timedelta, job: Any) -> Any:
    """A daemon APScheduler ``BackgroundScheduler`` (not started) that calls ``job`` on the
    schedule; a late run is coalesced and never overlaps the one before (``max_instances``)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(job, trigger(schedule, jitter), id="round", coalesce=True, max_instances=1)
    return scheduler


def _field(
    fields: list[str], index: int, name: str, key: str, low: int, high: int, names: str
) -> frozenset[int]:
    """One field read by ``CronTrigger.from_crontab`` (the others left at ``*``), expanded."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.cron.expressions import (
        AllExpression,
        MonthRangeExpression,
        RangeExpression,
    )

    text = fields[index]
    line = " ".join(text if i == index else "*" for i in range(5))
    hint = f"the {name} field takes {low}-{high}{names}; {_FIELDS_HINT}"
    try:
        parsed = CronTrigger.from_crontab(line, timezone=UTC)
    except ValueError as e:
        why = re.sub(r"^Error validating expression '[^']*': ", "", str(e))
        raise InvalidValue(f"{name} {describe(text)}: {why}", hint=hint) from None
    (field,) = (f for f in parsed.fields if f.name == key)
    values: set[int] = set()
    for expr in field.expressions:
        if type(expr) not in (
            AllExpression,
            RangeExpression,
            MonthRangeExpression,
        ):  # not APScheduler's extras ("last", "2nd fri")
            raise InvalidValue(f"{name} {describe(text)} is not crontab syntax", hint=hint)
        values.update(_expand(expr, low, high))
    return frozenset(values)


def _expand(expr: Any, low: int, high: int) -> range:
    """The values of APScheduler's ``AllExpression`` or ``RangeExpression`` ``expr``."""
    step = expr.step or 1
    if getattr(expr, "first", None) is not None:
        last = high if expr.last is None else expr.last
        return range(expr.first, last + 1, step)
    return range(low, high + 1, step)


def _weekdays(text: str) -> frozenset[int]:
    """The day-of-week field in crontab's numbering (0-7, Sunday is 0 and 7), names allowed."""
    from apscheduler.triggers.cron.expressions import AllExpression, RangeExpression

    hint = f"the day of week field takes 0-7 or sun-sat (Sunday is 0 or 7); {_FIELDS_HINT}"

    def number(match: re.Match[str]) -> str:
        word = match[0].lower()
        if word not in _WEEKDAYS:
            raise InvalidValue(
                f"day of week {describe(match[0])} is not 0 to 7 or sun-sat", hint=hint
            )
        return str(_WEEKDAYS.index(word))

    values: set[int] = set()
    for item in text.split(","):
        numeric = re.sub(r"[A-Za-z]+", number, item)
        compiled: Any = None
        for kind in (AllExpression, RangeExpression):
            if m := kind.value_re.match(numeric):
                try:
                    compiled = kind(**m.groupdict())
                except ValueError as e:
                    backwards = "Sunday is also 7: write mon-7 for Monday to Sunday"
                    raise InvalidValue(
                        f"day of week {describe(item)}: {e}",
                        hint=backwards if "range" in str(e) else hint,
                    ) from None
                break
        if compiled is None:
            raise InvalidValue(
                f"day of week {describe(item)} is not a number, range or *", hint=hint
            )
        if isinstance(compiled, RangeExpression) and max(compiled.first, compiled.last or 0) > 7:
            raise InvalidValue(f"day of week {describe(item)} is not 0 to 7 or sun-sat", hint=hint)
        values.update(d % 7 for d in _expand(compiled, 0, 7))
    return frozenset(values)

"""Read the fleet agent's config (TOML) into an ``AgentConfig``; see ``agent.example.toml``.

Pure: the caller reads the bytes, this module judges them. Every mistake is an
``AgentConfigError`` naming the file, the key path (``scan.timeout``, ``tcp.endpoints[2]``; lists
count from 0) and the problem, with a hint, in the style of ``checks.policy_file``. Unknown tables
and keys are refused with "did you mean": a misspelt key would silently leave a default in force.

``[destinations.<name>]`` tables (SIEM delivery) are kept as raw TOML tables and checked here by
``reports.deliver.settings.parse_destinations`` (same error style), which the agent uses again to
build its senders.

A cron line is checked by msgscan's own validator and, when APScheduler is installed, by building
the triggers the agent will run (``Cron.apscheduler_fields``), so a config that loads also runs.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from checks.errors import MsgscanError
from checks.toml_reader import REQUIRED, TomlReader, describe, did_you_mean

__all__ = [
    "AdbServerSettings",
    "AgentConfig",
    "AgentConfigError",
    "AgentSettings",
    "Cron",
    "Endpoint",
    "Interval",
    "InvalidValue",
    "LogLevel",
    "ScanSettings",
    "ScheduleSettings",
    "TcpSettings",
    "UsbSettings",
    "load_tcp_inventory",
    "parse_agent_config",
    "parse_cron",
    "parse_duration",
    "parse_endpoint",
    "pseudonym_key",
    "read_tcp_inventory",
]

Endpoint = tuple[str, int]
"""``(host, port)``; an IPv6 host without its brackets, as ``scanner.transport.tcp`` takes it."""


class AgentConfigError(MsgscanError):
    """An agent config or TCP inventory that cannot be used: names the file, key and problem."""


class InvalidValue(ValueError):
    """A duration, cron expression or endpoint that does not parse; the reader adds file and key."""

    def __init__(self, problem: str, *, hint: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """``[agent]``: where the agent keeps its state and how it judges and logs."""

    state_dir: Path
    """SQLite state and the single-instance lock."""
    reports_dir: Path
    """Per-device JSON reports and the fleet summary; default ``<state_dir>/reports``."""
    database: Path
    """The SQLite file; default ``<state_dir>/msgscan.db``."""
    policy: Path | None
    """The organisation's policy file, or None for the article's defaults."""
    pseudonymize: bool
    """Keyed pseudonyms instead of serials; the key comes from ``pseudonym_key()``."""
    retention_days: int
    """Scan history older than this is pruned."""
    heartbeat_seconds: int
    log_level: LogLevel
    signing_key: Path | None = None
    """The Ed25519 key that signs every report and fleet summary (``msgscan keygen``), or None."""
    reports_retention_days: int = 90
    """Per-phone report files not rewritten for this long are deleted (default: retention_days)."""


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

        Two dicts (combine them with ``OrTrigger``) when both day fields are restricted: crontab
        then runs when either matches, ``CronTrigger`` only when both do. ``from_crontab`` is not
        used: APScheduler 3 counts weekdays from Monday = 0 and would shift "1-5" to Tuesday to
        Saturday (its docs, issue 286), so weekdays are passed as names.
        """
        fields = self.expression.split()
        common = {
            "minute": _listed(fields[0], self.minutes),
            "hour": _listed(fields[1], self.hours),
            "month": _listed(fields[3], self.months),
        }
        order = sorted(self.weekdays, key=lambda d: (d - 1) % 7)  # Monday first, Sunday last
        weekdays = "*" if fields[4] == "*" else ",".join(_WEEKDAYS[d] for d in order)
        days = _listed(fields[2], self.days)
        if not fields[2].startswith("*") and not fields[4].startswith("*"):
            return (common | {"day": days}, common | {"day_of_week": weekdays})
        return (common | {"day": days, "day_of_week": weekdays},)


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """``[schedule]``: when rounds start."""

    trigger: Interval | Cron
    jitter: timedelta
    """A random delay of up to this much added to each round (APScheduler's ``jitter``)."""


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """``[scan]``: how many phones at once, and how long each may take."""

    concurrency: int
    timeout: timedelta
    """Per phone, the whole scan: connect, authorise and collect."""
    connect_timeout: timedelta
    auth_timeout: timedelta
    """How long to wait for "Allow USB debugging?"; no one is there to tap it, so short."""
    retry_unauthorized: bool
    """Scan a phone that was unauthorised again in the next round."""


@dataclass(frozen=True, slots=True)
class UsbSettings:
    enabled: bool
    poll: timedelta
    """How often to look for newly plugged phones; at most 10 s."""


@dataclass(frozen=True, slots=True)
class AdbServerSettings:
    use: bool
    """Scan phones held by a running adb server (never started or killed by the agent)."""


@dataclass(frozen=True, slots=True)
class TcpSettings:
    endpoints: tuple[Endpoint, ...]
    """Fixed phones, duplicates dropped, in the order written."""
    inventory_file: Path | None
    """Re-read every round with ``load_tcp_inventory``; None when not set."""


@dataclass(frozen=True, slots=True)
class AgentConfig:
    agent: AgentSettings
    schedule: ScheduleSettings
    scan: ScanSettings
    usb: UsbSettings
    adb_server: AdbServerSettings
    tcp: TcpSettings
    destinations: Mapping[str, Mapping[str, object]]
    """``[destinations.<name>]`` tables as TOML gave them (read-only), validated elsewhere."""
    source: str
    digest: str
    """sha256 of the file's bytes: tells a reload (SIGHUP) that changed nothing from one that did."""


MAX_DURATION = timedelta(days=366)
MAX_POLL = timedelta(seconds=10)
"""A newly plugged phone must be scanned within 10 s of appearing (issue 5)."""
CONCURRENCY = range(1, 257)
RETENTION_DAYS = range(1, 3651)
HEARTBEAT_SECONDS = range(1, 86401)

_TABLES = ("agent", "schedule", "scan", "usb", "adb_server", "tcp", "destinations")
_KEYS = {
    "agent": (
        "state_dir", "reports_dir", "database", "policy", "pseudonymize", "retention_days",
        "heartbeat_seconds", "log_level", "signing_key", "reports_retention_days",
    ),
    "schedule": ("every", "cron", "jitter"),
    "scan": ("concurrency", "timeout", "connect_timeout", "auth_timeout", "retry_unauthorized"),
    "usb": ("enabled", "poll"),
    "adb_server": ("use",),
    "tcp": ("endpoints", "inventory_file"),
}  # fmt: skip
_DURATION = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
_DURATION_HINT = 'write e.g. "90s", "15m", "6h", "1d" or "1h30m", or whole seconds without quotes'
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
"""A DNS label; _ is not RFC 1123, but DHCP-registered phone names carry it."""
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CRON_FIELDS = (  # name, lowest, highest, names for lowest, lowest + 1, ...
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _WEEKDAYS),
)
_CRON_SHORTCUTS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}  # fmt: skip


def parse_agent_config(data: bytes, source: str, *, base_dir: Path) -> AgentConfig:
    """The config in ``data`` (read from ``source``); raises AgentConfigError.

    Relative ``state_dir``, ``policy`` and ``inventory_file`` are taken from ``base_dir``, the
    config file's folder (pass it absolute); relative ``reports_dir`` and ``database`` from
    ``state_dir``.
    """
    return _Reader(source, base_dir).config(data)


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
    """A 5-field crontab expression (Vixie/cronie syntax); raises InvalidValue.

    Each field is ``*`` or a list of numbers and ranges, each with an optional ``/step``;
    months and weekdays may be named (jan, mon); Sunday is 0 or 7. A day of the month that no
    listed month has (30 in February) is refused: such a schedule never runs.
    """
    fields = text.split()
    if text.strip().lower() in _CRON_SHORTCUTS:
        raise InvalidValue(
            f"{describe(text)}: @ shortcuts are not supported",
            hint=f'write the five fields: cron = "{_CRON_SHORTCUTS[text.strip().lower()]}"',
        )
    if len(fields) != 5:
        raise InvalidValue(
            f"{describe(text)} has {len(fields)} fields, expected 5 "
            "(minute hour day-of-month month day-of-week)",
            hint='e.g. cron = "0 7 * * 1-5" (07:00 on weekdays); no seconds, no years',
        )
    sets = [_cron_field(f, *spec) for f, spec in zip(fields, _CRON_FIELDS, strict=True)]
    minutes, hours, days, months, weekdays = sets
    only_days_count = not fields[2].startswith("*") and fields[4].startswith("*")
    if only_days_count and not any(d <= _MONTH_DAYS[m - 1] for d in days for m in months):
        raise InvalidValue(
            f"{describe(text)} never runs: none of its months has such a day",
            hint="pick days every listed month has, or use day-of-week",
        )
    return Cron(" ".join(fields), minutes, hours, days, months, frozenset(d % 7 for d in weekdays))


def parse_endpoint(text: str) -> Endpoint:
    """``host:port``, ``1.2.3.4:5555`` or ``[fe80::1]:5555``; raises InvalidValue."""
    text = text.strip()
    hint = "write the phone's address and adb port, e.g. 192.168.1.23:5555 or [fd00::23]:5555"
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        sep, port_text = (":", rest[1:]) if rest.startswith(":") else ("", "")
        if not bracket:
            raise InvalidValue(f"{describe(text)} has no closing ]", hint=hint)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise InvalidValue(f"{describe(host)} is not an IPv6 address", hint=hint) from None
    else:
        host, sep, port_text = text.rpartition(":")
        if ":" in host:
            raise InvalidValue(
                f"{describe(text)}: an IPv6 address needs brackets", hint=f"write [{host}]:{port_text}"
            )
        if re.fullmatch(r"[\d.]+", host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                raise InvalidValue(f"{describe(host)} is not an IPv4 address", hint=hint) from None
        elif host and not all(_HOST_LABEL.fullmatch(p) for p in host.removesuffix(".").split(".")):
            raise InvalidValue(f"{describe(host)} is not a host name", hint=hint)
    if not sep or not host:
        raise InvalidValue(
            f"{describe(text)} is not host:port",
            hint=f"{hint}; adb over Wi-Fi listens on port 5555 unless set otherwise",
        )
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidValue(f"port {describe(port_text)} is not 1 to 65535", hint=hint)
    return host, int(port_text)


def read_tcp_inventory(text: str, source: str) -> tuple[tuple[Endpoint, ...], tuple[AgentConfigError, ...]]:
    """The phones in an inventory file, and one AgentConfigError per line that is not one.

    One ``host:port`` a line; ``#`` starts a comment; blank lines are skipped and duplicates
    dropped. A bad line (naming ``source:line``) costs only itself: the agent scans the good
    lines and reports the bad ones, so one typo never hides the rest of the fleet.
    """
    found: dict[Endpoint, None] = {}
    problems: list[AgentConfigError] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        words = line.partition("#")[0].split()
        if len(words) > 1:
            problems.append(AgentConfigError(
                f"{source}:{number}: {len(words)} entries on one line",
                hint="write one host:port per line",
            ))
        elif words:
            try:
                found.setdefault(parse_endpoint(words[0]))
            except InvalidValue as e:
                problems.append(AgentConfigError(f"{source}:{number}: {e.problem}", hint=e.hint))
    return tuple(found), tuple(problems)


def load_tcp_inventory(text: str, source: str) -> tuple[Endpoint, ...]:
    """The phones in an inventory file, strictly: the first bad line raises its AgentConfigError."""
    endpoints, problems = read_tcp_inventory(text, source)
    if problems:
        raise problems[0]
    return endpoints


def pseudonym_key(
    config: AgentConfig, policy_key: str | None, environ: Mapping[str, str]
) -> str | None:
    """The key for pseudonyms, or None when ``agent.pseudonymize`` is off; raises if none is set.

    ``policy_key`` is the policy file's ``pseudonym_key``; ``MSGSCAN_PSEUDONYM_KEY`` in
    ``environ`` is the fallback, as for ``msgscan scan --pseudonymize``.
    """
    if not config.agent.pseudonymize:
        return None
    if key := policy_key or environ.get("MSGSCAN_PSEUDONYM_KEY"):
        return key
    raise AgentConfigError(
        f"{config.source}: agent.pseudonymize: true, but no key is set",
        hint="set pseudonym_key in the policy file or MSGSCAN_PSEUDONYM_KEY in the agent's "
        "environment (systemd: EnvironmentFile=), or set pseudonymize = false",
    )


def _listed(text: str, values: frozenset[int]) -> str:
    return "*" if text == "*" else ",".join(map(str, sorted(values)))


def _cron_field(
    text: str, name: str, low: int, high: int, names: tuple[str, ...]
) -> frozenset[int]:
    def number(token: str) -> int:
        if token.isdigit() and low <= int(token) <= high:
            return int(token)
        if token.lower() in names:
            return low + names.index(token.lower())
        named = f" or {names[0]}-{names[-1]}" if names else ""
        raise InvalidValue(
            f"{name} {describe(token)} is not {low} to {high}{named}",
            hint=f"the {name} field takes {low}-{high}{named}; fields: minute hour "
            "day-of-month month day-of-week",
        )

    values: set[int] = set()
    for item in text.split(","):
        body, slash, step_text = item.partition("/")
        if slash and not (step_text.isdigit() and 0 < int(step_text) <= high):
            raise InvalidValue(
                f"{name} step {describe(step_text)} is not 1 to {high}", hint="e.g. */15"
            )
        first_text, dash, last_text = body.partition("-")
        if body == "*":
            first, last = low, high
        elif not first_text or (dash and not last_text):
            raise InvalidValue(
                f"{name} {describe(item)} is not a number, range or *",
                hint="write e.g. 5, 1-5, 1,15, */10 or 0-30/5, no spaces inside a field",
            )
        else:
            first = number(first_text)
            last = number(last_text) if dash else high if slash else first
        if first > last:
            raise InvalidValue(
                f"{name} range {describe(body)} runs backwards",
                hint="Sunday is also 7: write mon-7 for Monday to Sunday"
                if name == "day of week"
                else "write ranges low-high; to wrap around, list both ends: 22-23,0-5",
            )
        values.update(range(first, last + 1, int(step_text) if slash else 1))
    return frozenset(values)


def _apscheduler_accepts(cron: Cron) -> str | None:
    """APScheduler's objection to the triggers the agent will build, or None (also if absent)."""
    try:
        from apscheduler.triggers.cron import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
            CronTrigger,
        )
    except ImportError:
        return None
    try:
        for fields in cron.apscheduler_fields():
            CronTrigger(**fields, timezone=UTC)
    except ValueError as e:
        return str(e)
    return None


class _Reader(TomlReader):
    syntax_hint = (
        'strings need quotes, numbers and true/false do not (timeout = "3m", '
        "concurrency = 8), and each [table] appears once; see agent.example.toml"
    )

    def __init__(self, source: str, base_dir: Path) -> None:
        self.source = source
        self.base_dir = base_dir

    def fail(self, key: str, problem: str, hint: str) -> NoReturn:
        raise AgentConfigError(f"{self.source}: {key}: {problem}", hint=hint)

    def config(self, data: bytes) -> AgentConfig:
        doc = self.load(data)
        for k, v in doc.items():
            if k not in _TABLES:
                home = next((t for t, keys in _KEYS.items() if k in keys), "")
                where = f"put it under [{home}]" if home else "see agent.example.toml"
                kind = f"table [{k}]" if isinstance(v, dict | list) else f"key {k}"
                self.fail(
                    k,
                    f"unknown {kind}; known tables: {', '.join(_TABLES)}",
                    f"{did_you_mean(k, _TABLES)}{where}",
                )
        if "agent" not in doc:
            self.fail("agent", "missing", 'add [agent] with state_dir = "/var/lib/msgscan"')
        if "schedule" not in doc:
            self.fail("schedule", "missing", 'add [schedule] with every = "6h" or a cron line')
        tables = {t: self.table(doc.get(t, {}), t, keys) for t, keys in _KEYS.items()}
        config = AgentConfig(
            agent=self.agent(tables["agent"]),
            schedule=self.schedule(tables["schedule"]),
            scan=self.scan(tables["scan"]),
            usb=UsbSettings(
                self.get(tables["usb"], "usb.enabled", bool, True),
                self.duration(
                    tables["usb"],
                    "usb.poll",
                    "2s",
                    maximum=MAX_POLL,
                    why="a newly plugged phone must be scanned within 10 s: keep poll at 10 s "
                    'or less (the default is "2s")',
                ),
            ),
            adb_server=AdbServerSettings(
                self.get(tables["adb_server"], "adb_server.use", bool, True)
            ),
            tcp=self.tcp(tables["tcp"]),
            destinations=self.destinations(doc.get("destinations", {})),
            source=self.source,
            digest="sha256:" + hashlib.sha256(data).hexdigest(),
        )
        if not (config.usb.enabled or config.adb_server.use or config.tcp.endpoints) and (
            config.tcp.inventory_file is None
        ):
            self.fail(
                "tcp.endpoints",
                "nothing to scan: USB and the adb server are off and no TCP phone is listed",
                "list phones under [tcp] (endpoints or inventory_file), or set usb.enabled or "
                "adb_server.use = true",
            )
        return config

    def number(self, table: Mapping[str, object], key: str, valid: range, default: int) -> int:
        value = self.get(table, key, int, default)
        if value not in valid:
            self.fail(
                key,
                f"got {value}, expected {valid.start} to {valid.stop - 1}",
                f"write {key.rpartition('.')[2]} = {default} (the default)",
            )
        return value

    def duration(
        self,
        table: Mapping[str, object],
        key: str,
        default: str,
        *,
        maximum: timedelta = MAX_DURATION,
        zero: bool = False,
        why: str = "",
    ) -> timedelta:
        name = key.rpartition(".")[2]
        example = f'{name} = "{default}"'
        try:
            value = parse_duration(table.get(name, default))
        except InvalidValue as e:
            self.fail(key, e.problem, f"{e.hint}; e.g. {example}")
        if not value and not zero:
            self.fail(key, "must be longer than 0 s", f"write e.g. {example}")
        if value > maximum:
            self.fail(
                key,
                f"{_seconds(value)} is longer than {_seconds(maximum)}",
                why or f"write e.g. {example}",
            )
        return value

    def path(self, table: Mapping[str, object], key: str, base: Path, default: object) -> Path:
        value = self.get(table, key, str, default)
        if not value.strip():
            self.fail(key, "must not be empty", f'write {key.rpartition(".")[2]} = "/some/path"')
        if value.startswith("~"):
            self.fail(
                key,
                f"{describe(value)}: ~ is not expanded",
                "write the full path: the agent runs as its own user, whose home is not yours",
            )
        return base / value  # an absolute value replaces base

    def agent(self, table: Mapping[str, object]) -> AgentSettings:
        state = self.path(table, "agent.state_dir", self.base_dir, REQUIRED)
        policy = None
        if "policy" in table:
            policy = self.path(table, "agent.policy", self.base_dir, REQUIRED)
        level = self.get(table, "agent.log_level", str, "info")
        if level not in {lv.value for lv in LogLevel}:
            self.fail(
                "agent.log_level",
                f"got {describe(level)}, expected one of {', '.join(LogLevel)}",
                f"{did_you_mean(level, list(LogLevel))}info logs rounds and devices; debug "
                "adds every probe",
            )
        return AgentSettings(
            state_dir=state,
            reports_dir=self.path(table, "agent.reports_dir", state, "reports"),
            database=self.path(table, "agent.database", state, "msgscan.db"),
            policy=policy,
            pseudonymize=self.get(table, "agent.pseudonymize", bool, False),
            retention_days=self.number(table, "agent.retention_days", RETENTION_DAYS, 90),
            heartbeat_seconds=self.number(table, "agent.heartbeat_seconds", HEARTBEAT_SECONDS, 60),
            log_level=LogLevel(level),
            signing_key=self.path(table, "agent.signing_key", self.base_dir, REQUIRED)
            if "signing_key" in table else None,
            reports_retention_days=self.number(
                table, "agent.reports_retention_days", RETENTION_DAYS,
                self.number(table, "agent.retention_days", RETENTION_DAYS, 90)),
        )

    def schedule(self, table: Mapping[str, object]) -> ScheduleSettings:
        jitter = self.duration(table, "schedule.jitter", "0s", zero=True)
        if ("every" in table) == ("cron" in table):
            self.fail(
                "schedule",
                "sets both every and cron" if "every" in table else "sets neither every nor cron",
                'keep exactly one: every = "6h" (an interval) or cron = "0 7 * * 1-5"',
            )
        if "every" in table:
            every = self.duration(table, "schedule.every", "6h")
            if jitter >= every:
                self.fail(
                    "schedule.jitter",
                    f"{_seconds(jitter)} is not shorter than every ({_seconds(every)})",
                    "jitter spreads the start of rounds; keep it well below the interval",
                )
            return ScheduleSettings(Interval(every), jitter)
        text = self.get(table, "schedule.cron", str, REQUIRED)
        try:
            cron = parse_cron(text)
        except InvalidValue as e:
            self.fail("schedule.cron", e.problem, e.hint)
        if objection := _apscheduler_accepts(cron):
            self.fail(
                "schedule.cron",
                f"APScheduler refuses {describe(text)}: {objection}",
                'write a plain 5-field line such as "0 7 * * 1-5"',
            )
        return ScheduleSettings(cron, jitter)

    def scan(self, table: Mapping[str, object]) -> ScanSettings:
        timeout = self.duration(table, "scan.timeout", "3m")
        steps: dict[str, timedelta] = {}
        for name in ("connect_timeout", "auth_timeout"):
            steps[name] = self.duration(table, f"scan.{name}", "5s")
            if steps[name] > timeout:
                self.fail(
                    f"scan.{name}",
                    f"{_seconds(steps[name])} is longer than scan.timeout ({_seconds(timeout)})",
                    "scan.timeout covers the whole scan, connecting and authorising included",
                )
        return ScanSettings(
            concurrency=self.number(table, "scan.concurrency", CONCURRENCY, 8),
            timeout=timeout,
            connect_timeout=steps["connect_timeout"],
            auth_timeout=steps["auth_timeout"],
            retry_unauthorized=self.get(table, "scan.retry_unauthorized", bool, True),
        )

    def tcp(self, table: Mapping[str, object]) -> TcpSettings:
        found: dict[Endpoint, None] = {}
        for i, item in enumerate(self.get(table, "tcp.endpoints", list, [])):
            key = f"tcp.endpoints[{i}]"
            if not isinstance(item, str):
                self.fail(key, f"got {describe(item)}, expected a string", 'write "host:port"')
            try:
                found.setdefault(parse_endpoint(item))
            except InvalidValue as e:
                self.fail(key, e.problem, e.hint)
        inventory = None
        if "inventory_file" in table:
            inventory = self.path(table, "tcp.inventory_file", self.base_dir, REQUIRED)
        return TcpSettings(tuple(found), inventory)

    def destinations(self, value: object) -> Mapping[str, Mapping[str, object]]:
        hint = "write each destination as its own table: [destinations.NAME]"
        if not isinstance(value, dict):
            self.fail("destinations", f"got {describe(value)}, expected a table", hint)
        for name, table in value.items():
            key = f"destinations.{name}"
            if not isinstance(table, dict):
                self.fail(key, f"got {describe(table)}, expected a table", hint)
            if not _NAME.fullmatch(name):
                self.fail(
                    key,
                    f"{describe(name)} is not a destination name",
                    "use letters, digits, _ and - (it is what msgscan scan --send NAME takes)",
                )
        from reports.deliver.settings import parse_destinations

        tables = MappingProxyType({k: MappingProxyType(v) for k, v in value.items()})
        try:
            parse_destinations(tables, self.source, base_dir=self.base_dir)
        except MsgscanError as e:
            raise AgentConfigError(e.problem, hint=e.hint) from None
        return tables


def _seconds(value: timedelta) -> str:
    return f"{value.total_seconds():g} s"

"""Read the fleet agent's config (TOML) into an ``AgentConfig``; see ``agent.example.toml``.

Pure: the caller reads the bytes, this module judges them. Every mistake is an
``AgentConfigError`` naming the file, the key path (``scan.timeout``, ``tcp.endpoints[2]``; lists
count from 0) and the problem, with a hint, in the style of ``checks.policy_file``. Unknown tables
and keys are refused with "did you mean": a misspelt key would silently leave a default in force.

The schema is ``settings``; durations and cron lines are read by ``schedule`` (APScheduler),
addresses by ``scanner.endpoints`` (the rule ``--tcp`` follows too), and ``[destinations.<name>]``
tables once, here, by ``reports.deliver.settings.parse_destinations``: the agent's senders and
``msgscan scan --send`` use what this returns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NoReturn

from checks.errors import MsgscanError
from checks.toml_reader import REQUIRED, TomlReader, describe, did_you_mean
from scanner.app.agent.schedule import MAX_DURATION, Interval, parse_cron, parse_duration
from scanner.app.agent.settings import (
    CONCURRENCY,
    HEARTBEAT_SECONDS,
    MAX_POLL,
    PROCESSES,
    RETENTION_DAYS,
    AdbServerSettings,
    AgentConfig,
    AgentConfigError,
    AgentSettings,
    LogLevel,
    ScanSettings,
    ScheduleSettings,
    TcpSettings,
    UsbSettings,
    auto_concurrency,
    auto_processes,
)
from scanner.endpoints import Endpoint, InvalidValue, parse_endpoint

if TYPE_CHECKING:
    from reports.deliver.settings import Destination

__all__ = ["AgentConfigError", "parse_agent_config"]

_TABLES = ("agent", "schedule", "scan", "usb", "adb_server", "tcp", "destinations")
_KEYS = {
    "agent": (
        "state_dir", "reports_dir", "database", "policy", "pseudonymize", "retention_days",
        "heartbeat_seconds", "log_level", "signing_key", "reports_retention_days",
    ),
    "schedule": ("every", "cron", "jitter"),
    "scan": (
        "concurrency", "processes", "timeout", "connect_timeout", "auth_timeout",
        "retry_unauthorized",
    ),
    "usb": ("enabled", "poll"),
    "adb_server": ("use",),
    "tcp": ("endpoints", "inventory_file"),
}  # fmt: skip
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def parse_agent_config(data: bytes, source: str, *, base_dir: Path) -> AgentConfig:
    """The config in ``data`` (read from ``source``); raises AgentConfigError.

    Relative ``state_dir``, ``policy`` and ``inventory_file`` are taken from ``base_dir``, the
    config file's folder (pass it absolute); relative ``reports_dir`` and ``database`` from
    ``state_dir``.
    """
    return _Reader(source, base_dir).config(data)


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
            if "signing_key" in table
            else None,
            reports_retention_days=self.number(
                table,
                "agent.reports_retention_days",
                RETENTION_DAYS,
                self.number(table, "agent.retention_days", RETENTION_DAYS, 90),
            ),
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
            concurrency=self.concurrency(table),
            timeout=timeout,
            connect_timeout=steps["connect_timeout"],
            auth_timeout=steps["auth_timeout"],
            retry_unauthorized=self.get(table, "scan.retry_unauthorized", bool, True),
            processes=self.processes(table),
        )

    def processes(self, table: Mapping[str, object]) -> int:
        if table.get("processes", "auto") == "auto":
            return auto_processes()
        value = self.get(table, "scan.processes", int, REQUIRED)
        if value not in PROCESSES:
            self.fail(
                "scan.processes",
                f"got {value}, expected 1 to 64",
                f'write processes = "auto" (the default: {auto_processes()} on this machine)',
            )
        return value

    def concurrency(self, table: Mapping[str, object]) -> int:
        if table.get("concurrency", "auto") == "auto":
            return auto_concurrency()
        value = self.get(table, "scan.concurrency", int, REQUIRED)
        if value not in CONCURRENCY:
            self.fail(
                "scan.concurrency",
                f"got {value}, expected 1 to 256",
                f'write concurrency = "auto" (the default: {auto_concurrency()} on this machine)',
            )
        return value

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

    def destinations(self, value: object) -> Mapping[str, Destination]:
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
        if not value:
            return MappingProxyType({})
        from reports.deliver.settings import parse_destinations  # only with destinations

        try:
            parsed = parse_destinations(value, self.source, base_dir=self.base_dir)
        except MsgscanError as e:
            raise AgentConfigError(e.problem, hint=e.hint) from None
        return MappingProxyType(parsed)


def _seconds(value: timedelta) -> str:
    return f"{value.total_seconds():g} s"

"""Reading the agent config: the shipped example, defaults, paths, every refusal, durations, cron,
TCP endpoints and the inventory file, destinations kept raw, and the systemd unit."""

from __future__ import annotations

import hashlib
import re
import os
import shutil
import subprocess
import sys
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checks.errors import MsgscanError
from scanner.app.agent import config as agent_config
from scanner.app.agent.config import parse_agent_config
from scanner.app.agent.inventory import load_tcp_inventory
from scanner.app.agent.schedule import Interval, parse_cron, parse_duration
from scanner.app.agent.settings import (
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
from scanner.app.agent.startup import load_policy
from checks.policy import DEFAULT as DEFAULT_POLICY
from checks.result import pseudonym_key
from scanner.endpoints import InvalidValue, parse_endpoint

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE = ROOT / "agent.example.toml"
UNIT = ROOT / "packaging" / "msgscan-agent.service"
SOURCE = "/etc/msgscan/agent.toml"
BASE = Path("/etc/msgscan")
STATE = Path("/var/lib/msgscan")
MINIMAL = b'[agent]\nstate_dir = "/var/lib/msgscan"\n[schedule]\nevery = "6h"\n'


def parse(data: bytes, source: str = SOURCE, base: Path = BASE) -> AgentConfig:
    return parse_agent_config(data, source, base_dir=base)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def refusal(data: bytes) -> tuple[str, str, str]:
    """(file, key, problem) of the AgentConfigError ``data`` raises."""
    with pytest.raises(AgentConfigError) as caught:
        parse(data)
    assert caught.value.hint, "every refusal says what to do"
    source, key, problem = caught.value.problem.split(": ", 2)
    return source, key, problem


def defaults(data: bytes, **changes: object) -> AgentConfig:
    """The config MINIMAL gives, with ``changes`` to its tables, for the bytes ``data``."""
    config = AgentConfig(
        agent=AgentSettings(
            state_dir=STATE,
            reports_dir=STATE / "reports",
            database=STATE / "msgscan.db",
            policy=None,
            pseudonymize=False,
            retention_days=90,
            heartbeat_seconds=60,
            log_level=LogLevel.INFO,
        ),
        schedule=ScheduleSettings(Interval(timedelta(hours=6)), jitter=timedelta(0)),
        scan=ScanSettings(
            concurrency=auto_concurrency(),
            timeout=timedelta(minutes=3),
            connect_timeout=timedelta(seconds=5),
            auth_timeout=timedelta(seconds=5),
            retry_unauthorized=True,
            processes=auto_processes(),
        ),
        usb=UsbSettings(enabled=True, poll=timedelta(seconds=2)),
        adb_server=AdbServerSettings(use=True),
        tcp=TcpSettings(endpoints=(), inventory_file=None),
        destinations={},
        source=SOURCE,
        digest=sha256(data),
    )
    fields = {f: getattr(config, f) for f in AgentConfig.__dataclass_fields__}
    return AgentConfig(**(fields | changes))


def uncomment(text: str, key: str) -> str:
    """``text`` with the commented-out ``# key = ...`` line switched on."""
    assert f"\n# {key} = " in text, f"the example shows {key} commented out"
    return text.replace(f"\n# {key} = ", f"\n{key} = ")


class TestExample:
    def test_parses_to_the_config_it_describes(self) -> None:
        """agent.example.toml as shipped: USB and the adb server every 6 h with 5 min jitter."""
        data = EXAMPLE.read_bytes()
        expected = defaults(
            data,
            schedule=ScheduleSettings(Interval(timedelta(hours=6)), timedelta(minutes=5)),
        )

        assert expected == parse(data)

    def test_shows_every_key(self) -> None:
        """Each key the parser accepts appears in the example, set or commented out."""
        text = EXAMPLE.read_text(encoding="utf-8")
        keys = [k for table in agent_config._KEYS.values() for k in table]

        assert [] == [k for k in keys if not re.search(rf"^(# )?{k} = ", text, re.MULTILINE)]

    def test_commented_lines_are_valid(self) -> None:
        """Switching on every commented-out path and TCP line gives the values they show."""
        text = EXAMPLE.read_text(encoding="utf-8")
        for key in ("reports_dir", "database", "policy", "endpoints", "inventory_file"):
            text = uncomment(text, key)

        config = parse(text.encode())

        assert (STATE / "reports", STATE / "msgscan.db", BASE / "company-policy.toml") == (
            config.agent.reports_dir,
            config.agent.database,
            config.agent.policy,
        )
        assert TcpSettings(
            (("192.168.10.21", 5555), ("lab-phone-07.example.com", 5555)), BASE / "phones.txt"
        ) == (config.tcp)

    def test_commented_cron_replaces_every(self) -> None:
        """The example's cron line, used instead of every, runs at 07:00 Monday to Friday."""
        text = EXAMPLE.read_text(encoding="utf-8").replace('\nevery = "6h"', '\n# every = "6h"')

        config = parse(uncomment(text, "cron").encode())

        assert parse_cron("0 7 * * 1-5") == config.schedule.trigger


class TestDefaults:
    @pytest.mark.parametrize(
        "data",
        [
            MINIMAL,
            MINIMAL + b"[scan]\n[usb]\n[adb_server]\n[tcp]\n",
            b'[schedule]\nevery = 21600\n[agent]\nstate_dir = "/var/lib/msgscan"\n',
        ],
    )
    def test_state_dir_and_schedule_are_enough(self, data: bytes) -> None:
        """Only state_dir and every are required; everything else has its documented default."""
        assert defaults(data) == parse(data)

    def test_cron_instead_of_every(self) -> None:
        """A cron line is the other way to schedule."""
        data = MINIMAL.replace(b'every = "6h"', b'cron = "*/30 8-18 * * mon-fri"')

        assert parse_cron("*/30 8-18 * * mon-fri") == parse(data).schedule.trigger

    def test_byte_order_mark_is_accepted(self) -> None:
        """A UTF-8 byte order mark (Windows editors) is read past, and counted in the digest."""
        data = b"\xef\xbb\xbf" + MINIMAL

        assert defaults(data) == parse(data)

    def test_digest_follows_every_byte(self) -> None:
        """An added comment changes the digest: a reload can tell an edit from a touch."""
        assert parse(MINIMAL).digest != parse(MINIMAL + b"# edited\n").digest

    def test_error_is_a_msgscan_error(self) -> None:
        """The CLI's single except MsgscanError catches a bad agent config too."""
        assert issubclass(AgentConfigError, MsgscanError)


class TestPaths:
    @pytest.mark.parametrize(
        ("agent", "expected"),
        [
            (
                'state_dir = "state"',
                (BASE / "state", BASE / "state/reports", BASE / "state/msgscan.db", None),
            ),
            (
                'state_dir = "/srv/m"\nreports_dir = "/srv/reports"\ndatabase = "db/agent.db"',
                (Path("/srv/m"), Path("/srv/reports"), Path("/srv/m/db/agent.db"), None),
            ),
            (
                'state_dir = "/srv/m"\npolicy = "policies/company.toml"',
                (
                    Path("/srv/m"),
                    Path("/srv/m/reports"),
                    Path("/srv/m/msgscan.db"),
                    BASE / "policies/company.toml",
                ),
            ),
            (
                'state_dir = "/srv/m"\npolicy = "/opt/policy.toml"',
                (
                    Path("/srv/m"),
                    Path("/srv/m/reports"),
                    Path("/srv/m/msgscan.db"),
                    Path("/opt/policy.toml"),
                ),
            ),
        ],
    )
    def test_relative_paths(self, agent: str, expected: tuple[Path, ...]) -> None:
        """state_dir and policy count from the config's folder; reports and database from state."""
        data = f'[agent]\n{agent}\n[schedule]\nevery = "1h"\n'.encode()

        a = parse(data).agent
        assert expected == (a.state_dir, a.reports_dir, a.database, a.policy)

    def test_inventory_file_counts_from_the_config_folder(self) -> None:
        """A relative inventory_file sits beside the config, like the policy."""
        data = MINIMAL + b'[tcp]\ninventory_file = "phones.txt"\n'

        assert BASE / "phones.txt" == parse(data, base=BASE).tcp.inventory_file


def _with(table: str, line: str) -> bytes:
    """MINIMAL with ``line`` added to ``table`` (schedule and agent lines replace theirs)."""
    if table == "schedule":
        return b'[agent]\nstate_dir = "/s"\n[schedule]\n' + line.encode() + b"\n"
    if table == "agent":
        return b"[agent]\n" + line.encode() + b'\n[schedule]\nevery = "6h"\n'
    return MINIMAL + f"[{table}]\n{line}\n".encode()


BAD = [
    # syntax and encoding: the position stands in for the key
    (b"[agent]\nstate_dir = \n", "line 2, column 13", "not valid TOML: Invalid value"),
    (b"[agent]\n[agent]\n", "line 2, column 7", "not valid TOML: Cannot declare"),
    (b'[agent]\nstate_dir = "/M\xfcller"\n', "line 2", "not UTF-8 (byte 0xfc at offset 23)"),
    # typo protection and structure
    (MINIMAL + b"[sheduler]\n", "sheduler", "unknown table [sheduler]; known tables: agent"),
    (b'state_dir = "/s"\n' + MINIMAL, "state_dir", "unknown key state_dir; known tables"),
    (_with("scan", "concurency = 4"), "scan.concurency", "unknown key concurency; known:"),
    (_with("usb", "enable = true"), "usb.enable", "unknown key enable; known: enabled, poll"),
    (_with("tcp", 'endpoint = ["a:1"]'), "tcp.endpoint", "known: endpoints, inventory_file"),
    (b"scan = 3\n" + MINIMAL, "scan", "got 3, expected a table"),
    (b'[schedule]\nevery = "6h"\n', "agent", "missing"),
    (b'[agent]\nstate_dir = "/s"\n', "schedule", "missing"),
    # [agent]
    (_with("agent", "log_level = 'info'"), "agent.state_dir", "missing"),
    (_with("agent", 'state_dir = ""'), "agent.state_dir", "must not be empty"),
    (_with("agent", 'state_dir = "~/msgscan"'), "agent.state_dir", "'~/msgscan': ~ is not"),
    (_with("agent", "state_dir = 1"), "agent.state_dir", "got 1, expected a string"),
    (
        _with("agent", 'state_dir = "/s"\npseudonymize = "yes"'),
        "agent.pseudonymize",
        "got 'yes', expected true or false",
    ),
    (
        _with("agent", 'state_dir = "/s"\nretention_days = 0'),
        "agent.retention_days",
        "got 0, expected 1 to 3650",
    ),
    (
        _with("agent", 'state_dir = "/s"\nretention_days = "90"'),
        "agent.retention_days",
        "got '90', expected an integer",
    ),
    (
        _with("agent", 'state_dir = "/s"\nheartbeat_seconds = 0'),
        "agent.heartbeat_seconds",
        "got 0, expected 1 to 86400",
    ),
    (
        _with("agent", 'state_dir = "/s"\nlog_level = "verbose"'),
        "agent.log_level",
        "got 'verbose', expected one of debug, info, warning, error",
    ),
    (_with("agent", 'state_dir = "/s"\npolicy = ""'), "agent.policy", "must not be empty"),
    # [schedule]
    (_with("schedule", 'jitter = "1m"'), "schedule", "sets neither every nor cron"),
    (_with("schedule", 'every = "1h"\ncron = "0 * * * *"'), "schedule", "sets both every and cron"),
    (_with("schedule", 'every = "0s"'), "schedule.every", "must be longer than 0 s"),
    (_with("schedule", 'every = "6"'), "schedule.every", "'6' has no unit"),
    (_with("schedule", 'every = "6 hours"'), "schedule.every", "'6 hours' is not a duration"),
    (_with("schedule", "every = 1.5"), "schedule.every", "got 1.5, expected a duration"),
    (_with("schedule", 'every = "400d"'), "schedule.every", "expected 0 s to 366 days"),
    (
        _with("schedule", 'every = "10m"\njitter = "10m"'),
        "schedule.jitter",
        "600 s is not shorter than every (600 s)",
    ),
    (_with("schedule", 'cron = "0 7 * *"'), "schedule.cron", "has 4 fields, expected 5"),
    (_with("schedule", 'cron = "0 25 * * *"'), "schedule.cron", "hour '25': the last value (25) is higher than the maximum value (23)"),
    (_with("schedule", 'cron = "@daily"'), "schedule.cron", "@ shortcuts are not supported"),
    (_with("schedule", "cron = 7"), "schedule.cron", "got 7, expected a string"),
    # [scan]
    (_with("scan", "concurrency = 0"), "scan.concurrency", "got 0, expected 1 to 256"),
    (_with("scan", "concurrency = 257"), "scan.concurrency", "got 257, expected 1 to 256"),
    (_with("scan", "concurrency = true"), "scan.concurrency", "got true, expected an integer"),
    (_with("scan", "timeout = 0"), "scan.timeout", "must be longer than 0 s"),
    (_with("scan", "timeout = -5"), "scan.timeout", "got -5, expected 0 s to 366 days"),
    (
        _with("scan", 'timeout = "30s"\nauth_timeout = "1m"'),
        "scan.auth_timeout",
        "60 s is longer than scan.timeout (30 s)",
    ),
    (
        _with("scan", 'timeout = "30s"\nconnect_timeout = "31s"'),
        "scan.connect_timeout",
        "31 s is longer than scan.timeout (30 s)",
    ),
    (
        _with("scan", 'retry_unauthorized = "no"'),
        "scan.retry_unauthorized",
        "got 'no', expected true or false",
    ),
    # [usb] and [adb_server]
    (_with("usb", 'poll = "30s"'), "usb.poll", "30 s is longer than 10 s"),
    (_with("usb", "poll = 0"), "usb.poll", "must be longer than 0 s"),
    (_with("usb", "enabled = 1"), "usb.enabled", "got 1, expected true or false"),
    (_with("adb_server", 'use = "true"'), "adb_server.use", "got 'true', expected true or false"),
    # [tcp]
    (_with("tcp", 'endpoints = "10.0.0.2:5555"'), "tcp.endpoints", "expected a list of strings"),
    (_with("tcp", "endpoints = [5555]"), "tcp.endpoints[0]", "got 5555, expected a string"),
    (
        _with("tcp", 'endpoints = ["10.0.0.2:5555", "10.0.0.3"]'),
        "tcp.endpoints[1]",
        "'10.0.0.3' is not host:port",
    ),
    (
        _with("tcp", 'endpoints = ["fd00::2:5555"]'),
        "tcp.endpoints[0]",
        "an IPv6 address needs brackets",
    ),
    (_with("tcp", 'endpoints = ["a:70000"]'), "tcp.endpoints[0]", "port '70000' is not 1 to"),
    (_with("tcp", 'inventory_file = ""'), "tcp.inventory_file", "must not be empty"),
    (
        MINIMAL + b"[usb]\nenabled = false\n[adb_server]\nuse = false\n",
        "tcp.endpoints",
        "nothing to scan",
    ),
    # [destinations.*]: only the shape, never the content
    (MINIMAL + b"[[destinations]]\n", "destinations", "got a list, expected a table"),
    (MINIMAL + b"[destinations]\nsiem = 3\n", "destinations.siem", "got 3, expected a table"),
    (
        MINIMAL + b'[destinations."my siem"]\n',
        "destinations.my siem",
        "'my siem' is not a destination name",
    ),
]


class TestRefusals:
    @pytest.mark.parametrize(("data", "key", "fragment"), BAD)
    def test_names_file_key_and_problem(self, data: bytes, key: str, fragment: str) -> None:
        """Every mistake is an AgentConfigError naming the file, the key path and the problem."""
        source, actual_key, problem = refusal(data)

        assert (SOURCE, key) == (source, actual_key)
        assert fragment in problem

    @pytest.mark.parametrize(
        ("data", "hint"),
        [
            (MINIMAL + b"[sheduler]\n", "did you mean schedule?"),
            (_with("scan", "concurency = 4"), "did you mean concurrency?"),
            (_with("agent", 'state_dir = "/s"\nlog_level = "warn"'), "did you mean warning?"),
            (_with("agent", 'state_dir = "/s"\nlog_level = "INFO"'), "did you mean info?"),
            (b'state_dir = "/s"\n' + MINIMAL, "put it under [agent]"),
            (b"poll = 2\n" + MINIMAL, "put it under [usb]"),
            (_with("scan", 'concurrency = "8"'), "remove the quotes: write concurrency = 90"),
            (_with("schedule", 'every = "6"'), "write 6 without quotes, or 6s"),
            (_with("schedule", 'cron = "@daily"'), 'cron = "0 0 * * *"'),
            (_with("schedule", 'cron = "0 0 * * mon-sun"'), "write mon-7"),
            (_with("schedule", 'every = "6"'), 'e.g. every = "6h"'),
            (_with("tcp", 'endpoints = ["fd00::2:5555"]'), "write [fd00::2]:5555"),
            (_with("tcp", 'endpoints = ["10.0.0.3"]'), "port 5555"),
            (_with("usb", 'poll = "30s"'), "within 10 s"),
        ],
    )
    def test_hint_says_what_to_do(self, data: bytes, hint: str) -> None:
        """The hint points at the fix: the likely key, the right table, the missing unit."""
        with pytest.raises(AgentConfigError) as caught:
            parse(data)

        assert hint in caught.value.hint


class TestDurations:
    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            (90, 90),
            (0, 0),
            ("90s", 90),
            ("15m", 900),
            ("6h", 21600),
            ("1d", 86400),
            ("1h30m", 5400),
            ("1d2h3m4s", 93784),
            (" 5m ", 300),
            ("366d", 366 * 86400),
        ],
    )
    def test_parses(self, value: object, seconds: int) -> None:
        """Whole seconds, or numbers with d, h, m, s in that order."""
        assert timedelta(seconds=seconds) == parse_duration(value)

    @pytest.mark.parametrize(
        ("value", "fragment"),
        [
            ("90", "'90' has no unit"),
            ("", "'' is not a duration"),
            ("1.5h", "'1.5h' is not a duration"),
            ("5 m", "'5 m' is not a duration"),
            ("30m1h", "'30m1h' is not a duration"),
            ("2H", "'2H' is not a duration"),
            ("1w", "'1w' is not a duration"),
            ("-5s", "'-5s' is not a duration"),
            (-1, "got -1, expected 0 s to 366 days"),
            ("367d", "got '367d', expected 0 s to 366 days"),
            (10**30, "expected 0 s to 366 days"),
            (True, "got true, expected a duration"),
            (1.5, "got 1.5, expected a duration"),
            (["5m"], "got a list, expected a duration"),
        ],
    )
    def test_refuses(self, value: object, fragment: str) -> None:
        """Anything else is refused with a hint showing the accepted forms."""
        with pytest.raises(InvalidValue, match=re.escape(fragment)) as caught:
            parse_duration(value)

        assert caught.value.hint


ALL_MINUTES = frozenset(range(60))
ALL_HOURS = frozenset(range(24))
ALL_DAYS = frozenset(range(1, 32))
ALL_MONTHS = frozenset(range(1, 13))
WEEK = frozenset(range(7))


class TestConcurrency:
    @pytest.mark.parametrize(
        ("cores", "expected"), [(1, 8), (2, 16), (4, 32), (8, 64), (64, 64), (0, 8)]
    )
    def test_auto_rule(self, cores: int, expected: int) -> None:
        """8 phones in flight per core (at least 4), at most 64 (about 7 MB each at the peak)."""
        assert expected == auto_concurrency(cores)

    def test_auto_is_the_default(self) -> None:
        """No setting and "auto" both follow the cores this process may use."""
        cores = len(os.sched_getaffinity(0))
        auto = _with("scan", 'concurrency = "auto"')

        assert [max(4, min(64, 8 * cores))] * 2 == [
            parse(MINIMAL).scan.concurrency, parse(auto).scan.concurrency
        ]

    def test_a_number_still_wins(self) -> None:
        assert 3 == parse(_with("scan", "concurrency = 3")).scan.concurrency


class TestCron:
    @pytest.mark.parametrize(
        ("expression", "expected"),
        [
            ("* * * * *", (ALL_MINUTES, ALL_HOURS, ALL_DAYS, ALL_MONTHS, WEEK)),
            (
                "0 7 * * 1-5",
                ({0}, {7}, ALL_DAYS, ALL_MONTHS, {1, 2, 3, 4, 5}),
            ),
            (
                "*/15 8-18/5 1,15 jan-MAR sun",
                ({0, 15, 30, 45}, {8, 13, 18}, {1, 15}, {1, 2, 3}, {0}),
            ),
            ("55/2 23 31 * *", ({55, 57, 59}, {23}, {31}, ALL_MONTHS, WEEK)),
            ("0 0 * * 7", ({0}, {0}, ALL_DAYS, ALL_MONTHS, {0})),
            ("0 0 * * 5-7", ({0}, {0}, ALL_DAYS, ALL_MONTHS, {5, 6, 0})),
            ("0 0 * * */2", ({0}, {0}, ALL_DAYS, ALL_MONTHS, {0, 2, 4, 6})),
            ("0\t0  29 feb *", ({0}, {0}, {29}, {2}, WEEK)),
        ],
    )
    def test_parses(self, expression: str, expected: tuple[set[int], ...]) -> None:
        """Stars, numbers, ranges, lists, steps and names; Sunday is 0 or 7."""
        cron = parse_cron(expression)

        actual = (cron.minutes, cron.hours, cron.days, cron.months, cron.weekdays)
        assert tuple(frozenset(s) for s in expected) == actual
        assert " ".join(expression.split()) == cron.expression

    @pytest.mark.parametrize(
        ("expression", "fragment"),
        [
            ("0 7 * *", "has 4 fields, expected 5"),
            ("0 0 7 * * 1-5", "has 6 fields, expected 5"),
            ("", "has 0 fields"),
            ("60 * * * *", "minute '60': the last value (60) is higher than the maximum value (59)"),
            ("* 24 * * *", "hour '24': the last value (24) is higher than the maximum value (23)"),
            ("* * 0 * *", "day of month '0': the first value (0) is lower than the minimum value (1)"),
            ("* * 32 * *", "day of month '32': the last value (32) is higher than the maximum value (31)"),
            ("* * * 13 *", "month '13': the last value (13) is higher than the maximum value (12)"),
            ("* * * * 8", "day of week '8' is not 0 to 7 or sun-sat"),
            ("* * * * monday", "day of week 'monday' is not"),
            ("*/0 * * * *", "minute '*/0': Increment must be higher than 0"),
            ("*/x * * * *", "minute '*/x': Unrecognized expression"),
            ("5-1 * * * *", "minute '5-1': The minimum value in a range must not be higher"),
            ("* * * * mon-sun", "day of week 'mon-sun': The minimum value in a range must not"),
            ("1,,2 * * * *", "minute '1,,2': Unrecognized expression"),
            ("1- * * * *", "minute '1-': Unrecognized expression"),
            ("-1 * * * *", "minute '-1': Unrecognized expression"),
            ("L * * * *", "minute 'L': Unrecognized expression"),
            ("* * last * *", "day of month 'last' is not crontab syntax"),
            ("* * * * 0-8", "day of week '0-8' is not 0 to 7"),
            ("0 0 30 feb *", "never runs"),
            ("0 0 31 4,6,9,11 *", "never runs"),
            ("@hourly", "@ shortcuts are not supported"),
        ],
    )
    def test_refuses(self, expression: str, fragment: str) -> None:
        """Each field is checked against its bounds; a schedule that never runs is refused."""
        with pytest.raises(InvalidValue, match=re.escape(fragment)) as caught:
            parse_cron(expression)

        assert caught.value.hint

    def test_february_29_runs_in_leap_years(self) -> None:
        """Day 29 of February exists every four years, so it is a schedule, if a rare one."""
        assert frozenset({29}) == parse_cron("0 0 29 2 *").days

    @pytest.mark.parametrize(
        ("expression", "expected"),
        [
            (
                "0 7 * * 1-5",
                (
                    {
                        "minute": "0",
                        "hour": "7",
                        "month": "*",
                        "day": "*",
                        "day_of_week": "mon,tue,wed,thu,fri",
                    },
                ),
            ),
            (
                "*/20 * * jan,jul 0",
                (
                    {
                        "minute": "*/20",
                        "hour": "*",
                        "month": "jan,jul",
                        "day": "*",
                        "day_of_week": "sun",
                    },
                ),
            ),
            (
                "0 0 13 * 5",  # crontab: the 13th, and every Friday
                (
                    {"minute": "0", "hour": "0", "month": "*", "day": "13"},
                    {"minute": "0", "hour": "0", "month": "*", "day_of_week": "fri"},
                ),
            ),
        ],
    )
    def test_apscheduler_fields(
        self, expression: str, expected: tuple[dict[str, str], ...]
    ) -> None:
        """Weekdays go to APScheduler 3 as names (it counts Monday as 0); both day fields: OR;
        the other fields as written (APScheduler read them)."""
        assert expected == parse_cron(expression).apscheduler_fields()

    @pytest.mark.parametrize(
        ("expression", "expected"),
        [
            ("0 7 * * 1-5", ["Mon 02 07:00", "Tue 03 07:00", "Wed 04 07:00", "Thu 05 07:00"]),
            ("30 6 * * 0", ["Sun 01 06:30", "Sun 08 06:30", "Sun 15 06:30", "Sun 22 06:30"]),
            ("0 0 13 * 5", ["Fri 06 00:00", "Fri 13 00:00", "Fri 20 00:00", "Fri 27 00:00"]),
            ("0 0 3,5 * 2", ["Tue 03 00:00", "Thu 05 00:00", "Tue 10 00:00", "Tue 17 00:00"]),
        ],
    )
    def test_apscheduler_runs_when_crontab_would(
        self, expression: str, expected: list[str]
    ) -> None:
        """The triggers built from apscheduler_fields fire when crontab would (November 2026)."""
        cron_module = pytest.importorskip("apscheduler.triggers.cron")
        combining = pytest.importorskip("apscheduler.triggers.combining")
        triggers = [
            cron_module.CronTrigger(**f, timezone=UTC)
            for f in parse_cron(expression).apscheduler_fields()
        ]
        trigger = triggers[0] if len(triggers) == 1 else combining.OrTrigger(triggers)

        fired, now = [], datetime(2026, 11, 1, tzinfo=UTC)  # a Sunday
        for _ in expected:
            now = trigger.get_next_fire_time(None, now)
            fired.append(now.strftime("%a %d %H:%M"))
            now += timedelta(seconds=1)
        assert expected == fired


class TestEndpoints:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("192.168.10.21:5555", ("192.168.10.21", 5555)),
            ("[fd00::21]:5555", ("fd00::21", 5555)),
            ("[fe80::1%wlan0]:5555", ("fe80::1%wlan0", 5555)),
            ("lab-phone-07.example.com:5555", ("lab-phone-07.example.com", 5555)),
            ("phone_7:65535", ("phone_7", 65535)),
            ("localhost:1", ("localhost", 1)),
        ],
    )
    def test_parses(self, text: str, expected: tuple[str, int]) -> None:
        """Host names, IPv4, and IPv6 in brackets (returned without them), each with a port."""
        assert expected == parse_endpoint(text)

    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ("192.168.10.21", "is not host:port"),
            (":5555", "is not host:port"),
            ("fd00::21:5555", "an IPv6 address needs brackets"),
            ("[fd00::21]5555", "is not host:port"),
            ("[fd00::21]", "is not host:port"),
            ("[fd00::21:5555", "has no closing ]"),
            ("[fd00::zz]:5555", "'fd00::zz' is not an IPv6 address"),
            ("[10.0.0.1]:5555", "'10.0.0.1' is not an IPv6 address"),
            ("999.1.1.1:5555", "'999.1.1.1' is not an IPv4 address"),
            ("-bad.example:5555", "'-bad.example' is not a host name"),
            ("a b:5555", "'a b' is not a host name"),
            ("phone:0", "port '0' is not 1 to 65535"),
            ("phone:65536", "port '65536' is not 1 to 65535"),
            ("phone:adb", "port 'adb' is not 1 to 65535"),
        ],
    )
    def test_refuses(self, text: str, fragment: str) -> None:
        """Anything that is not host:port is refused, saying which part is wrong."""
        with pytest.raises(InvalidValue, match=re.escape(fragment)):
            parse_endpoint(text)

    def test_duplicates_are_scanned_once(self) -> None:
        """A phone listed twice in endpoints appears once, in the order first written."""
        data = MINIMAL + b'[tcp]\nendpoints = ["b:2", "a:1", "b:2"]\n'

        assert (("b", 2), ("a", 1)) == parse(data).tcp.endpoints


class TestInventory:
    def test_reads_one_endpoint_a_line(self) -> None:
        """Comments, blank lines and duplicates are skipped; IPv6 keeps working in brackets."""
        text = (
            "\ufeff# lab phones, exported by the MDM\n"
            "\n"
            "192.168.10.21:5555\n"
            "   lab-phone-07.example.com:5555   # desk 7\n"
            "[fd00::21]:5555\n"
            "192.168.10.21:5555\n"
            "#192.168.10.99:5555\n"
        )

        expected = (
            ("192.168.10.21", 5555),
            ("lab-phone-07.example.com", 5555),
            ("fd00::21", 5555),
        )
        assert expected == load_tcp_inventory(text, "phones.txt")

    @pytest.mark.parametrize("text", ["", "\n\n", "# nobody yet\n"])
    def test_empty_inventory_lists_no_phone(self, text: str) -> None:
        """A file without entries is valid: no TCP phones this round."""
        assert () == load_tcp_inventory(text, "phones.txt")

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("a:1\nb:2\n\n# c\nphone-without-port\n", "phones.txt:5: 'phone-without-port' is not"),
            ("a:1\nfd00::1:5555\n", "phones.txt:2: 'fd00::1:5555': an IPv6 address needs brackets"),
            ("a:1 b:2\n", "phones.txt:1: 2 entries on one line"),
            ("\r\nphone:99999\r\n", "phones.txt:2: port '99999' is not 1 to 65535"),
        ],
    )
    def test_bad_line_names_file_and_line(self, text: str, problem: str) -> None:
        """A bad line is an AgentConfigError naming file:line, the entry and the problem."""
        with pytest.raises(AgentConfigError) as caught:
            load_tcp_inventory(text, "phones.txt")

        assert caught.value.problem.startswith(problem)
        assert caught.value.hint


class TestDestinations:
    def test_parsed_once_for_every_user(self) -> None:
        """[destinations.NAME] tables come through parsed, once, as ``Destination``s the agent's
        senders and ``scan --send`` use (tests/reports/deliver/test_settings.py checks the content)."""
        data = MINIMAL + (
            b'[destinations.splunk]\ntype = "hec"\nurl = "https://splunk:8088"\nbatch = 100\n'
            b'token_env = "HEC_TOKEN"\n'
            b'[destinations.siem-syslog]\ntype = "syslog"\nhost = "siem"\nverify_tls = false\n'
        )

        destinations = parse(data).destinations

        assert ["splunk", "siem-syslog"] == list(destinations)
        assert ("hec", "https://splunk:8088", 100) == (
            destinations["splunk"].kind, destinations["splunk"].url, destinations["splunk"].batch
        )
        assert ("syslog", "siem", False) == (
            destinations["siem-syslog"].kind,
            destinations["siem-syslog"].host,
            destinations["siem-syslog"].verify_tls,
        )

    def test_read_only(self) -> None:
        """A reload compares configs; nobody may change a parsed one in place."""
        data = MINIMAL + b'[destinations.file]\ntype = "file"\npath = "/var/log/f.ndjson"\n'
        destinations = parse(data).destinations

        with pytest.raises(TypeError):
            destinations["file"] = destinations["file"]  # type: ignore[index]


class TestPseudonymKey:
    @pytest.mark.parametrize(
        ("policy_key", "environ", "expected"),
        [
            ("p" * 16, {"MSGSCAN_PSEUDONYM_KEY": "e" * 16}, "p" * 16),
            (None, {"MSGSCAN_PSEUDONYM_KEY": "e" * 16}, "e" * 16),
            ("", {"MSGSCAN_PSEUDONYM_KEY": "e" * 16}, "e" * 16),
        ],
    )
    def test_key_from_policy_then_environment(
        self, policy_key: str | None, environ: dict[str, str], expected: str
    ) -> None:
        """The policy's key wins, the environment is the fallback (the one rule, for scan and
        agent alike)."""
        assert expected == pseudonym_key(policy_key, environ)

    @pytest.mark.parametrize(
        ("environ", "fragment"),
        [({}, "none is set"), ({"MSGSCAN_PSEUDONYM_KEY": "short"}, "at least 16")],
    )
    def test_missing_or_short_key_names_the_setting(
        self, tmp_path: Path, environ: dict[str, str], fragment: str
    ) -> None:
        """pseudonymize = true with no usable key is refused before any phone is scanned, with
        or without a policy file, naming the config file and the setting."""
        data = b'[agent]\nstate_dir = "/s"\npseudonymize = true\n[schedule]\nevery = "6h"\n'

        with pytest.raises(AgentConfigError) as caught:
            load_policy(parse(data), environ)

        assert caught.value.problem.startswith(f"{SOURCE}: agent.pseudonymize: true, but ")
        assert fragment in caught.value.problem
        assert "MSGSCAN_PSEUDONYM_KEY" in caught.value.hint or "random" in caught.value.hint

    def test_off_needs_no_key(self) -> None:
        """pseudonymize = false (the default) asks for no key."""
        assert DEFAULT_POLICY is load_policy(parse(MINIMAL), {})


def _unit() -> dict[str, list[str]]:
    """``Section.Key`` → values of the unit file, in order."""
    found: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found.setdefault(f"{section}.{key}", []).append(value)
    return found


class TestSystemdUnit:
    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("Service.Type", "simple"),
            ("Service.ExecStart", "/usr/local/bin/msgscan agent --config /etc/msgscan/agent.toml"),
            ("Service.ExecReload", "/bin/kill -HUP $MAINPID"),
            ("Service.Restart", "on-failure"),
            ("Service.KillSignal", "SIGTERM"),
            ("Service.TimeoutStopSec", "15"),
            ("Service.User", "msgscan"),
            ("Service.SupplementaryGroups", "plugdev"),
            ("Service.StateDirectory", "msgscan"),
            ("Service.NoNewPrivileges", "yes"),
            ("Service.ProtectSystem", "strict"),
            ("Service.ProtectHome", "read-only"),
            ("Service.PrivateTmp", "yes"),
            ("Service.DeviceAllow", "char-usb_device rw"),
            ("Service.RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX AF_NETLINK"),
            ("Install.WantedBy", "multi-user.target"),
        ],
    )
    def test_sets(self, key: str, value: str) -> None:
        """The unit runs the agent as its own user, reloads on HUP and stops within 15 s."""
        assert [value] == _unit().get(key)

    def test_state_dir_matches_the_example(self) -> None:
        """The example's state_dir is the folder StateDirectory= creates."""
        config = parse(EXAMPLE.read_bytes())

        assert Path("/var/lib") / _unit()["Service.StateDirectory"][0] == config.agent.state_dir

    def test_systemd_analyze_verify(self, tmp_path: Path) -> None:
        """systemd itself finds nothing wrong (ExecStart pointed at an installed msgscan)."""
        program = Path(sys.executable).parent / "msgscan"
        for missing, what in ((shutil.which("systemd-analyze") is None, "systemd-analyze"),
                              (not program.exists(), f"{program} (pip install -e .)")):
            if missing:  # the project's machines have both: on CI a gap is a failure
                if os.environ.get("CI") == "true":
                    pytest.fail(f"{what} is not installed")
                pytest.skip(f"{what} is not installed")
        unit = tmp_path / UNIT.name
        unit.write_text(
            UNIT.read_text(encoding="utf-8").replace(
                "ExecStart=/usr/local/bin/msgscan ", f"ExecStart={program} "
            ),
            encoding="utf-8",
        )

        done = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", str(unit)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert (0, "", "") == (done.returncode, done.stdout, done.stderr)

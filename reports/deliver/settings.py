"""``[destinations.<name>]`` tables of the agent config, checked and typed.

Every mistake is a ``DestinationConfigError`` "FILE: destinations.NAME.key: problem" with a hint,
in the style of ``scanner.app.agent.config``. Secrets (HEC tokens, API keys, passwords) may be
written inline or, better, named by an environment variable (``token_env``); they are read when a
sink is built and never appear in an error or a log line.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from checks.errors import MsgscanError


class DestinationConfigError(MsgscanError):
    """A destination table that cannot be used: names the file, the key and the problem."""


KINDS = ("file", "stdout", "syslog", "hec", "elastic", "webhook")
_COMMON = ("type", "max_queue", "heartbeat", "batch", "timeout", "backoff", "backoff_max")
_TLS = ("ca_file", "verify_tls")
_KEYS: dict[str, tuple[str, ...]] = {
    "file": ("path", "format", "max_bytes", "keep"),
    "stdout": ("format",),
    "syslog": ("host", "port", "protocol", "format", "hostname", "enterprise_number", *_TLS),
    "hec": ("url", "token", "token_env", "sourcetype", "index", "source", "compress", "ack",
            "ack_timeout", *_TLS),
    "elastic": ("url", "index", "api_key", "api_key_env", "username", "password",
                "password_env", "compress", *_TLS),
    "webhook": ("url", "token", "token_env", "format", *_TLS),
}
_FORMATS = {"file": ("ocsf", "ecs"), "stdout": ("ocsf", "ecs", "cef"),
            "syslog": ("cef", "ocsf", "sd"), "webhook": ("ocsf", "ecs")}
_PROTOCOLS = {"udp": 514, "tcp": 514, "tls": 6514}
_DURATION = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")


@dataclass(frozen=True, slots=True)
class Destination:
    name: str
    kind: str
    max_queue: int = 100_000
    """Events kept for this destination; beyond it the oldest are dropped (and counted)."""
    heartbeat_s: float = 7 * 86400.0
    """Open findings are re-sent as Update this often (0: never)."""
    batch: int = 500
    timeout_s: float = 10.0
    backoff_s: float = 5.0
    """Retry delay base: a full-jitter random share of ``backoff * 2**failures``."""
    backoff_max_s: float = 3600.0
    format: str = "ocsf"
    path: Path | None = None
    max_bytes: int = 25 * 2**20
    keep: int = 25
    host: str | None = None
    port: int | None = None
    protocol: str = "tcp"
    hostname: str | None = None
    url: str | None = None
    sourcetype: str = "ocsf:msgscan:finding"
    index: str | None = None
    source: str = "msgscan"
    username: str | None = None
    ca_file: Path | None = None
    verify_tls: bool = True
    enterprise_number: int = 32473
    """syslog: the private enterprise number in the SD-IDs (``finding@N``). The default, 32473,
    is RFC 5612's number reserved for documentation: set your organisation's registered one."""
    compress: bool = True
    """hec, elastic: gzip each request body (``Content-Encoding: gzip``)."""
    ack: bool = False
    """hec: wait for indexer acknowledgement, so "delivered" means indexed (the token must have
    it enabled)."""
    ack_timeout_s: float = 60.0
    """hec with ``ack``: how long to poll for the acknowledgement before the batch is resent."""
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    """token / api_key / password: inline values or ``*_env`` names (resolved by ``secret``)."""

    def secret(self, name: str, environ: Mapping[str, str] = os.environ) -> str | None:
        """The secret ``name`` (token, api_key, password), from the config or its variable."""
        if name in self.secrets:
            return self.secrets[name]
        var = self.secrets.get(f"{name}_env")
        if var is None:
            return None
        value = environ.get(var)
        if not value:
            raise DestinationConfigError(
                f"destinations.{self.name}.{name}_env: the environment variable {var} is not set",
                hint=f"set {var} for the agent (systemd: in /etc/msgscan/agent.env)",
            )
        return value


def parse_duration_s(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str) and value and (m := _DURATION.fullmatch(value)):
        d, h, mi, s = (int(m[k] or 0) for k in "dhms")
        return float(((d * 24 + h) * 60 + mi) * 60 + s)
    return None


class _Reader:
    def __init__(self, source: str, name: str, table: Mapping[str, object]) -> None:
        self.source, self.name, self.table = source, name, table

    def fail(self, key: str, problem: str, hint: str) -> NoReturn:
        where = f"destinations.{self.name}" + (f".{key}" if key else "")
        raise DestinationConfigError(f"{self.source}: {where}: {problem}", hint=hint)

    def get(self, key: str, kind: type, default: Any = None) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = {str: "a string", int: "an integer", bool: "true or false"}[kind]
            self.fail(key, f"got {value!r}, expected {expected}", f"write e.g. {key} = "
                      + {str: '"..."', int: "100", bool: "true"}[kind])
        return value

    def required(self, key: str, kind: type, example: str) -> Any:
        if key not in self.table:
            self.fail(key, "missing", f"write {key} = {example}")
        return self.get(key, kind)

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value: str = self.get(key, str, default)
        if value not in choices:
            self.fail(key, f"got {value!r}, expected one of {', '.join(choices)}",
                      f'write {key} = "{default}" (the default)')
        return value

    def positive(self, key: str, default: int, low: int = 1) -> int:
        value: int = self.get(key, int, default)
        if value < low:
            self.fail(key, f"got {value}, expected at least {low}", f"write {key} = {default}")
        return value

    def duration(self, key: str, default: float) -> float:
        if key not in self.table:
            return default
        seconds = parse_duration_s(self.table[key])
        if seconds is None:
            self.fail(key, f"got {self.table[key]!r}, expected a duration",
                      'write e.g. "10s", "15m", "7d", or seconds without quotes (0.5)')
        return seconds

    def url(self) -> str:
        url: str = self.required("url", str, '"https://siem.example.org:8088"')
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            self.fail("url", f"got {url!r}, expected an https:// URL",
                      "write the receiver's base URL, e.g. https://siem.example.org:8088")
        if parts.username or parts.password:
            self.fail("url", "credentials in the URL would end up in logs",
                      "remove them from the URL; use token_env / api_key_env / password_env")
        return url

    def path(self, key: str, base: Path) -> Path:
        value: str = self.get(key, str)
        if not value.strip() or value.startswith("~"):
            self.fail(
                key,
                f"got {value!r}, expected a path",
                'write the full path, e.g. "/var/log/msgscan/findings.ndjson"',
            )
        return base / value

    def destination(self, base: Path) -> Destination:
        kind = self.table.get("type")
        if kind not in KINDS:
            close = difflib.get_close_matches(str(kind), KINDS, n=1)
            self.fail("type", f"got {kind!r}, expected one of {', '.join(KINDS)}",
                      (f"did you mean {close[0]}? " if close else "") + 'e.g. type = "syslog"')
        allowed = (*_COMMON, *_KEYS[kind])
        for key in self.table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                self.fail(key, f"unknown key for a {kind} destination; known: {', '.join(allowed)}",
                          (f"did you mean {close[0]}? " if close else "")
                          + "a misspelt key would be silently ignored, so msgscan refuses it")
        values: dict[str, Any] = {
            "max_queue": self.positive("max_queue", 100_000),
            "heartbeat_s": self.duration("heartbeat", 7 * 86400.0),
            "batch": self.positive("batch", 500),
            "timeout_s": self.duration("timeout", 10.0) or 10.0,
            "verify_tls": self.get("verify_tls", bool, True),
            "backoff_s": self.duration("backoff", 5.0) or 5.0,
            "backoff_max_s": self.duration("backoff_max", 3600.0) or 3600.0,
        }
        if kind in _FORMATS:
            values["format"] = self.choice("format", _FORMATS[kind], _FORMATS[kind][0])
        if "ca_file" in self.table:
            values["ca_file"] = self.path("ca_file", base)
        secrets = {k: self.get(k, str) for k in ("token", "token_env", "api_key", "api_key_env",
                                                  "password", "password_env") if k in self.table}
        for plain in ("token", "api_key", "password"):
            if plain in secrets and f"{plain}_env" in secrets:
                self.fail(plain, f"both {plain} and {plain}_env are set", f"keep {plain}_env")
        values["secrets"] = secrets
        match kind:
            case "file":
                if "path" not in self.table:
                    self.fail("path", "missing", 'write path = "/var/log/msgscan/findings.ndjson"')
                values["path"] = self.path("path", base)
                values["max_bytes"] = self.positive("max_bytes", 25 * 2**20, 4096)
                values["keep"] = self.positive("keep", 25)
            case "syslog":
                values["host"] = self.required("host", str, '"siem.example.org"')
                protocol = self.choice("protocol", ("tcp", "udp", "tls"), "tcp")
                port = self.get("port", int, _PROTOCOLS[protocol])
                if not 0 < port < 65536:
                    self.fail("port", f"got {port}, expected 1 to 65535", "write port = 6514")
                if protocol == "udp" and values.get("format") == "ocsf":
                    self.fail(
                        "format",
                        "OCSF JSON does not fit a UDP datagram (480 to 2048 octets)",
                        'use protocol = "tcp" or "tls", or format = "cef" or "sd"',
                    )
                pen = self.get("enterprise_number", int, 32473)
                if not 0 < pen < 2**31:
                    self.fail(
                        "enterprise_number",
                        f"got {pen}, expected a positive number",
                        "write your IANA private enterprise number, e.g. enterprise_number = 32473",
                    )
                values |= {"protocol": protocol, "port": port, "enterprise_number": pen,
                           "hostname": self.get("hostname", str)}
            case "hec":
                values["url"] = self.url()
                if "token" not in secrets and "token_env" not in secrets:
                    self.fail("token_env", "missing: HEC needs a token",
                              'write token_env = "MSGSCAN_HEC_TOKEN" and set that variable')
                st: str = self.get("sourcetype", str, "ocsf:msgscan:finding")
                values |= {"sourcetype": st, "index": self.get("index", str),
                           "source": self.get("source", str, "msgscan"),
                           "compress": self.get("compress", bool, True),
                           "ack": self.get("ack", bool, False),
                           "ack_timeout_s": self.duration("ack_timeout", 60.0) or 60.0}
            case "elastic":
                values["url"] = self.url()
                values["index"] = self.get("index", str, "logs-msgscan.finding-default")
                values["compress"] = self.get("compress", bool, True)
                values["username"] = self.get("username", str)
                if values["username"] and not {"password", "password_env"} & secrets.keys():
                    self.fail("password_env", "username without a password",
                              'write password_env = "MSGSCAN_ES_PASSWORD", or use api_key_env')
            case "webhook":
                values["url"] = self.url()
        return Destination(name=self.name, kind=kind, **values)


def parse_destinations(
    tables: Mapping[str, Mapping[str, object]], source: str, *, base_dir: Path = Path(".")
) -> dict[str, Destination]:
    """Every ``[destinations.NAME]`` table as a ``Destination``; raises on the first mistake."""
    return {name: _Reader(source, name, t).destination(base_dir) for name, t in tables.items()}


__all__ = ["KINDS", "Destination", "DestinationConfigError", "parse_destinations",
           "parse_duration_s"]

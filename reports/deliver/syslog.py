"""Syslog (RFC 5424) over UDP, TCP or TLS, with octet-counting framing on streams (RFC 6587).

Facility local0; severity from the finding's (critical 2, high 3, medium 4, low 5, info 6). The
structured data carries the finding (``finding@32473``) and the phone (``device@32473``); the
MSG part is the CEF line (``format = "cef"``, default), a BOM and the compact OCSF JSON
(``"ocsf"``, TCP/TLS only: it does not fit a datagram) or nothing (``"sd"``). The enterprise
number after ``@`` is ``enterprise_number`` in the destination; its default, 32473, is the number
RFC 5612 reserves for documentation and examples, not one registered to msgscan: an organisation
that wants SD-IDs of its own sets its IANA private enterprise number there.

Syslog has no application-level acknowledgement: a batch counts as delivered once the kernel took
it. On any error the connection is dropped and the whole batch is sent again on a new one, so a
receiver may see a batch twice (the event ids let it tell).
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Mapping, Sequence
from typing import Any

from reports.deliver.interface import Event, Receipt, TransientError
from reports.deliver.settings import Destination
from reports.render.cef import cef_from_ocsf
from reports.render.ecs import iso_ms
from reports.render.health import health_sd, is_health
from reports.render.ocsf import compact

FACILITY_LOCAL0 = 16
PEN = 32473
SEVERITY = {5: 2, 4: 3, 3: 4, 2: 5, 1: 6}
"""OCSF severity_id -> syslog severity (critical 2 ... informational 6)."""
_ACTIVITY = {1: "create", 2: "update", 3: "close", 99: "snapshot"}
BOM = "\ufeff"


def sd_name(text: str) -> str:
    """An SD-ID / PARAM-NAME: printable ASCII without ``=``, space, ``]``, ``"``; ≤ 32 chars."""
    return "".join(c for c in text if 33 <= ord(c) <= 126 and c not in '= ]"')[:32]


def sd_value(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")
    return text.replace("\n", " ").replace("\r", " ")


def _header_field(text: str | None, limit: int) -> str:
    cleaned = "".join(c for c in (text or "") if 33 <= ord(c) <= 126)[:limit]
    return cleaned or "-"


def rfc5424(ev: Mapping[str, Any], *, host: str | None, fmt: str, procid: int,
            pen: int = PEN) -> bytes:
    """One RFC 5424 message (no framing) for an OCSF event."""
    pri = FACILITY_LOCAL0 * 8 + SEVERITY.get(ev["severity_id"], 6)
    if is_health(ev):
        sd = _sd((("health", health_sd(ev)),), pen)
        return _message(ev, f"<{pri}>1 {iso_ms(ev['time'])} {_header_field(host, 255)} msgscan "
                        f"{procid} HEALTH {sd}", fmt, host)
    meta, info, comp, device = ev["metadata"], ev["finding_info"], ev["compliance"], ev["device"]
    finding = {
        "uid": info["uid"], "check": comp["control"], "activity": _ACTIVITY[ev["activity_id"]],
        "status": ev["unmapped"]["msgscan"]["status"],
        "severity": ev["unmapped"]["msgscan"]["severity"], "scan": meta["correlation_uid"],
    }
    dev = {"uid": device["uid"]}
    if device.get("model"):
        dev["model"] = device["model"]
    if device.get("os", {}).get("version"):
        dev["os"] = f"Android {device['os']['version']}"
    sd = _sd((("finding", finding), ("device", dev)), pen)
    head = (f"<{pri}>1 {iso_ms(ev['time'])} {_header_field(host, 255)} msgscan {procid} "
            f"{'SNAPSHOT' if ev['activity_id'] == 99 else 'FINDING'} {sd}")
    return _message(ev, head, fmt, host)


def _sd(elements: Sequence[tuple[str, Mapping[str, object]]], pen: int) -> str:
    return "".join(
        f"[{sd_name(sid)}@{pen}"
        + "".join(f' {sd_name(k)}="{sd_value(v)}"' for k, v in params.items())
        + "]"
        for sid, params in elements
    )


def _message(ev: Mapping[str, Any], head: str, fmt: str, host: str | None) -> bytes:
    match fmt:
        case "cef":
            return (head + " " + cef_from_ocsf(ev, host=host)).encode("utf-8")
        case "ocsf":
            return (head + " " + BOM).encode("utf-8") + compact(ev)
        case _:
            return head.encode("utf-8")


def octet_counted(message: bytes) -> bytes:
    return str(len(message)).encode("ascii") + b" " + message


class SyslogSink:
    def __init__(self, dest: Destination) -> None:
        assert dest.host is not None and dest.port is not None
        self.name, self.host, self.port = dest.name, dest.host, dest.port
        self.protocol, self.format, self.timeout = dest.protocol, dest.format, dest.timeout_s
        self.max_batch, self.max_bytes = dest.batch, 4 * 2**20
        self.hostname = dest.hostname or socket.gethostname()
        self.pen = dest.enterprise_number
        self._sock: socket.socket | None = None
        self._tls: ssl.SSLContext | None = None
        if self.protocol == "tls":
            ctx = ssl.create_default_context(cafile=str(dest.ca_file) if dest.ca_file else None)
            if not dest.verify_tls:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            self._tls = ctx

    def _connect(self) -> socket.socket:
        if self._sock is not None:
            return self._sock
        if self.protocol == "udp":
            family = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_DGRAM)[0]
            sock = socket.socket(family[0], socket.SOCK_DGRAM)
            sock.connect(family[4])
        else:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            if self._tls is not None:
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        sock.settimeout(self.timeout)
        self._sock = sock
        return sock

    def deliver(self, batch: Sequence[Event]) -> Receipt:
        pid = os.getpid()
        messages = [rfc5424(e.ocsf, host=self.hostname, fmt=self.format, procid=pid, pen=self.pen)
                    for e in batch]
        try:
            sock = self._connect()
            if self.protocol == "udp":
                for m in messages:
                    sock.send(m)
            else:
                sock.sendall(b"".join(octet_counted(m) for m in messages))
        except (OSError, ssl.SSLError) as e:
            self.close()
            raise TransientError(
                f"syslog {self.protocol} {self.host}:{self.port}: {e.__class__.__name__}: "
                f"{getattr(e, 'strerror', None) or e}",
                hint="check that the receiver runs and listens there "
                "(and its certificate, for tls)",
            ) from None
        return Receipt.all_done(batch)

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


__all__ = ["SyslogSink", "octet_counted", "rfc5424", "sd_name", "sd_value"]

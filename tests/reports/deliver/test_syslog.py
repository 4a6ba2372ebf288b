"""Syslog delivery to a real rsyslogd (UDP and TCP with octet counting) and over TLS."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from reports.deliver import spool
from reports.deliver.interface import Event, TransientError
from reports.deliver.sender import Sender
from reports.deliver.settings import Destination
from reports.deliver.syslog import SyslogSink, octet_counted, rfc5424, sd_value
from reports.render.cef import cef_from_ocsf
from reports.render.ocsf import snapshot_events
from tests.reports.deliver.peers import Rsyslog, assert_ocsf, free_port, need
from tests.reports.scans import handmade, scan

EVENTS = [Event(e["metadata"]["uid"], e) for e in snapshot_events(scan(handmade()))]


def syslog(port: int, protocol: str, fmt: str = "cef", **more: object) -> Destination:
    return Destination(name="siem", kind="syslog", host="127.0.0.1", port=port,
                       protocol=protocol, format=fmt, hostname="scanner-01", timeout_s=2.0,
                       **more)  # type: ignore[arg-type]


class TestFormat:
    def test_header_and_structured_data(self) -> None:
        """<PRI>1 TIMESTAMP HOST msgscan PROCID FINDING [finding@32473 ...][device@32473 ...]."""
        # TST-01 on WhatsApp (high); findings come severe first, so not necessarily the first
        ev = dict(next(e.ocsf for e in EVENTS if e.ocsf["compliance"]["control"] == "TST-01"))
        text = rfc5424(ev, host="scanner-01", fmt="sd", procid=2817).decode()

        assert text.startswith("<131>1 2026-11-21T09:30:04.250Z scanner-01 msgscan 2817 FINDING "
                               f'[finding@32473 uid="{ev["finding_info"]["uid"]}" check="TST-01"')
        assert '[device@32473 uid="R5CT1234ABC" model="Pixel 8" os="Android 14"]' in text

    def test_param_value_escaping(self) -> None:
        assert 'a\\"b\\\\c\\]d' == sd_value('a"b\\c]d')

    def test_octet_counting(self) -> None:
        assert b"11 <13>1 hello" == octet_counted(b"<13>1 hello")


def test_tcp_to_rsyslog(rsyslog: Rsyslog) -> None:
    """Every event reaches rsyslogd over TCP as RFC 5424 with the CEF line as its message,
    and rsyslog's own parser reads the priority, app name, msgid and structured data."""
    sink = SyslogSink(syslog(rsyslog.tcp, "tcp", "cef"))
    sink.deliver(EVENTS)
    sink.close()

    raw = rsyslog.lines("raw", count=len(EVENTS))
    parsed = [json.loads(line) for line in rsyslog.lines("parsed", count=len(EVENTS))]

    assert [cef_from_ocsf(e.ocsf, host="scanner-01") for e in EVENTS] == [
        line.split("] ", 1)[1] for line in raw]
    assert {("msgscan", "FINDING")} == {(p["app"], p["msgid"]) for p in parsed}
    assert {"130", "131", "132", "133", "134"} >= {p["pri"] for p in parsed}
    assert all(p["sd"].startswith("[finding@32473 uid=\"sha256:") for p in parsed)
    assert all(p["msg"].startswith("CEF:0|msgscan project|msgscan|") for p in parsed)


def test_tcp_ocsf_json_to_rsyslog(rsyslog: Rsyslog) -> None:
    """The OCSF form (3 KB JSON after a BOM) arrives whole over TCP and still validates."""
    sink = SyslogSink(syslog(rsyslog.tcp, "tcp", "ocsf"))
    sink.deliver(EVENTS)
    sink.close()

    parsed = [json.loads(line) for line in rsyslog.lines("parsed", count=len(EVENTS))]
    events = [json.loads(p["msg"].lstrip("\ufeff")) for p in parsed]

    assert [e.id for e in EVENTS] == [e["metadata"]["uid"] for e in events]
    assert len(EVENTS) == assert_ocsf(events)


def test_udp_to_rsyslog(rsyslog: Rsyslog) -> None:
    """The structured-data-only form fits a datagram; rsyslogd receives each one."""
    sink = SyslogSink(syslog(rsyslog.udp, "udp", "sd"))
    sink.deliver(EVENTS)
    sink.close()

    parsed = [json.loads(line) for line in rsyslog.lines("parsed", count=len(EVENTS))]

    assert len(EVENTS) == len(parsed)
    assert {e.ocsf["finding_info"]["uid"] for e in EVENTS} == {
        p["sd"].split('uid="', 1)[1].split('"', 1)[0] for p in parsed}


def test_rsyslog_restart_loses_nothing(tmp_path: Path) -> None:
    """Receiver down: the outbox keeps the events and retries; once it is up, all arrive."""
    program = need("rsyslogd", "rsyslog")
    from scanner.app.agent.state import State

    port = free_port()
    dest = syslog(port, "tcp", "cef", backoff_s=0.05, backoff_max_s=0.2)
    with State.open(tmp_path / "s.db") as db:
        with db.transaction() as tx:
            spool.enqueue(tx, "siem", EVENTS, max_queue=1000)
        sender = Sender(dest, SyslogSink(dest), db)
        assert not sender.flush(0.5)  # nobody listens yet
        assert "retrying" == spool.health(db, "siem")["state"]
        server = Rsyslog(program, tmp_path / "rsyslog", tcp_port=port)
        try:
            assert sender.flush(10)
            raw = server.lines("raw", count=len(EVENTS))
        finally:
            server.stop()
        figures = spool.health(db, "siem")
    assert len(EVENTS) == len(raw)
    assert (0, "ok") == (figures["queue_depth"], figures["state"])


@pytest.fixture
def tls_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A TLS syslog receiver (RFC 5425, octet counting) with a self-signed certificate."""
    need("openssl", "openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    frames: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    buf = b""
                    while chunk := tls.recv(65536):
                        buf += chunk
                        while b" " in buf:
                            size, rest = buf.split(b" ", 1)
                            if len(rest) < int(size):
                                break
                            frames.append(rest[: int(size)])
                            buf = rest[int(size):]
            except (ssl.SSLError, OSError):
                continue

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], cert, frames
    listener.close()


def test_tls_verified(tls_server) -> None:  # type: ignore[no-untyped-def]
    """TLS with the receiver's CA: delivered, octet-counted frames intact."""
    port, cert, frames = tls_server
    sink = SyslogSink(syslog(port, "tls", "ocsf", ca_file=cert))
    sink.deliver(EVENTS)
    sink.close()

    from tests.reports.deliver.peers import wait_for

    assert wait_for(lambda: len(frames) == len(EVENTS))
    assert all(f.startswith(b"<13") and b"FINDING" in f for f in frames)


def test_tls_refuses_an_unknown_certificate(tls_server) -> None:  # type: ignore[no-untyped-def]
    """Certificates are verified by default: a self-signed one without ca_file is a retry."""
    port, _, frames = tls_server
    sink = SyslogSink(syslog(port, "tls", "cef"))

    with pytest.raises(TransientError, match="CERTIFICATE_VERIFY_FAILED|SSLCertVerificationError"):
        sink.deliver(EVENTS)
    assert [] == frames

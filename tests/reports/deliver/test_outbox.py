"""The outbox in the state database: migration 2, one transaction with the finding state,
the file and stdout destinations, batch splitting on 413 and TLS verification for HTTPS."""

from __future__ import annotations

import io
import json
import sqlite3
import ssl
import subprocess
from pathlib import Path

import pytest

from reports.deliver import spool
from reports.deliver.file import FileSink, StdoutSink
from reports.deliver.hec import HecSink
from reports.deliver.interface import Event, TransientError
from reports.deliver.sender import Sender
from reports.deliver.settings import Destination
from reports.render.ocsf import snapshot_events
from scanner.app.agent.state import MIGRATIONS, SCHEMA_VERSION, State
from tests.reports.deliver.peers import Receiver, Reply, assert_ocsf, need
from tests.reports.scans import handmade, scan

EVENTS = [Event(e["metadata"]["uid"], e) for e in snapshot_events(scan(handmade()))]


def test_migration_2_upgrades_a_version_1_database(tmp_path: Path) -> None:
    """A state database of the previous msgscan gains the outbox tables and keeps its rows."""
    path = tmp_path / "msgscan.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute("INSERT INTO devices (id, via, first_seen, last_seen, last_state) VALUES"
                     " ('R5CT1234ABC', 'usb', 't', 't', 'scanned')")
        conn.execute("PRAGMA user_version = 1")

    with State.open(path) as db, db.transaction() as tx:
        version = tx.execute("PRAGMA user_version").fetchone()[0]
        devices = tx.execute("SELECT count(*) FROM devices").fetchone()[0]
        spool.enqueue(tx, "x", EVENTS[:1], max_queue=10)

    assert (SCHEMA_VERSION, SCHEMA_VERSION, 1) == (version, len(MIGRATIONS), devices)


def test_events_and_state_commit_together(state: State) -> None:
    """A failure while queueing rolls back the finding state written in the same transaction."""
    from datetime import UTC, datetime

    from scanner.app.agent.state import DeviceState, ScanRow, Via

    now = datetime.now(UTC)
    state.seen_device("R5CT1234ABC", via=Via.USB, state=DeviceState.SCANNED, at=now)
    result = scan(handmade())
    row = ScanRow(id=result.scan_id, round_id=None, device_id="R5CT1234ABC", started=now,
                  finished=now, state=DeviceState.SCANNED, complete=True)

    with pytest.raises(RuntimeError), state.transaction() as tx:
        state.apply_scan(tx, scan=row, findings=result.findings)
        spool.enqueue(tx, "x", EVENTS, max_queue=100)
        raise RuntimeError("crash between the state and the outbox")

    assert ([], 0) == (state.open_findings(), spool.health(state, "x")["queue_depth"])
    with state.transaction() as tx:
        state.apply_scan(tx, scan=row, findings=result.findings)
        spool.enqueue(tx, "x", EVENTS, max_queue=100)
    assert (True, len(EVENTS)) == (bool(state.open_findings()),
                                   spool.health(state, "x")["queue_depth"])


def test_file_rotates_by_size(tmp_path: Path, state: State) -> None:
    """NDJSON, one event per line; past max_bytes the file moves to .1, .2 … up to keep."""
    path = tmp_path / "out" / "findings.ndjson"
    dest = Destination(name="f", kind="file", path=path, max_bytes=8192, keep=2, batch=3)
    with state.transaction() as tx:
        spool.enqueue(tx, "f", EVENTS * 1, max_queue=1000)

    assert Sender(dest, FileSink(dest), state).flush(5)
    files = sorted(path.parent.iterdir())
    lines = [json.loads(line) for f in files for line in f.read_text().splitlines()]

    assert [p.name for p in files] == ["findings.ndjson", "findings.ndjson.1", "findings.ndjson.2"]
    assert all(p.stat().st_size <= 8192 for p in files)
    assert 0 < len(lines) <= len(EVENTS) and assert_ocsf(lines)


def test_stdout_cef() -> None:
    out = io.BytesIO()
    dest = Destination(name="o", kind="stdout", format="cef")
    StdoutSink(dest, stream=out).deliver(EVENTS)

    assert len(EVENTS) == len(out.getvalue().splitlines())
    assert out.getvalue().startswith(b"CEF:0|msgscan project|msgscan|")


def test_413_halves_the_batch(receiver: Receiver, state: State) -> None:
    """413 Payload Too Large: the batch is halved until the receiver takes it."""
    dest = Destination(name="splunk", kind="hec", url=receiver.url, secrets={"token": "t"},
                       batch=8, backoff_s=0.01)
    receiver.script = [Reply(413), Reply(413)]
    with state.transaction() as tx:
        spool.enqueue(tx, "splunk", EVENTS[:8], max_queue=100)

    assert Sender(dest, HecSink(dest), state).flush(5)
    sizes = [body.count(b'"sourcetype"') for _, _, body, _ in receiver.requests]
    assert [8, 4, 2] == sizes[:3]
    assert [e.id for e in EVENTS[:8]] == receiver.hec_ids()


@pytest.fixture
def https_receiver(tmp_path: Path):  # type: ignore[no-untyped-def]
    need("openssl", "openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = Receiver()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.server.socket = ctx.wrap_socket(server.server.socket, server_side=True)
    server.url = server.url.replace("http://", "https://")
    yield server, cert
    server.close()


def test_https_is_verified(https_receiver, state: State) -> None:  # type: ignore[no-untyped-def]
    """HTTPS to a private CA fails verification (a retry, never sent in clear) until ca_file
    names the CA; verify_tls = false is possible but never the default."""
    server, cert = https_receiver
    dest = Destination(name="splunk", kind="hec", url=server.url, secrets={"token": "t"})

    with pytest.raises(TransientError, match="CERTIFICATE_VERIFY_FAILED|SSLCertVerificationError"):
        HecSink(dest).deliver(EVENTS[:1])
    trusted = Destination(name="splunk", kind="hec", url=server.url, secrets={"token": "t"},
                          ca_file=cert)
    HecSink(trusted).deliver(EVENTS[:2])

    assert [e.id for e in EVENTS[:2]] == server.hec_ids()


@pytest.mark.parametrize(
    ("status", "kind"),
    [(408, "TransientError"), (425, "TransientError"), (429, "TransientError"),
     (500, "TransientError"), (502, "TransientError"), (503, "TransientError"),
     (504, "TransientError"), (507, "TransientError"), (413, "TooLarge"),
     (400, "Unacceptable"), (422, "Unacceptable"), (401, "RejectedError"),
     (403, "RejectedError"), (404, "RejectedError"), (410, "RejectedError")],
)
def test_status_codes(status: int, kind: str) -> None:
    """Retry 408, 425, 429, 5xx; split on 413; find the culprit on 400/422; park on other 4xx."""
    from reports.deliver.http import Client, Response

    client = Client(Destination(name="x", kind="webhook", url="https://siem.example.org"))
    with pytest.raises(Exception) as caught:
        client.check(Response(status, b"{}", None), "/p")
    assert kind == type(caught.value).__name__
    client.check(Response(200, b"", None), "/p")


def test_backoff_is_full_jitter_with_retry_after_as_floor() -> None:
    dest = Destination(name="x", kind="stdout", backoff_s=5.0, backoff_max_s=3600.0)
    top = Sender(dest, StdoutSink(dest), None, rand=lambda: 1.0)  # type: ignore[arg-type]
    low = Sender(dest, StdoutSink(dest), None, rand=lambda: 0.0)  # type: ignore[arg-type]

    assert [5.0, 10.0, 20.0, 3600.0] == [top.backoff(n, None) for n in (0, 1, 2, 20)]
    assert (0.0, 30.0, 3600.0) == (low.backoff(3, None), low.backoff(3, 30.0), top.backoff(20, 5))


def test_400_finds_the_event_at_fault(receiver: Receiver, state: State) -> None:
    """A webhook answering 400 for any batch holding one bad event: the batch is split until
    that event is alone; it is dead-lettered and every other event delivered."""
    from reports.deliver.http import WebhookSink

    bad = EVENTS[5].id
    dest = Destination(name="hook", kind="webhook", url=receiver.url, batch=8, backoff_s=0.01)
    with state.transaction() as tx:
        spool.enqueue(tx, "hook", EVENTS[:8], max_queue=100)
    sink = WebhookSink(dest)
    sent: list[str] = []
    real = sink.deliver

    def deliver(batch):  # type: ignore[no-untyped-def]
        if any(e.id == bad for e in batch):
            receiver.script.append(Reply(400, body=b'{"error":"field too long"}'))
        receipt = real(batch)
        sent.extend(receipt.done)
        return receipt

    sink.deliver = deliver  # type: ignore[method-assign]
    assert Sender(dest, sink, state).flush(5)
    assert [bad] == [d[0] for d in spool.dead_letters(state, "hook")]
    assert sorted(e.id for e in EVENTS[:8] if e.id != bad) == sorted(sent)

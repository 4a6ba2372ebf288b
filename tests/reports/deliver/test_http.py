"""HEC and _bulk delivery against a local HTTP server: retries, Retry-After, per-item failures,
stalled connections, parking on 4xx, tokens kept secret, and outage → recovery without loss."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import structlog

from reports.deliver import spool
from reports.deliver.elastic import ElasticSink
from reports.deliver.hec import HecSink
from reports.deliver.http import WebhookSink, retry_after
from reports.deliver.interface import Event
from reports.deliver.sender import Sender
from reports.deliver.settings import Destination
from reports.render.ocsf import snapshot_events
from scanner.app.agent.state import State
from tests.reports.deliver.peers import Receiver, Reply, assert_ocsf
from tests.reports.scans import SHIPPED, handmade, replayed, scan

TOKEN = "5e3f1c2a-hec-token-never-logged"
EVENTS = [Event(e["metadata"]["uid"], e) for e in snapshot_events(scan(handmade()))]
MANY = [Event(e["metadata"]["uid"], e) for n in SHIPPED for e in snapshot_events(scan(replayed(n)))]


def hec(receiver: Receiver, **more: object) -> Destination:
    values: dict[str, object] = {"backoff_s": 0.05, "backoff_max_s": 0.2, "timeout_s": 2.0,
                                 "batch": 4} | more
    return Destination(name="splunk", kind="hec", url=receiver.url, secrets={"token": TOKEN},
                       **values)  # type: ignore[arg-type]


def elastic(receiver: Receiver, **more: object) -> Destination:
    values: dict[str, object] = {"backoff_s": 0.05, "backoff_max_s": 0.2, "timeout_s": 2.0,
                                 "batch": 4} | more
    return Destination(name="es", kind="elastic", url=receiver.url,
                       secrets={"api_key": TOKEN}, **values)  # type: ignore[arg-type]


def queue(db: State, dest: Destination, events: Sequence[Event]) -> None:
    with db.transaction() as tx:
        spool.enqueue(tx, dest.name, events, max_queue=dest.max_queue)


class TestHec:
    def test_envelope(self, receiver: Receiver, state: State) -> None:
        """Batches of concatenated envelopes: ms/1000 time, the phone as host, the OCSF
        sourcetype, the token in the Authorization header; every event valid OCSF."""
        dest = hec(receiver)
        queue(state, dest, EVENTS)

        assert Sender(dest, HecSink(dest), state).flush(5)
        first = receiver.hec[0]
        assert [e.id for e in EVENTS] == receiver.hec_ids()
        assert ("ocsf:msgscan:finding", "R5CT1234ABC", 1795253404.25) == (
            first["sourcetype"], first["host"], first["time"])
        assert first["fields"]["finding_uid"] == first["event"]["finding_info"]["uid"]
        assert {f"Splunk {TOKEN}"} == {h["Authorization"] for _, h, _, _ in receiver.requests}
        assert len(EVENTS) // 4 + (len(EVENTS) % 4 > 0) == len(receiver.requests)
        assert len(EVENTS) == assert_ocsf(e["event"] for e in receiver.hec)

    def test_429_retry_after(self, receiver: Receiver, state: State) -> None:
        """A 429 with Retry-After: 1 delays the next attempt by at least a second."""
        dest = hec(receiver, batch=100)
        receiver.script = [Reply(429, {"Retry-After": "1"}, b'{"text":"Server is busy"}')]
        queue(state, dest, EVENTS)

        assert Sender(dest, HecSink(dest), state).flush(10)
        (_, _, _, first), (_, _, _, second) = receiver.requests
        assert second - first >= 1.0
        assert [e.id for e in EVENTS] == receiver.hec_ids()

    def test_503_then_success(self, receiver: Receiver, state: State) -> None:
        dest = hec(receiver, batch=100)
        receiver.script = [Reply(503), Reply(503), Reply(500)]
        queue(state, dest, EVENTS)

        assert Sender(dest, HecSink(dest), state).flush(10)
        assert 4 == len(receiver.requests)
        assert [e.id for e in EVENTS] == receiver.hec_ids()

    def test_invalid_event_is_dead_lettered(self, receiver: Receiver, state: State) -> None:
        """A 400 naming invalid-event-number 2: that event is dead-lettered, the rest sent."""
        dest = hec(receiver, batch=100)
        receiver.script = [Reply(400, body=b'{"text":"Invalid data format","code":6,'
                                           b'"invalid-event-number":2}')]
        queue(state, dest, EVENTS[:5])
        receiver.hec.clear()

        assert Sender(dest, HecSink(dest), state).flush(10)
        dead = list(spool.dead_letters(state, "splunk"))
        assert [EVENTS[2].id] == [d[0] for d in dead]
        assert [e.id for e in EVENTS[3:5]] == receiver.hec_ids()  # 0 and 1 were taken before
        assert 1 == spool.health(state, "splunk")["dead_letters"]

    def test_stalled_connection(self, receiver: Receiver, state: State) -> None:
        """A receiver that accepts and never answers costs one timeout, then a retry."""
        dest = hec(receiver, batch=100, timeout_s=0.5)
        receiver.script = [Reply(stall_s=30)]
        queue(state, dest, EVENTS)

        assert Sender(dest, HecSink(dest), state).flush(10)
        assert 2 == len(receiver.requests)
        assert [e.id for e in EVENTS] == receiver.hec_ids()

    def test_401_parks_and_keeps_the_token_secret(self, receiver: Receiver, state: State) -> None:
        """A 401 pauses the destination with an alert; queueing goes on; the token appears in
        no log line, error or stored row; resume() after a fix delivers everything."""
        dest = hec(receiver, batch=100)
        receiver.script = [Reply(401, body=f'{{"text":"Invalid token {TOKEN}","code":4}}'.encode())]
        queue(state, dest, EVENTS[:3])
        sender = Sender(dest, HecSink(dest), state)
        with structlog.testing.capture_logs() as logs:
            assert not sender.flush(5)
            queue(state, dest, EVENTS[3:])
            figures = spool.health(state, "splunk")
            sender.resume()
            assert sender.flush(5)
        assert ("paused", len(EVENTS)) == (figures["state"], figures["queue_depth"])
        alert = next(line for line in logs if line["event"] == "delivery.paused")
        assert "HTTP 401" in alert["problem"] and alert["log_level"] == "error"
        assert TOKEN not in repr(logs)
        assert TOKEN not in (figures["last_error"] or "") and "***" in figures["last_error"]
        stored = Path(state.path).read_bytes() + Path(f"{state.path}-wal").read_bytes()
        assert TOKEN.encode() not in stored
        assert [e.id for e in EVENTS] == receiver.hec_ids()


class TestBulk:
    def test_per_item_failures_inside_a_200(self, receiver: Receiver, state: State) -> None:
        """errors: true in a 200: 201/409 done, 429 retried, 400 dead-lettered, the rest sent."""
        dest = elastic(receiver, batch=100)
        receiver.script = [Reply(items=[201, 429, 400, 201, 503])]
        queue(state, dest, EVENTS[:5])

        assert Sender(dest, ElasticSink(dest), state).flush(10)
        assert {EVENTS[i].id for i in (0, 1, 3, 4)} == set(receiver.docs)
        assert [EVENTS[2].id] == [d[0] for d in spool.dead_letters(state, "es")]
        body = receiver.requests[1][2].decode().splitlines()
        assert [EVENTS[1].id, EVENTS[4].id] == [json.loads(b)["create"]["_id"] for b in body[::2]]
        assert {"create"} == {next(iter(json.loads(b))) for b in body[::2]}
        assert "ApiKey " + TOKEN == receiver.requests[0][1]["Authorization"]

    def test_lost_answer_is_resent_and_stored_once(self, receiver: Receiver, state: State) -> None:
        """Stored, but the answer never came: the batch is sent again and the data stream's
        409 for each _id already stored counts as delivered; every document stored once."""
        dest = elastic(receiver, batch=100)
        receiver.script = [Reply(lose_answer=True)]
        queue(state, dest, EVENTS)

        assert Sender(dest, ElasticSink(dest), state).flush(10)
        assert 2 == len(receiver.requests)
        assert {e.id for e in EVENTS} == set(receiver.docs)
        assert 0 == spool.health(state, "es")["dead_letters"]

    def test_ecs_documents(self, receiver: Receiver, state: State) -> None:
        dest = elastic(receiver)
        queue(state, dest, EVENTS)

        assert Sender(dest, ElasticSink(dest), state).flush(10)
        doc = receiver.docs[EVENTS[0].id]
        assert (EVENTS[0].id, "state") == (doc["event"]["id"], doc["event"]["kind"])
        assert "logs-msgscan.finding-default" == json.loads(
            receiver.requests[0][2].splitlines()[0])["create"]["_index"]


def test_outage_then_recovery_exactly_once(receiver: Receiver, state: State) -> None:
    """A long outage (503s, stalls, resets of the plan, 429s) while scans keep queueing: after
    recovery every event arrives, and after dedup by event id each exactly once."""
    dest = hec(receiver, batch=7, timeout_s=0.3)
    receiver.script = [Reply(503), Reply(stall_s=30), Reply(429, {"Retry-After": "0"}),
                       Reply(502), Reply(503), Reply(stall_s=30), Reply(504)]
    sender = Sender(dest, HecSink(dest), state)
    for chunk in range(0, len(MANY), 25):
        queue(state, dest, MANY[chunk:chunk + 25])
        sender.step()
    queue(state, dest, MANY[:10])  # a re-sent scan: the same event ids

    assert sender.flush(30)
    got = receiver.hec_ids()
    assert set(got) == {e.id for e in MANY}
    assert len(set(got)) == len(MANY)
    assert len(MANY) == assert_ocsf(e["event"] for e in receiver.hec)
    assert 0 == spool.health(state, "splunk")["queue_depth"]


def test_bounded_queue_counts_drops(state: State) -> None:
    """Beyond max_queue the oldest events go, and the drop counter says how many."""
    with state.transaction() as tx:
        dropped = spool.enqueue(tx, "x", EVENTS[:8], max_queue=5)
    figures = spool.health(state, "x")

    assert (3, 5, {"queue_full": 3}) == (dropped, figures["queue_depth"], figures["dropped"])
    kept = spool.pending(state, "x", limit=10, max_bytes=10**9)
    assert [e.id for e in EVENTS[3:8]] == [r.event.id for r in kept]


def test_webhook(receiver: Receiver, state: State) -> None:
    """The webhook gets a JSON array with a Bearer token."""
    dest = Destination(name="hook", kind="webhook", url=receiver.url + "/hook",
                       secrets={"token": TOKEN}, format="ocsf")
    queue(state, dest, EVENTS)

    assert Sender(dest, WebhookSink(dest), state).flush(5)
    path, headers, body, _ = receiver.requests[0]
    assert ("/hook", f"Bearer {TOKEN}") == (path, headers["Authorization"])
    assert len(EVENTS) == assert_ocsf(json.loads(body))


@pytest.mark.parametrize(
    ("header", "expected"),
    [("120", 120.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), (None, None)],
)
def test_retry_after(header: str | None, expected: float | None) -> None:
    """Retry-After in seconds or as an HTTP date (a past date means now)."""
    assert expected == retry_after(header)

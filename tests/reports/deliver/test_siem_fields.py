"""The SIEM fields exactly as each schema defines them: ECS 9.4.0 (read in place from
../shared/reference/ecs/), OCSF 1.5.0 (ocsf-json-schema), CEF's destination keys, the syslog
enterprise number as rsyslog parses it, and the HTTP deliveries (gzip, proxies, HEC ack)."""

from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from reports.deliver import spool
from reports.deliver.elastic import ElasticSink
from reports.deliver.hec import HecSink
from reports.deliver.http import proxy_for
from reports.deliver.interface import Event, TransientError
from reports.deliver.sender import Sender
from reports.deliver.settings import Destination, parse_destinations
from reports.deliver.syslog import SyslogSink
from reports.render.cef import cef_from_ocsf
from reports.render.ecs import ECS_VERSION, ecs_from_ocsf, with_data_stream
from reports.render.ocsf import report_events, snapshot_events
from reports.render.ocsf_context import GDPR_URL, STANDARD
from reports.report import build_report
from scanner.app.agent.state import State
from tests.reports.deliver.peers import Receiver, Rsyslog, assert_ocsf
from tests.reports.deliver.test_events import REAL, RULED
from tests.reports.scans import handmade, scan

ECS_YML = Path(__file__).resolve().parents[4] / "shared" / "reference" / "ecs" / "ecs_flat-9.4.0.yml"
EVENTS = [Event(e["metadata"]["uid"], e) for e in snapshot_events(scan(handmade()))]


@functools.cache
def ecs_fields() -> dict[str, Any]:
    import yaml

    assert ECS_YML.is_file(), f"{ECS_YML}: ECS 9.4.0 field definitions (../shared) are missing"
    return dict(yaml.safe_load(ECS_YML.read_text(encoding="utf-8")))


def _flat(doc: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name != "labels":
            yield from _flat(value, name + ".")
        else:
            yield name, value


_TYPES: dict[str, tuple[type, ...]] = {
    "keyword": (str,), "constant_keyword": (str,), "wildcard": (str,), "match_only_text": (str,),
    "text": (str,), "date": (str,), "long": (int,), "integer": (int,), "float": (float, int),
    "scaled_float": (float, int), "boolean": (bool,), "object": (dict,), "flattened": (dict,),
}


def ecs_problems(doc: Mapping[str, Any]) -> list[str]:
    """Each field of ``doc`` (outside our own ``msgscan.*``) that ECS 9.4.0 does not define
    with this type, or whose value is not among its allowed values."""
    fields, problems = ecs_fields(), []
    for name, value in _flat(doc):
        if name.startswith("msgscan."):
            continue
        spec = fields.get(name)
        if spec is None:
            problems.append(f"{name}: not an ECS 9.4.0 field")
            continue
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list) and "array" not in spec.get("normalize", []):
            problems.append(f"{name}: ECS does not make it an array")
        for v in values:
            if not isinstance(v, _TYPES[spec["type"]]) or isinstance(v, bool) != (spec["type"] == "boolean"):
                problems.append(f"{name}: {v!r} is not of ECS type {spec['type']}")
            if spec["type"] == "date":
                datetime.fromisoformat(v)
            allowed = [a["name"] for a in spec.get("allowed_values", [])]
            if allowed and v not in allowed:
                problems.append(f"{name}: {v!r} not allowed ({', '.join(allowed)})")
            expected = spec.get("expected_values")
            if expected and v not in expected:
                problems.append(f"{name}: {v!r} not an expected value ({', '.join(expected)})")
        if name == "labels":
            problems += [f"labels.{k}: not a keyword" for k, v in value.items() if not isinstance(v, str)]
        if name == "event.type":
            for category in doc["event"]["category"]:
                kinds = next(a.get("expected_event_types", []) for a in
                             fields["event.category"]["allowed_values"] if a["name"] == category)
                problems += [f"event.type {t} not expected with {category}" for t in values
                             if t not in kinds]
    return problems


class TestEcs:
    def test_every_field_is_ecs(self) -> None:
        """Every field every ECS document uses exists in ECS 9.4.0 with its type and allowed
        values (event.kind, category, type, outcome; host.os.type), also on _bulk documents."""
        docs = [ecs_from_ocsf(e, observer="scanner-01") for r in RULED + REAL for e in snapshot_events(r)]
        docs.append(with_data_stream(docs[0], "logs-msgscan.finding-default"))

        assert [] == [p for d in docs for p in ecs_problems(d)]
        assert "9.4.0" == ECS_VERSION

    def test_checker_catches_mistakes(self) -> None:
        """The check above fails for an unknown field, a wrong type and a value ECS forbids."""
        doc = ecs_from_ocsf(snapshot_events(RULED[0])[0])
        doc["event"]["outcome"] = "fail"
        doc["host"]["nonsense"] = "x"
        doc["event"]["severity"] = "high"
        assert 3 == len(ecs_problems(doc))

    def test_host_rule_observer(self) -> None:
        """host.name is the phone (Kibana's host views); rule.reference is a URL, the article
        section goes to labels.article; observer.hostname is this computer. A rule that serves no
        provision (the tests' own) has no reference."""
        doc = ecs_from_ocsf(snapshot_events(RULED[0])[0], observer="scanner-01")
        real = ecs_from_ocsf(snapshot_events(REAL[0])[0], observer="scanner-01")

        assert ("R5CT1234ABC", "R5CT1234ABC") == (doc["host"]["name"], doc["host"]["id"])
        assert ("reference" not in doc["rule"], GDPR_URL) == (True, real["rule"]["reference"])
        assert doc["labels"]["article"].startswith("Konfiguration")
        assert (STANDARD, "scanner-01") == (doc["rule"]["ruleset"], doc["observer"]["hostname"])

    def test_bulk_documents(self, receiver: Receiver, tmp_path: Path) -> None:
        """_bulk is gzip'd and the test server takes it; each document names its data stream
        and the agent's host as observer."""
        dest = Destination(name="es", kind="elastic", url=receiver.url, index="logs-msgscan.finding-prod",
                           secrets={"api_key": "k"}, timeout_s=2.0)
        with State.open(tmp_path / "s.db") as db:
            with db.transaction() as tx:
                spool.enqueue(tx, "es", EVENTS, max_queue=1000)
            assert Sender(dest, ElasticSink(dest), db).flush(5)

        assert {"gzip"} == {h.get("Content-Encoding") for _, h, _, _ in receiver.requests}
        assert len(EVENTS) == len(receiver.docs)
        doc = next(iter(receiver.docs.values()))
        assert {"type": "logs", "dataset": "msgscan.finding", "namespace": "prod"} == doc["data_stream"]
        assert socket.gethostname() == doc["observer"]["hostname"]
        assert [] == ecs_problems(doc)


class TestOcsf:
    def test_fields(self) -> None:
        """A scan's findings are Create events; the standard is the checklist (the policy is in
        unmapped); article and GDPR references with their URL; desc, types, status_detail."""
        events = [e for r in RULED + REAL for e in snapshot_events(r)]
        assert len(events) == assert_ocsf(events, ("1.5.0",))
        real = [e for r in REAL for e in snapshot_events(r)]
        e = next(e for e in real if e["compliance"]["control"] == "MSG-03")

        assert {1} == {e["activity_id"] for e in events}
        assert {(STANDARD,)} == {tuple(e["compliance"]["standards"]) for e in events}
        assert "default (article)" == e["unmapped"]["msgscan"]["policy"]["name"]
        refs = e["compliance"]["compliance_references"]
        assert refs[0]["uid"].startswith("article:") and "archivieren" in refs[0]["title"]
        assert {GDPR_URL} == {r["src_url"] for r in refs[1:]}
        assert "GDPR Art. 5(1)(e)" in [r["uid"] for r in refs]
        assert e["finding_info"]["desc"] and e["finding_info"]["types"][0]
        assert "Messenger Configuration" in e["finding_info"]["types"]
        assert all(isinstance(x["status_detail"], str) and x["status_detail"] for x in events)

    def test_from_a_saved_report(self) -> None:
        """A saved report gives the same events as the scan did, but for what the report does
        not keep: the build id and the milliseconds of the scan's time."""
        for result in REAL:
            live = snapshot_events(result)
            saved = report_events(json.loads(json.dumps(build_report(result))))
            for a, b in zip(live, saved, strict=True):
                a["device"]["os"].pop("build", None)
                for e in (a, b):
                    assert e.pop("time") // 1000 == e["finding_info"].pop("first_seen_time") // 1000
                    e["finding_info"].pop("last_seen_time")
            assert live == saved
            assert len(saved) == assert_ocsf(report_events(build_report(result)))


class TestCef:
    def test_destination_is_the_phone(self) -> None:
        """dvchost is the reporting host; the phone is dhost, its Android user duid; outcome in
        lower-case words."""
        lines = {e["compliance"]["status_code"]: cef_from_ocsf(e, host="scanner-01")
                 for e in snapshot_events(RULED[0]) if e["resources"][0].get("data")}
        line = lines["FAIL"]

        assert " dvchost=scanner-01 dhost=R5CT1234ABC duid=0 " in line
        assert "deviceExternalId" not in line
        assert " outcome=failure " in line and " outcome=success " in lines["PASS"]
        others = [line for code, line in lines.items() if code not in ("PASS", "FAIL")]
        assert others and all(" outcome=unknown " in line for line in others)


def test_syslog_enterprise_number_parsed_by_rsyslog(rsyslog: Rsyslog) -> None:
    """The configured enterprise number is in every SD-ID, and rsyslog parses it as such."""
    [dest] = parse_destinations({"siem": {"type": "syslog", "host": "127.0.0.1", "port": rsyslog.tcp,
                                          "format": "sd", "enterprise_number": 53864}}, "t").values()
    assert 32473 == parse_destinations({"s": {"type": "syslog", "host": "h"}}, "t")["s"].enterprise_number
    sink = SyslogSink(dest)
    sink.deliver(EVENTS)
    sink.close()

    parsed = [json.loads(line) for line in rsyslog.lines("parsed", count=len(EVENTS))]
    assert len(EVENTS) == len(parsed)
    assert all(p["sd"].startswith('[finding@53864 uid="') and '][device@53864 uid="' in p["sd"]
               for p in parsed)


class TestHec:
    def dest(self, receiver: Receiver, **more: Any) -> Destination:
        return Destination(name="splunk", kind="hec", url=receiver.url, secrets={"token": "t"},
                           timeout_s=2.0, **more)

    def test_gzip(self, receiver: Receiver) -> None:
        sink = HecSink(self.dest(receiver))
        sink.deliver(EVENTS[:3])
        (_, headers, _, _), = receiver.requests
        assert ("gzip", 3) == (headers["Content-Encoding"], len(receiver.hec))

    def test_indexer_ack(self, receiver: Receiver) -> None:
        """With ack, a batch is delivered only once Splunk says its ackId is indexed."""
        receiver.acks_after = 2  # two polls say "not yet"
        sink = HecSink(self.dest(receiver, ack=True))
        receipt = sink.deliver(EVENTS[:2])

        assert 2 == len(receipt.done) and [[0], [0], [0]] == receiver.ack_polls
        (_, headers, _, _), = receiver.requests
        assert headers["X-Splunk-Request-Channel"]

    def test_not_indexed_is_not_delivered(self, receiver: Receiver) -> None:
        receiver.acks_after = -1
        sink = HecSink(self.dest(receiver, ack=True, ack_timeout_s=0.5))
        with pytest.raises(TransientError, match="not indexed within"):
            sink.deliver(EVENTS[:2])

    def test_config(self) -> None:
        [d] = parse_destinations({"s": {"type": "hec", "url": "https://s:8088", "token": "x",
                                        "ack": True, "ack_timeout": "2m", "compress": False}},
                                 "t").values()
        assert (True, 120.0, False) == (d.ack, d.ack_timeout_s, d.compress)


class _Proxy:
    """A forward proxy that only records the first line of each request, then hangs up."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.seen: list[str] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.seen.append(conn.recv(4096).split(b"\r\n", 1)[0].decode())
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


def test_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY carries the request (a CONNECT to the SIEM); NO_PROXY hosts go direct."""
    proxy = _Proxy()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,.internal.example.org")
    dest = Destination(name="es", kind="elastic", url="https://siem.example.org:9200",
                       secrets={"api_key": "k"}, timeout_s=2.0)

    with pytest.raises(TransientError, match="via proxy"):
        ElasticSink(dest).deliver(EVENTS[:1])
    assert proxy.seen and proxy.seen[0].startswith("CONNECT siem.example.org:9200 ")
    assert proxy_for("https://es.internal.example.org:9200") is None
    assert proxy.url == proxy_for("https://siem.example.org")
    proxy.sock.close()


def test_agent_health_reaches_the_siem(receiver: Receiver, rsyslog: Rsyslog, tmp_path: Path) -> None:
    """The agent's health is an event in every destination: a paused HEC (401) is named in the
    health event the file and syslog destinations deliver, with queue depth and rounds; every
    rendition (OCSF Base Event, ECS, CEF, syslog) carries it."""
    from scanner.app.agent.delivery import Delivery
    from tests.reports.deliver.peers import Reply

    receiver.script = [Reply(401, body=b'{"text":"Invalid token","code":4}')]
    tables = {
        "splunk": {"type": "hec", "url": receiver.url, "token": "t", "backoff": 0.05},
        "log": {"type": "file", "path": str(tmp_path / "events.ndjson"), "format": "ecs"},
        "siem": {"type": "syslog", "host": "127.0.0.1", "port": rsyslog.tcp, "format": "cef"},
    }
    with State.open(tmp_path / "s.db") as db:
        delivery = Delivery.from_config(parse_destinations(tables, "t", base_dir=tmp_path), "t", db)
        with db.transaction() as tx:
            spool.enqueue(tx, "splunk", EVENTS[:2], max_queue=1000)
        delivery.flush(2)  # HEC answers 401: paused, its two events stay queued
        assert 3 == delivery.report_health(rounds=4, devices_seen=1)
        delivery.flush(5)
        delivery.close()

    [doc] = [json.loads(line) for line in (tmp_path / "events.ndjson").read_text().splitlines()]
    health = doc["msgscan"]["health"]
    assert ("metric", "msgscan.health") == (doc["event"]["kind"], doc["event"]["dataset"])
    assert (["splunk"], 4, 1) == (health["paused"], health["rounds"], health["devices_seen"])
    assert health["queue_depth"] >= 2 and [] == ecs_problems(doc)
    assert {"paused", "ok"} <= {d["state"] for d in health["destinations"]}

    [parsed] = [json.loads(line) for line in rsyslog.lines("parsed", count=1)]
    assert "HEALTH" == parsed["msgid"]
    assert parsed["sd"].startswith('[health@32473 rounds="4" queue_depth="')
    assert 'paused="splunk"' in parsed["sd"]
    assert parsed["msg"].startswith("CEF:0|msgscan project|msgscan|") and "|HEALTH|" in parsed["msg"]

    from reports.render.health import health_event

    ev = health_event(host="h", version="1", destinations=health["destinations"], rounds=4,
                      when=datetime.now().astimezone())
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema  # type: ignore[import-untyped]

    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version="1.5.0"))
    validator = Draft202012Validator(schema.get_class_schema(class_name="base_event", profiles=[]))
    assert [] == [e.message for e in validator.iter_errors(ev)]


def test_one_pending_health_event_per_destination(receiver: Receiver, tmp_path: Path) -> None:
    """A destination that is down keeps one health event, the newest, never a pile; the
    heartbeat sends again only when due or when a state changed; a round always does."""
    from scanner.app.agent.delivery import Delivery
    from tests.reports.deliver.peers import Reply

    receiver.script = [Reply(401)]
    tables = {"splunk": {"type": "hec", "url": receiver.url, "token": "t"}}
    with State.open(tmp_path / "s.db") as db:
        delivery = Delivery.from_config(parse_destinations(tables, "t", base_dir=tmp_path), "t", db)
        assert 1 == delivery.report_health(rounds=1)
        delivery.flush(2)  # 401: paused, the health event stays
        assert 1 == delivery.report_health(rounds=2, force=False)  # the state changed: sent
        assert 0 == delivery.report_health(rounds=2, force=False)  # nothing new: not yet
        assert 1 == delivery.report_health(rounds=3)  # after a round: always
        with db.transaction() as tx:
            rows = [json.loads(p) for (p,) in tx.execute("SELECT payload FROM outbox")]
        delivery.close()

    assert [3] == [r["unmapped"]["msgscan"]["health"]["rounds"] for r in rows]
    assert ["splunk"] == rows[0]["unmapped"]["msgscan"]["health"]["paused"]

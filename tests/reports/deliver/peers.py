"""Real peers for the delivery tests: rsyslogd on loopback ports, and a local HTTP server that
plays Splunk HEC and Elasticsearch ``_bulk`` (with scripted 429s, 503s, per-item failures and
stalled connections). Plus the offline OCSF validator every produced event goes through."""

from __future__ import annotations

import functools
import gzip
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

OCSF_VERSIONS = ("1.4.0", "1.5.0", "1.8.0")


@functools.cache
def ocsf_validator(version: str = "1.5.0") -> Any:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema  # type: ignore[import-untyped]

    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=version))
    return Draft202012Validator(schema.get_class_schema(class_name="compliance_finding", profiles=[]))


def ocsf_errors(event: Mapping[str, Any], version: str = "1.5.0") -> list[str]:
    return [f"{e.json_path}: {e.message[:160]}" for e in ocsf_validator(version).iter_errors(event)]


def assert_ocsf(events: Iterable[Mapping[str, Any]], versions: Iterable[str] = ("1.5.0",)) -> int:
    """Every event validates against each OCSF version, and its time is in milliseconds."""
    n = 0
    for event in events:
        for version in versions:
            assert [] == ocsf_errors(event, version), event["metadata"]["uid"]
        assert 10**12 < event["time"] < 10**13
        assert event["class_uid"] * 100 + event["activity_id"] == event["type_uid"]
        n += 1
    return n


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need(program: str, package: str) -> str:
    """The program's path; skips locally and fails on CI (CI=true) when it is missing."""
    found = shutil.which(program) or next(
        (p for p in (f"/usr/sbin/{program}", f"/sbin/{program}") if os.access(p, os.X_OK)), None)
    if found is None:
        reason = f"{program} is not installed (Debian package {package}; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


class Rsyslog:
    """rsyslogd in the foreground with its own config and work dir, UDP and TCP on loopback.

    Writes two files: ``raw`` (the message as received, framing removed) and ``parsed``
    (rsyslog's own reading of the RFC 5424 fields, one JSON object per line).
    """

    def __init__(self, program: str, home: Path, *, tcp_port: int | None = None) -> None:
        self.home = home
        self.udp, self.tcp = free_port(socket.SOCK_DGRAM), tcp_port or free_port()
        self.raw, self.parsed = home / "raw.log", home / "parsed.log"
        work = home / "work"
        work.mkdir(parents=True, exist_ok=True)
        conf = home / "rsyslog.conf"
        conf.write_text(f"""
global(workDirectory="{work}" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\\n")
template(name="parsed" type="list") {{
  constant(value="{{\\"pri\\":\\"") property(name="pri")
  constant(value="\\",\\"host\\":\\"") property(name="hostname" format="json")
  constant(value="\\",\\"app\\":\\"") property(name="app-name" format="json")
  constant(value="\\",\\"msgid\\":\\"") property(name="msgid" format="json")
  constant(value="\\",\\"sd\\":\\"") property(name="structured-data" format="json")
  constant(value="\\",\\"msg\\":\\"") property(name="msg" format="json")
  constant(value="\\"}}\\n")
}}
ruleset(name="in") {{
  action(type="omfile" file="{self.raw}" template="raw" asyncWriting="off" flushOnTXEnd="on")
  action(type="omfile" file="{self.parsed}" template="parsed" asyncWriting="off" flushOnTXEnd="on")
}}
input(type="imudp" address="127.0.0.1" port="{self.udp}" ruleset="in")
input(type="imtcp" address="127.0.0.1" port="{self.tcp}" ruleset="in")
""")
        self.proc = subprocess.Popen(
            [program, "-n", "-f", str(conf), "-i", str(home / "rsyslogd.pid")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited: {self.proc.stdout.read() if self.proc.stdout else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.tcp), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("rsyslogd did not start listening within 10 s")

    def lines(self, which: str = "raw", *, count: int, timeout: float = 10.0) -> list[str]:
        path = self.raw if which == "raw" else self.parsed
        deadline = time.monotonic() + timeout
        got: list[str] = []
        while time.monotonic() < deadline:
            got = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            if len(got) >= count:
                break
            time.sleep(0.05)
        return got

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    stall_s: float = 0.0
    """Accept the request, then say nothing for this long (a stalled connection)."""
    items: list[int] | None = None
    """_bulk: the status of each item, in order (None: all stored)."""
    delay_s: float = 0.0
    """Answer normally, but only after this long (a slow receiver)."""
    lose_answer: bool = False
    """Store what came, then never answer (the connection drops before the 200 arrives)."""


class Receiver:
    """A local HTTP server playing Splunk HEC and Elasticsearch ``_bulk``.

    ``script`` holds the replies for the next requests (then 200s). HEC events are kept as sent;
    ``_bulk`` documents are stored by ``_id`` the way a data stream does: ``create`` of an id
    stored already answers 409.
    """

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[tuple[str, dict[str, str], bytes, float]] = []
        self.hec: list[dict[str, Any]] = []
        self.docs: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.acks_after = 0
        """HEC indexer acknowledgement: polls answered "not yet" before an ackId is indexed
        (-1: never)."""
        self.ack_polls: list[list[int]] = []
        self._next_ack = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":  # as Splunk and ES take it
                    body = gzip.decompress(body)
                if self.path.startswith("/services/collector/ack"):
                    return self.answer(200, receiver.ack_answer(body))
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers), body, time.monotonic()))
                    reply = receiver.script.pop(0) if receiver.script else Reply()
                if reply.lose_answer:
                    receiver.accept(self.path, body, reply.items)
                    self.close_connection = True
                    return
                if reply.stall_s:
                    receiver.released.wait(reply.stall_s)
                    return
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                answer = reply.body
                if reply.status == 200 and answer is None:
                    answer = receiver.accept(self.path, body, reply.items)
                    if self.headers.get("X-Splunk-Request-Channel"):
                        answer = receiver.ack_id(answer)
                self.answer(reply.status, answer, reply.headers)

            def answer(self, status: int, answer: bytes | None,
                       headers: Mapping[str, str] | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer or b"")))
                self.end_headers()
                self.wfile.write(answer or b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accept(self, path: str, body: bytes, items: list[int] | None) -> bytes:
        if path == "/services/collector/event":
            decoder = json.JSONDecoder()
            text, at = body.decode("utf-8"), 0
            with self.lock:
                while at < len(text):
                    while at < len(text) and text[at].isspace():
                        at += 1
                    if at >= len(text):
                        break
                    obj, at = decoder.raw_decode(text, at)
                    self.hec.append(obj)
            return b'{"text":"Success","code":0}'
        if path == "/_bulk":
            lines = body.decode("utf-8").splitlines()
            out, errors = [], False
            with self.lock:
                for i in range(0, len(lines), 2):
                    action = json.loads(lines[i])["create"]
                    status = items[i // 2] if items else 201
                    if status == 201 and action["_id"] in self.docs:
                        status = 409
                    if status == 201:
                        self.docs[action["_id"]] = json.loads(lines[i + 1])
                    result: dict[str, Any] = {"_index": action["_index"], "_id": action["_id"],
                                              "status": status}
                    if status >= 300:
                        errors = True
                        result["error"] = {"type": "version_conflict_engine_exception"
                                           if status == 409 else "mapper_parsing_exception",
                                           "reason": f"status {status}"}
                    out.append({"create": result})
            return json.dumps({"took": 1, "errors": errors, "items": out}).encode()
        return b"{}"

    def ack_id(self, answer: bytes) -> bytes:
        with self.lock:
            ack, self._next_ack = self._next_ack, self._next_ack + 1
        return json.dumps({**json.loads(answer), "ackId": ack}).encode()

    def ack_answer(self, body: bytes) -> bytes:
        asked = [int(a) for a in json.loads(body)["acks"]]
        with self.lock:
            self.ack_polls.append(asked)
            indexed = self.acks_after >= 0 and len(self.ack_polls) > self.acks_after
        return json.dumps({"acks": {str(a): indexed for a in asked}}).encode()

    def hec_ids(self) -> list[str]:
        """The ids of the findings HEC received (not the agent's health events)."""
        with self.lock:
            return [e["event"]["metadata"]["uid"] for e in self.hec
                    if e["sourcetype"] != "msgscan:health"]

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()

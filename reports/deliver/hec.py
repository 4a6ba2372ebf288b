"""Splunk HTTP Event Collector: ``POST /services/collector/event``, events concatenated.

Each envelope: ``time`` (float seconds), ``host`` (the phone's uid), ``source``, ``sourcetype``
(default ``ocsf:msgscan:finding``: the ``ocsf:`` prefix is what Splunk's OCSF-CIM add-on and
Enterprise Security recognise), ``index`` if set, ``fields.finding_uid`` and the OCSF event.
The body is gzip'd (``compress = true``, the default).

A plain 200 means "looks valid", before indexing. With ``ack = true`` msgscan uses indexer
acknowledgement: every request names a channel (``X-Splunk-Request-Channel``), Splunk answers
with an ``ackId``, and the batch counts as delivered only once ``/services/collector/ack``
says that id is indexed; not acknowledged within ``ack_timeout`` (default 60 s), it is sent
again (the event ids let Splunk searches drop the duplicates). A 400 naming
``invalid-event-number`` dead-letters that event: Splunk took the ones before it, the ones
after it are sent again.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence

from reports.deliver.http import Client
from reports.deliver.interface import Event, Receipt, TransientError
from reports.deliver.settings import Destination
from reports.render.health import is_health

PATH = "/services/collector/event"
ACK_PATH = "/services/collector/ack"
HEALTH_SOURCETYPE = "msgscan:health"
"""The agent's health events (reports.render.health): not OCSF findings, so no ``ocsf:`` prefix."""


class HecSink:
    def __init__(self, dest: Destination) -> None:
        token = dest.secret("token")
        self.client = Client(dest, [token], compress=dest.compress)
        self.name, self.max_batch, self.max_bytes = dest.name, dest.batch, 2**20 - 1024
        self.sourcetype, self.index, self.source = dest.sourcetype, dest.index, dest.source
        self.headers = {"Authorization": f"Splunk {token}", "Content-Type": "application/json",
                        "User-Agent": "msgscan"}
        self.ack, self.ack_timeout = dest.ack, dest.ack_timeout_s
        if self.ack:
            self.headers["X-Splunk-Request-Channel"] = str(uuid.uuid4())

    def envelope(self, event: Event) -> bytes:
        ev = event.ocsf
        health = is_health(ev)
        env: dict[str, object] = {
            "time": ev["time"] / 1000,
            "host": ev["unmapped"]["msgscan"]["health"]["host"] if health else ev["device"]["uid"],
            "source": self.source, "sourcetype": HEALTH_SOURCETYPE if health else self.sourcetype}
        if self.index:
            env["index"] = self.index
        env["fields"] = ({"event_id": event.id} if health else
                         {"finding_uid": ev["finding_info"]["uid"], "event_id": event.id})
        env["event"] = ev
        return json.dumps(env, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def deliver(self, batch: Sequence[Event]) -> Receipt:
        resp = self.client.post(PATH, b"\n".join(self.envelope(e) for e in batch), self.headers)
        if resp.status == 400:
            try:
                answer = json.loads(resp.body)
                bad = int(answer["invalid-event-number"])
            except (ValueError, KeyError, TypeError):
                bad = -1
            if 0 <= bad < len(batch):
                why = self.client.mask(str(answer.get("text", "invalid event")))
                before = [e.id for e in batch[:bad]]
                return Receipt(
                    # with ack, what Splunk took is not known to be indexed: send it again
                    done=[] if self.ack else before,
                    dead={batch[bad].id: f"HEC 400: {why}"},
                    retry={
                        e.id: "after a rejected event"
                        for e in (batch if self.ack else batch[bad + 1 :])
                        if e is not batch[bad]
                    },
                    retry_after=0.0,
                )
        self.client.check(resp, PATH)
        if self.ack:
            self._wait_indexed(resp.body)
        return Receipt.all_done(batch)

    def _wait_indexed(self, answer: bytes) -> None:
        """Poll ``/services/collector/ack`` until the request's ackId is indexed."""
        try:
            ack_id = int(json.loads(answer)["ackId"])
        except (ValueError, KeyError, TypeError):
            raise TransientError(
                f"{self.client.where(PATH)}: no ackId in the answer",
                hint="enable indexer acknowledgement for this HEC token, or set ack = false",
            ) from None
        body = json.dumps({"acks": [ack_id]}).encode()
        deadline, pause = time.monotonic() + self.ack_timeout, 0.2
        while True:
            resp = self.client.post(ACK_PATH, body, self.headers, compress=False)
            self.client.check(resp, ACK_PATH)
            try:
                if json.loads(resp.body)["acks"][str(ack_id)] is True:
                    return
            except (ValueError, KeyError, TypeError):
                pass
            if time.monotonic() + pause > deadline:
                raise TransientError(
                    f"{self.client.where(ACK_PATH)}: ackId {ack_id} not indexed within "
                    f"{self.ack_timeout:g} s", hint="Splunk's indexers are slow or down; msgscan "
                    "sends the batch again")
            time.sleep(pause)
            pause = min(pause * 2, 5.0)

    def close(self) -> None:
        self.client.close()


__all__ = ["HecSink"]

"""Splunk HTTP Event Collector: ``POST /services/collector/event``, events concatenated.

Each envelope: ``time`` (float seconds), ``host`` (the phone's uid), ``source``, ``sourcetype``
(default ``ocsf:msgscan:finding``: the ``ocsf:`` prefix is what Splunk's OCSF-CIM add-on and
Enterprise Security recognise), ``index`` if set, ``fields.finding_uid`` and the OCSF event.
A 200 means "looks valid", before indexing (indexer acknowledgement is not used). A 400 naming
``invalid-event-number`` dead-letters that event: Splunk took the ones before it, the ones
after it are sent again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reports.deliver.http import Client
from reports.deliver.interface import Event, Receipt
from reports.deliver.settings import Destination

PATH = "/services/collector/event"


class HecSink:
    def __init__(self, dest: Destination) -> None:
        token = dest.secret("token")
        self.client = Client(dest, [token])
        self.name, self.max_batch, self.max_bytes = dest.name, dest.batch, 2**20 - 1024
        self.sourcetype, self.index, self.source = dest.sourcetype, dest.index, dest.source
        self.headers = {"Authorization": f"Splunk {token}", "Content-Type": "application/json",
                        "User-Agent": "msgscan"}

    def envelope(self, event: Event) -> bytes:
        ev = event.ocsf
        env: dict[str, object] = {"time": ev["time"] / 1000, "host": ev["device"]["uid"],
                                  "source": self.source, "sourcetype": self.sourcetype}
        if self.index:
            env["index"] = self.index
        env["fields"] = {"finding_uid": ev["finding_info"]["uid"], "event_id": event.id}
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
                return Receipt(
                    done=[e.id for e in batch[:bad]],
                    dead={batch[bad].id: f"HEC 400: {why}"},
                    retry={e.id: "after a rejected event" for e in batch[bad + 1:]},
                    retry_after=0.0,
                )
        self.client.check(resp, PATH)
        return Receipt.all_done(batch)

    def close(self) -> None:
        pass


__all__ = ["HecSink"]

"""Elasticsearch ``_bulk``: ECS documents into a data stream, ``create`` with ``_id`` = event id.

Data streams take only ``create``; a second ``create`` of the same ``_id`` answers 409, which
means the event is stored already (done). A 200 may carry ``"errors": true``: each item is
judged on its own (201/200/409 done; 429 and 5xx retry; anything else dead-lettered) and the
rest of the batch is not held back. Each document carries ``data_stream.{type,dataset,namespace}``
of its data stream and ``observer.hostname`` of this computer; the body is gzip'd by default.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Sequence
from typing import Any

from reports.deliver.http import RETRY, Client
from reports.deliver.interface import Event, Receipt, TransientError
from reports.deliver.settings import Destination
from reports.render.ecs import DATA_STREAM, ecs_from_ocsf, with_data_stream
from reports.render.health import is_health

PATH = "/_bulk"


class ElasticSink:
    def __init__(self, dest: Destination) -> None:
        api_key, password = dest.secret("api_key"), dest.secret("password")
        self.client = Client(dest, [api_key, password], compress=dest.compress)
        self.observer = socket.gethostname()
        self.name, self.max_batch, self.max_bytes = dest.name, dest.batch, 10 * 2**20
        self.index = dest.index or "logs-msgscan.finding-default"
        stream = DATA_STREAM.fullmatch(self.index)
        # the agent's health goes to its own data stream of the same type and namespace
        self.health_index = f"{stream[1]}-msgscan.health-{stream[3]}" if stream else self.index
        self.headers = {"Content-Type": "application/x-ndjson", "User-Agent": "msgscan"}
        if api_key:
            self.headers["Authorization"] = f"ApiKey {api_key}"
        elif dest.username:
            pair = f"{dest.username}:{password or ''}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")

    def body(self, batch: Sequence[Event]) -> bytes:
        lines = []
        for e in batch:
            index = self.health_index if is_health(e.ocsf) else self.index
            lines.append(json.dumps({"create": {"_index": index, "_id": e.id}}))
            doc = with_data_stream(ecs_from_ocsf(e.ocsf, observer=self.observer), index)
            lines.append(json.dumps(doc, separators=(",", ":"), ensure_ascii=False))
        return ("\n".join(lines) + "\n").encode("utf-8")

    def deliver(self, batch: Sequence[Event]) -> Receipt:
        resp = self.client.post(PATH, self.body(batch), self.headers)
        self.client.check(resp, PATH)
        try:
            answer = json.loads(resp.body)
            items = answer.get("items", []) if answer.get("errors") else None
        except (ValueError, AttributeError):
            raise TransientError(f"{self.client.where(PATH)}: the answer is not _bulk JSON",
                                 hint="check that the URL points at Elasticsearch") from None
        if items is None:
            return Receipt.all_done(batch)
        if len(items) != len(batch):
            raise TransientError(f"{self.client.where(PATH)}: {len(items)} items for {len(batch)}",
                                 hint="check that the URL points at Elasticsearch")
        receipt = Receipt()
        for event, item in zip(batch, items, strict=True):
            result: dict[str, Any] = next(iter(item.values()), {}) if isinstance(item, dict) else {}
            status = int(result.get("status", 0))
            error = result.get("error", {})
            why = f"{status} {error.get('type', '')}: {error.get('reason', '')}"[:300]
            if status in (200, 201, 409):
                receipt.done.append(event.id)
            elif status in RETRY or status >= 500:
                receipt.retry[event.id] = self.client.mask(why)
            else:
                receipt.dead[event.id] = self.client.mask(why)
        return receipt

    def close(self) -> None:
        self.client.close()


__all__ = ["ElasticSink"]

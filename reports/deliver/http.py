"""HTTPS for the HTTP destinations (Splunk HEC, Elasticsearch, webhook), on the standard library.

TLS is verified against the system's CAs (or ``ca_file``) unless ``verify_tls = false``. What a
status code means for the outbox (siem.md §6.2): 2xx done; 408, 425, 429, 500, 502-504 and every
network or TLS error retry (honouring ``Retry-After``, seconds or an HTTP date); 413 too large;
400 and 422 refuse the content (the caller pins them on events, or the outbox splits the
batch to find the one at fault); any other 4xx parks the destination.

Errors name the method, host and path and the status, never a header: tokens live in headers
only, and any secret echoed back in a response body is masked before the body is quoted.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import ssl
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from reports.deliver.interface import (
    Event,
    Receipt,
    RejectedError,
    TooLarge,
    TransientError,
    Unacceptable,
)
from reports.deliver.settings import Destination
from reports.render.ecs import ecs_from_ocsf

RETRY = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    retry_after: float | None


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds from now: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def tls_context(dest: Destination) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(dest.ca_file) if dest.ca_file else None)
    if not dest.verify_tls:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Client:
    """POSTs to one base URL; masks ``secrets`` in every message it makes."""

    def __init__(self, dest: Destination, secrets: Iterable[str | None] = ()) -> None:
        assert dest.url is not None
        parts = urlsplit(dest.url)
        self.name, self.timeout = dest.name, dest.timeout_s
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.base = parts.path.rstrip("/")
        self.context = tls_context(dest) if self.https else None
        self.secrets = [s for s in secrets if s]

    def mask(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        return text

    def where(self, path: str) -> str:
        return f"{self.name}: POST {self.host}:{self.port}{self.base}{path}"

    def post(self, path: str, body: bytes, headers: Mapping[str, str]) -> Response:
        conn: http.client.HTTPConnection
        if self.https:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                               context=self.context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", self.base + path, body=body, headers=dict(headers))
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, data, retry_after(resp.getheader("Retry-After")))
        except (OSError, http.client.HTTPException) as e:
            reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or str(e) or ""
            raise TransientError(
                self.mask(f"{self.where(path)}: {e.__class__.__name__} {reason}".rstrip()),
                hint="check the URL, that the receiver runs, and its certificate "
                "(ca_file for a private CA)",
            ) from None
        finally:
            conn.close()

    def check(self, resp: Response, path: str, *, pinned: Sequence[int] = ()) -> None:
        """Raise for a status the caller does not handle itself (``pinned``)."""
        if 200 <= resp.status < 300 or resp.status in pinned:
            return
        said = self.mask(resp.body[:200].decode("utf-8", "replace").replace("\n", " "))
        problem = f"{self.where(path)}: HTTP {resp.status} {said}".rstrip()
        if resp.status in RETRY or resp.status >= 500:
            raise TransientError(problem, hint="the receiver is busy or down; msgscan retries",
                                 retry_after=resp.retry_after)
        if resp.status == 413:
            raise TooLarge(problem, hint="lower batch for this destination")
        if resp.status in (400, 422):
            raise Unacceptable(problem, hint="the receiver refuses an event: see the dead letters")
        raise RejectedError(
            problem,
            hint="check the token or key, the URL and the receiver's permissions, then reload "
            "the agent (SIGHUP); events keep queueing meanwhile",
        )


class WebhookSink:
    """POSTs a JSON array of events (OCSF or ECS) with an optional Bearer token."""

    def __init__(self, dest: Destination) -> None:
        token = dest.secret("token")
        self.client = Client(dest, [token])
        self.name, self.format, self.max_batch = dest.name, dest.format, dest.batch
        self.max_bytes = 2**20
        self.headers = {"Content-Type": "application/json", "User-Agent": "msgscan"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def deliver(self, batch: Sequence[Event]) -> Receipt:
        docs = [e.ocsf if self.format == "ocsf" else ecs_from_ocsf(e.ocsf) for e in batch]
        body = json.dumps(docs, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        resp = self.client.post("", body, self.headers)
        self.client.check(resp, "")
        return Receipt.all_done(batch)

    def close(self) -> None:
        pass


__all__ = ["RETRY", "Client", "Response", "WebhookSink", "retry_after", "tls_context"]

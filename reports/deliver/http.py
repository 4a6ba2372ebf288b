"""HTTPS for the HTTP destinations (Splunk HEC, Elasticsearch, webhook), on urllib3.

One connection pool per destination (urllib3: keep-alive, TLS, a quick reconnect when a pooled
connection turns out dead; read errors are never retried here, the outbox decides). Proxies
come from the environment as curl and requests read them: ``HTTPS_PROXY`` (``HTTP_PROXY`` for
an http:// URL), and ``NO_PROXY`` for hosts to reach directly. Bodies of HEC and ``_bulk``
requests are gzip'd unless the destination says ``compress = false``.

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
import gzip
import json
import socket
import ssl
import time
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

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


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY`` / ``HTTP_PROXY``, upper or
    lower case), or None when there is none or ``NO_PROXY`` lists the host."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme)
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]  # no stub
    if not proxy or bypass(parts.netloc, proxies):
        return None
    return proxy if "://" in proxy else "http://" + proxy


class Client:
    """POSTs to one base URL over a pooled connection; masks ``secrets`` in every message."""

    def __init__(self, dest: Destination, secrets: Iterable[str | None] = (), *,
                 compress: bool = False) -> None:
        assert dest.url is not None
        parts = urlsplit(dest.url)
        self.name, self.timeout = dest.name, dest.timeout_s
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.base = parts.path.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.context = tls_context(dest) if self.https else None
        self.secrets = [s for s in secrets if s]
        self.compress = compress
        self.proxy = proxy_for(dest.url)
        options: dict[str, object] = {
            "timeout": urllib3.Timeout(connect=self.timeout, read=self.timeout),
            "retries": urllib3.Retry(total=1, connect=1, read=0, status=0, other=0,
                                     redirect=0, raise_on_status=False),
            "maxsize": 2,
        }
        if self.context is not None:
            options["ssl_context"] = self.context
            if not dest.verify_tls:
                options["cert_reqs"] = "CERT_NONE"
                options["assert_hostname"] = False
        self.pool: urllib3.PoolManager = (
            urllib3.ProxyManager(self.proxy, **options) if self.proxy  # type: ignore[arg-type]
            else urllib3.PoolManager(**options))  # type: ignore[arg-type]

    def mask(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        return text

    def where(self, path: str) -> str:
        return f"{self.name}: POST {self.host}:{self.port}{self.base}{path}"

    def post(self, path: str, body: bytes, headers: Mapping[str, str], *,
             compress: bool | None = None) -> Response:
        sent = dict(headers)
        if self.compress if compress is None else compress:
            body = gzip.compress(body, compresslevel=6, mtime=0)
            sent["Content-Encoding"] = "gzip"
        try:
            resp = self.pool.request("POST", self.origin + self.base + path, body=body,
                                     headers=sent, redirect=False, preload_content=True)
            return Response(resp.status, resp.data, retry_after(resp.headers.get("Retry-After")))
        except urllib3.exceptions.HTTPError as e:
            cause = getattr(e, "reason", None) or e
            reason = getattr(cause, "reason", None) or cause
            via = f" via proxy {urlsplit(self.proxy).netloc}" if self.proxy else ""
            raise TransientError(
                self.mask(f"{self.where(path)}{via}: {cause.__class__.__name__} {reason}".rstrip()),
                hint="check the URL, that the receiver runs, and its certificate "
                "(ca_file for a private CA)" + (", and the proxy (HTTPS_PROXY, NO_PROXY)"
                                                 if self.proxy else ""),
            ) from None

    def close(self) -> None:
        self.pool.clear()

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
        self.observer = socket.gethostname()
        self.max_bytes = 2**20
        self.headers = {"Content-Type": "application/json", "User-Agent": "msgscan"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def deliver(self, batch: Sequence[Event]) -> Receipt:
        docs = [e.ocsf if self.format == "ocsf" else ecs_from_ocsf(e.ocsf, observer=self.observer)
                for e in batch]
        body = json.dumps(docs, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        resp = self.client.post("", body, self.headers)
        self.client.check(resp, "")
        return Receipt.all_done(batch)

    def close(self) -> None:
        self.client.close()


__all__ = ["RETRY", "Client", "Response", "WebhookSink", "proxy_for", "retry_after", "tls_context"]

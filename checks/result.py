"""One finished scan, ready to report: what was collected, how it was judged, and when.

``ScanResult`` is the one input every renderer takes. It holds the snapshot with the phone's real
serial; ``device_name`` is what reports show instead (the serial itself, or a pseudonym made with
``pseudonym``), and ``reports.report.build_report`` keeps the real serial out of the output when
the two differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from msgspec import Struct

from checks.errors import UsageError
from checks.facts import Snapshot
from checks.findings import Finding
from checks.policy import Policy

PSEUDONYM_PREFIX = "anon-"
KEY_VARIABLE = "MSGSCAN_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
"""A shorter key lets anyone who knows a serial guess its pseudonym."""


class ScanResult(Struct, frozen=True):
    """A phone scanned and judged: the facts, the findings and the scan's own metadata."""

    scan_id: str
    """A random UUID (``str(uuid.uuid4())``) naming this scan in every output and log."""
    started: datetime
    """When collection began; timezone-aware (reports print it in UTC)."""
    finished: datetime
    """When judging ended; timezone-aware."""
    msgscan_version: str
    policy: Policy
    """The policy the findings were judged by (its name and digest go into the report)."""
    snapshot: Snapshot
    findings: tuple[Finding, ...]
    device_name: str
    """What the report calls the phone: its serial, or ``pseudonym(serial, key)``."""
    error: str | None = None
    """Why the scan could not complete (the phone was lost, collection stopped), or None."""

    def __post_init__(self) -> None:
        for name in ("started", "finished"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"ScanResult.{name} must be timezone-aware (UTC), got {value!r}")

    @property
    def pseudonymized(self) -> bool:
        """True when the report names the phone by something other than its serial."""
        return self.device_name != self.snapshot.serial


def pseudonym(serial: str, key: str) -> str:
    """A stable name for ``serial`` that cannot be turned back without ``key``.

    "anon-" and the first 16 hex digits of HMAC-SHA256(key, serial): the same key gives the same
    name on every scan, so waivers and trends still match one phone.
    """
    if not key:
        raise UsageError(
            "the pseudonym key is empty",
            hint="set MSGSCAN_PSEUDONYM_KEY (or pseudonym_key in the policy) to a secret string",
        )
    import hashlib  # here, not at the top: only --pseudonymize needs them (start-up)
    import hmac

    digest = hmac.new(key.encode("utf-8"), serial.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:16]


def pseudonym_key(policy_key: str | None, environ: Mapping[str, str]) -> str:
    """The key for pseudonyms: the policy's ``pseudonym_key``, else ``MSGSCAN_PSEUDONYM_KEY`` in
    ``environ``; raises UsageError when neither is set or the key is too short.

    The one rule for ``msgscan scan --pseudonymize`` and the agent's ``pseudonymize = true``.
    """
    key = policy_key or environ.get(KEY_VARIABLE)
    if not key:
        raise UsageError(
            "pseudonyms need a key, and none is set",
            hint=f"set pseudonym_key in the policy file or the {KEY_VARIABLE} environment "
            "variable (systemd: EnvironmentFile=); the same key gives the same pseudonym for a "
            "phone in every report",
        )
    if len(key) < MIN_KEY_LENGTH:
        raise UsageError(
            f"the pseudonym key is {len(key)} characters long; "
            f"at least {MIN_KEY_LENGTH} are needed",
            hint="a short key lets anyone who knows a serial guess the pseudonym: use a long "
            "random value (e.g. `openssl rand -hex 24`)",
        )
    return key


__all__ = ["KEY_VARIABLE", "MIN_KEY_LENGTH", "PSEUDONYM_PREFIX", "ScanResult", "pseudonym",
           "pseudonym_key"]

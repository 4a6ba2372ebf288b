"""One phone, start to finish: collect a snapshot, evaluate it, wrap it as a ``ScanResult``.

Shared by ``msgscan scan`` and the fleet agent. Like ``cli``, this is composition: it is the one
place besides them that joins scanner (collection), checks (judgement) and reports (the result).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

from checks.evaluate import evaluate
from checks.policy import Policy
from checks.result import ScanResult, pseudonym, pseudonym_key
from scanner import __version__
from scanner.collect import collect
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Transport


def device_name(serial: str, policy: Policy, pseudonymize: bool) -> str:
    """The name a report uses for the phone: its serial, or a keyed hash of it."""
    if not pseudonymize:
        return serial
    return pseudonym(serial, pseudonym_key(policy.pseudonym_key, os.environ))


def hide(text: str, serial: str, name: str) -> str:
    """``text`` with the serial replaced by the name reports use (a pseudonym, or itself)."""
    return text if serial == name or not serial else text.replace(serial, name)


def scan_result(
    transport: Transport,
    policy: Policy,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    deadline: float | None = None,
    pseudonymize: bool = False,
    today: date | None = None,
) -> ScanResult:
    device_name(transport.serial, policy, pseudonymize)  # a missing key fails before collecting
    started = datetime.now(UTC)
    snapshot = collect(transport, timeout=timeout, deadline=deadline)
    # Named by its own serial where the phone told it (TCP), else by how it was reached.
    device = device_name(snapshot.serial, policy, pseudonymize)
    findings = evaluate(snapshot, policy, today=today or date.today(), device=device)
    return ScanResult(
        scan_id=str(uuid.uuid4()),
        started=started,
        finished=datetime.now(UTC),
        msgscan_version=__version__,
        policy=policy,
        snapshot=snapshot,
        findings=findings,
        device_name=device,
        error=None
        if snapshot.complete
        else hide(hide("; ".join(dict.fromkeys(snapshot.problems)), transport.serial, device),
                  snapshot.serial, device)
        or "scan incomplete",
    )

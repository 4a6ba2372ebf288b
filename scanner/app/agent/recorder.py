"""What a round remembers of each phone: its device row, its scan, the finding lifecycle and
the SIEM events, written in one state transaction as soon as the phone is done.

A phone over TCP is known by its own serial once a scan read it (``addresses``); a failed
attempt at an address is recorded against the phone last seen there, and skipped when that phone
already answered at its new address in this round.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from checks.evaluate import summarize
from scanner.app.agent.addresses import Addresses
from scanner.app.agent.delivery import Delivery
from scanner.app.agent.known import ever_evaluated
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.rows import DeviceState, ScanRow, Via
from scanner.app.agent.state import State

__all__ = ["DEVICE_STATES", "Recorder", "device_state"]

log = structlog.get_logger("msgscan.agent")
DEVICE_STATES = frozenset(s.value for s in DeviceState)


def device_state(phone: PhoneOutcome) -> str:
    """The state the phone is recorded in: its outcome's, or "error" for one the state lacks."""
    match phone.state:
        case "scanned":
            return "scanned"
        case "interrupted":  # cut short by SIGTERM/SIGINT: nothing is wrong with the phone
            return "interrupted"
        case other:
            return other if other in DEVICE_STATES else "error"


class Recorder:
    """``Recorder(...)(phone)`` records one phone's outcome; one recorder per round."""

    def __init__(
        self,
        state: State,
        addresses: Addresses,
        delivery: Delivery,
        name: Callable[[str], str],
        round_id: int | None,
        drift: dict[str, Any],
        firsts: set[str] | None = None,
        switched_off: frozenset[str] = frozenset(),
    ) -> None:
        self.state = state
        self.addresses = addresses
        self.delivery = delivery
        self.name = name
        """A device id as reports call it (itself, or its pseudonym)."""
        self.round_id = round_id
        self.drift = drift
        """Filled in: device → its drift this round."""
        self.firsts = firsts
        """Filled in: devices whose findings were never evaluated before (not "new")."""
        self.reached: set[str] = set()
        """Phones scanned at some address this round."""
        self.switched_off = switched_off
        """Check ids the round's policy switched off: their findings are suppressed, never
        resolved (``checks.drift.diff``)."""

    def _device(self, phone: PhoneOutcome) -> str | None:
        """The device the outcome belongs to, or None when it is to be skipped."""
        device = phone.name or phone.target.id
        if phone.target.via != "tcp":
            return device
        # Known by its own serial, wherever it answers; pseudonymised, the address is an
        # identifier too, kept only as its pseudonym.
        address = self.name(phone.target.id)
        if phone.scanned is not None:
            self.addresses.remember(address, phone.scanned.device_name)
            self.reached.add(phone.scanned.device_name)
            return phone.scanned.device_name
        device = self.addresses.device_at(address) or device
        if device in self.reached:  # it answered at its new address in this round
            log.info("phone.moved", device=device, old_address=phone.target.id)
            return None
        return device

    def __call__(self, phone: PhoneOutcome) -> None:
        now = datetime.now(UTC)
        device = self._device(phone)
        if device is None:
            return
        state = DeviceState(device_state(phone))
        result = phone.scanned
        self.state.seen_device(
            device,
            via=Via(phone.target.via),
            state=state,
            at=now,
            error=phone.error,
            model=result.model if result is not None else None,
        )
        summary = summarize(result.findings, complete=result.complete) if result else None
        scan = ScanRow(
            id=result.scan_id if result else f"none-{device}-{now.timestamp():.6f}",
            round_id=self.round_id,
            device_id=device,
            started=result.started if result else now - timedelta(seconds=phone.seconds),
            finished=result.finished if result else now,
            state=state,
            complete=bool(result and result.complete),
            verdict=summary.verdict if summary else None,
            score=summary.score if summary else None,
            failed=summary.failed if summary else 0,
            report_path=str(phone.report_path) if phone.report_path else None,
            error=phone.error,
        )
        first = result is not None and not ever_evaluated(self.state, device)
        if self.firsts is not None and first:
            self.firsts.add(device)  # its findings were never looked at: not "new"
        with self.state.transaction() as tx:
            previous = self.state.previous(device)
            self.drift[device] = self.state.apply_scan(
                tx,
                scan=scan,
                findings=result.findings if result else None,
                switched_off=self.switched_off,
            )
            if result is not None:  # the events go with the finding state, or neither does
                self.delivery.record(tx, device, result, self.drift[device], previous, now=now)
        self.delivery.wake()

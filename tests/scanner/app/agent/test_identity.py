"""A stable identity for each phone: over TCP a phone is known by its own serial (getprop
``ro.serialno``), so the same phone on a new address stays one device, with the address a
separate field; an address that cannot be reached is recorded against the phone last seen there."""

from __future__ import annotations

import json
from msgspec.structs import replace
from pathlib import Path

from scanner.app.agent.service import Agent
from scanner.parse.getprop import serial_from_props
from scanner.recording import Recording
from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.phone import RecordedPhone
from tests.scanner.app.agent.test_agent import A16, phones, signer, start, write_config  # noqa: F401

OWN = "R5CX19SERIAL"


def with_serial(rec: Recording, serial: str) -> Recording:
    """A16 as a real phone prints getprop: with its serial (recordings keep none)."""
    commands = tuple(
        replace(c, stdout=c.stdout + f"[ro.serialno]: [{serial}]\n".encode())
        if c.argv[:1] == ("getprop",) else c
        for c in rec.commands
    )
    return replace(rec, commands=commands, meta={**rec.meta, "note": "test: ro.serialno added"})


def _server(rec: Recording) -> PhoneServer:
    return PhoneServer(RecordedPhone(rec), serial="ignored", product="pa3q", model="SM-S936B",
                       device="pa3q", auth=AuthPolicy(accept_any_key=True))


def test_placeholder_serials_name_no_phone() -> None:
    assert serial_from_props({"ro.serialno": OWN}) == OWN
    assert serial_from_props({"ro.serialno": "", "ro.boot.serialno": "abc12345"}) == "abc12345"
    assert serial_from_props({"ro.serialno": "0123456789ABCDEF"}) is None
    assert serial_from_props({"ro.serialno": "x;reboot"}) is None


def test_a_phone_that_changes_its_address_stays_one_device(
        tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    rec = with_serial(A16, OWN)
    assert any(c.argv[:1] == ("getprop",) for c in rec.commands)
    first = start(phones, _server(rec))
    config = write_config(tmp_path, [first.address])
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
    finally:
        agent.close()
    first.stop()
    second = start(phones, _server(rec))  # the same phone, a new port
    assert second.address != first.address
    write_config(tmp_path, [first.address, second.address])  # the old address is still listed
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
        devices = agent.state.devices()
        scans = agent.state.history(OWN)
    finally:
        agent.close()

    assert [d.id for d in devices] == [OWN]  # one device, not one per address
    assert [s.state for s in scans][:2] and {str(s.state) for s in scans} >= {"scanned"}
    report = json.loads((tmp_path / "state" / "reports" / f"{OWN}.json").read_text())
    assert report["device"]["serial"] == OWN and report["device"]["address"] == second.address
    summary = json.loads((tmp_path / "state" / "reports" / "fleet-summary.json").read_text())
    assert [d["device"] for d in summary["devices"]] == [OWN]
    assert summary["devices"][0]["address"] == second.address


def test_an_old_address_never_overrides_the_new_one_in_either_order(tmp_path: Path) -> None:
    from scanner.app.agent.addresses import Addresses

    book = Addresses(tmp_path)
    book.remember("10.0.0.5:5555", OWN)
    book.remember("10.0.0.9:5555", OWN)
    again = Addresses(tmp_path)  # persisted
    assert again.device_at("10.0.0.5:5555") == OWN == again.device_at("10.0.0.9:5555")
    assert again.address_of(OWN) == "10.0.0.9:5555"

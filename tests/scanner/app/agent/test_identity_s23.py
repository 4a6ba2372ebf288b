"""Phones that are not who they seem (session 23): two phones under one id in a round, and a
phone swapped behind the same address or serial. Neither may resolve the other's findings:
a resolved finding that was never fixed is a false pass in the history."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.app.agent.service import Agent
from scanner.simphone import AuthPolicy, PhoneServer
from tests.scanner.app.agent.test_agent import (  # noqa: F401
    A14,
    A16,
    SwitchablePhone,
    phones,
    signer,
    start,
    with_telegram,
    write_config,
)
from tests.scanner.app.agent.test_identity import _server, with_serial

CLONE = "CLONE0SERIAL42"  # cheap phones and clones share one serial
TELEGRAM = "MSG-07|org.telegram.messenger|0"


def _open(agent: Agent, device: str) -> dict[str, str]:
    return {str(k): t.lifecycle.value for k, t in agent.state.previous(device).items()}


def _round(config: Path, signer) -> Agent:  # type: ignore[no-untyped-def]
    agent = Agent(config, signer=signer)
    agent.scan_round()
    return agent


def _summary(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((tmp_path / "state" / "reports" / "fleet-summary.json").read_text())


def test_two_phones_with_one_serial_in_a_round_resolve_nothing(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """The same model twice (a Pixel 7a with Telegram, one without) answering as one serial: the
    clean one must not resolve the other's Telegram finding, in whichever order they finish."""
    with_tg = start(phones, _server(with_serial(with_telegram(), CLONE)))
    config = write_config(tmp_path, [with_tg.address])
    agent = _round(config, signer)
    try:
        assert _open(agent, CLONE)[TELEGRAM] == "new"
    finally:
        agent.close()
    clean = start(phones, _server(with_serial(A14, CLONE)))
    write_config(tmp_path, [with_tg.address, clean.address])
    for n in range(2):  # the round the second phone appears, and the one after
        agent = _round(config, signer)
        try:
            rows = agent.state.previous(CLONE)
            scans = agent.state.history(CLONE, limit=2)
            devices = {d.id: d for d in agent.state.devices()}
        finally:
            agent.close()
        key = next(k for k in rows if str(k) == TELEGRAM)
        assert rows[key].open, f"round {n + 2}: the clean clone resolved the other's finding"
        assert [str(s.state) for s in scans] == ["ambiguous", "ambiguous"], n
        assert all("answered as" in (s.error or "") for s in scans), scans
        assert str(devices[CLONE].last_state) == "ambiguous"
        summary = _summary(tmp_path)
        row = next(d for d in summary["devices"] if d["device"] == CLONE)
        assert row["state"] == "ambiguous" and "answered as" in row["error"]
        assert row["drift"] == {"new": [], "changed": [], "resolved": []}
        # each phone got its own report: two files, neither overwrote the other
        paths = {s.report_path for s in scans}
        assert len(paths) == 2 and all(p and Path(p).is_file() for p in paths), paths

def test_a_clean_round_after_the_twin_went_continues_the_history(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Once only one phone answers as the serial again, its history moves on (after one round
    that confirms the twin is gone) and a real fix is resolved."""
    phone = SwitchablePhone(with_serial(with_telegram(), CLONE))
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    _round(config, signer).close()  # one phone: Telegram's finding opens
    twin = start(phones, _server(with_serial(A14, CLONE)))
    write_config(tmp_path, [server.address, twin.address])
    _round(config, signer).close()  # two phones as one serial
    twin.stop()
    write_config(tmp_path, [server.address])
    phone.switch(with_serial(A14, CLONE))  # Telegram removed: fixed for real
    states = []
    for _ in range(2):
        agent = _round(config, signer)
        try:
            states.append(_open(agent, CLONE).get(TELEGRAM))
        finally:
            agent.close()
    # the round after the twins still changes nothing (the twin may be back); then it moves on
    # (open: "new", or "unchanged" when the phone with Telegram was the round's first scan)
    assert states[0] in ("new", "unchanged") and states[1] == "resolved", states


def test_a_swapped_phone_does_not_resolve_the_old_phones_findings(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Behind one address, a Samsung with WhatsApp and Telegram is replaced by a Pixel without
    them: the Samsung's failures stay open (under a retired id), the Pixel starts a new history,
    and the summary says so."""
    phone = SwitchablePhone(A16)
    server = start(phones, PhoneServer(phone, serial="x", product="pa2q", model="SM-S936B",
                                       device="pa2q", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    agent = _round(config, signer)
    try:
        before = {k for k, v in _open(agent, server.address).items() if v != "resolved"}
        old_failed = _summary(tmp_path)["devices"][0]["known_failed"]
    finally:
        agent.close()
    assert before and old_failed
    phone.switch(A14)  # another phone answers at the same address
    agent = _round(config, signer)
    try:
        now = _open(agent, server.address)
        devices = {d.id: d for d in agent.state.devices()}
        retired = [d for d in devices if d != server.address]
        kept = _open(agent, retired[0]) if retired else {}
    finally:
        agent.close()
    assert not any(v == "resolved" for k, v in now.items() if k in before), now
    assert len(retired) == 1, devices
    assert {k for k, v in kept.items() if v != "resolved"} == before  # nothing lost, none resolved
    assert str(devices[retired[0]].last_state) == "replaced"
    assert "SM-S936B" in (devices[retired[0]].last_error or "")
    assert "Pixel 7a" in (devices[retired[0]].last_error or "")
    summary = _summary(tmp_path)
    rows = {d["device"]: d for d in summary["devices"]}
    assert rows[server.address]["first_scan"] and rows[server.address]["model"] == "Pixel 7a"
    assert rows[retired[0]]["known_failed"] == old_failed and rows[retired[0]]["stale"]
    assert rows[retired[0]]["state"] == "replaced"
    assert summary["totals"]["resolved"] == 0


def test_the_same_phone_again_is_no_swap(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Updated or not, the same model behind the address continues its history."""
    phone = SwitchablePhone(with_telegram())
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    _round(config, signer).close()
    phone.switch(A14)
    agent = _round(config, signer)
    try:
        assert _open(agent, server.address)[TELEGRAM] == "resolved"
        assert [d.id for d in agent.state.devices()] == [server.address]
    finally:
        agent.close()

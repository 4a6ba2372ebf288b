"""review11: ``msgscan scan --send`` of a swapped phone before the agent's next round.

review10 made the one-shot send use the lineage the agent's state has for the id, which is
right once the agent has seen the swap. Between the swap and the agent's next round (a desk
plugs in the new phone and sends at once), the state's row still is the earlier phone's: its
lineage is that phone's, and the new phone's findings (its passes too) went out under the earlier
phone's finding uids, so a SIEM keyed by uid saw the earlier phone's open failures pass.
Fixed in ``scanner/app/cli/send.py`` (a few lines): when the scan's trait differs from the
row's (``identity.differs``, the agent's own swap rule), the events carry the lineage the agent
will give the new phone (``lineage.retire``'s next number).
"""

from __future__ import annotations

from pathlib import Path

from msgspec.structs import replace

from scanner import recording
from scanner.app.agent.service import Agent
from scanner.app.cli.core import main
from scanner.recording import DeviceLabel
from scanner.simphone import AuthPolicy, PhoneServer
from tests.scanner.app.agent.test_agent import (  # noqa: F401
    A14,
    A16,
    SwitchablePhone,
    phones,
    signer,
    start,
    write_config,
)
from tests.scanner.app.agent.test_identity_s23 import _events, _with_file_destination


def _one_round(  # noqa: F811
    tmp_path: Path,
    phones: list[PhoneServer],  # noqa: F811
    signer,  # type: ignore[no-untyped-def]  # noqa: F811
) -> tuple[Path, str, SwitchablePhone]:
    phone = SwitchablePhone(A16)
    auth = AuthPolicy(accept_any_key=True)
    server = start(
        phones,
        PhoneServer(phone, serial="x", product="pa2q", model="SM-S936B", device="pa2q", auth=auth),
    )
    config = _with_file_destination(write_config(tmp_path, [server.address]))
    agent = Agent(config, signer=signer)
    try:
        agent.scan_round()
        assert agent.delivery.flush(10)
    finally:
        agent.close()
    return config, server.address, phone


def _send(tmp_path: Path, config: Path, device: str, rec: recording.Recording) -> int:
    saved = tmp_path / "phone.json"
    recording.save(replace(rec, device=DeviceLabel(device)), saved)
    return main(["scan", "--replay", str(saved), "--send", "findings", "--config", str(config),
                 "-o", str(tmp_path / "r.json")])  # fmt: skip


def test_a_new_phone_sent_before_the_agent_saw_it_does_not_speak_for_the_old_one(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:  # fmt: skip
    config, device, phone = _one_round(tmp_path, phones, signer)  # the samsung phone
    first = _events(tmp_path)
    old_uids = {e["finding_info"]["uid"] for e in first}
    assert old_uids
    assert _send(tmp_path, config, device, A14) in (0, 1)  # the Pixel now answers as the id
    one_shot = _events(tmp_path)[len(first) :]
    assert one_shot and all(e["device"]["uid"] == device for e in one_shot)
    shared = {e["finding_info"]["uid"] for e in one_shot} & old_uids
    assert not shared, "the new phone's one-shot scan spoke under the samsung phone's uids"

    # the agent then sees the swap: the new phone's own uids are the ones the send used
    phone_uids = {e["finding_info"]["uid"] for e in one_shot}
    agent = Agent(config, signer=signer)
    try:
        phone.switch(A14)
        agent.scan_round()
        assert agent.delivery.flush(10)
    finally:
        agent.close()
    later = _events(tmp_path)[len(first) + len(one_shot) :]
    pixel = {e["finding_info"]["uid"] for e in later if e["device"].get("model") == "Pixel 7a"}
    assert pixel & phone_uids, "the agent gave the new phone other uids than the send used"


def test_the_same_phone_sent_again_keeps_its_uids(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:  # fmt: skip
    config, device, _ = _one_round(tmp_path, phones, signer)
    first = _events(tmp_path)
    assert _send(tmp_path, config, device, A16) in (0, 1)
    again = {e["finding_info"]["uid"] for e in _events(tmp_path)[len(first) :]}
    assert again & {e["finding_info"]["uid"] for e in first}

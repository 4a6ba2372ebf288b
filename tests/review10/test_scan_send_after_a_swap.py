"""review10: ``msgscan scan --send`` after a swap spoke with the earlier phone's finding uids.

fleet9 gave each phone behind one device id finding uids of its own (``lineage``: n > 0 enters
the uid hash), so that the new phone's events never touch the earlier phone's findings, which
the SIEM keeps open. ``msgscan scan --send`` opens the agent's state (its outbox) but sent every
finding, passing ones included, under lineage 0: after a swap those are the retired phone's
uids, and a SIEM that keys findings by uid took the new phone's "pass" as the old phone's open
failure passing. Now the one-shot send uses the lineage the agent's state has for the id.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from msgspec.structs import replace

from scanner import recording
from scanner.app.cli.core import main
from scanner.recording import DeviceLabel
from scanner.simphone import PhoneServer
from tests.scanner.app.agent.test_agent import A14, A16, phones, signer  # noqa: F401
from tests.scanner.app.agent.test_history_s24 import _swapped
from tests.scanner.app.agent.test_identity_s23 import _events


def test_a_one_shot_send_uses_the_phones_own_finding_uids(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:  # fmt: skip
    config, device = _swapped(tmp_path, phones, signer)  # A16 (samsung), then A14 (Pixel)
    agent_events = _events(tmp_path)
    first_phone = {e["finding_info"]["uid"] for e in agent_events if _model(e) != "Pixel 7a"}
    new_phone = {e["finding_info"]["uid"] for e in agent_events if _model(e) == "Pixel 7a"}
    assert first_phone and new_phone and not first_phone & new_phone
    sent_before = len(agent_events)

    saved = tmp_path / "pixel.json"
    recording.save(replace(A14, device=DeviceLabel(device)), saved)
    code = main(["scan", "--replay", str(saved), "--send", "findings", "--config", str(config),
                 "-o", str(tmp_path / "r.json")])  # fmt: skip
    assert code in (0, 1)
    one_shot = _events(tmp_path)[sent_before:]
    assert one_shot and all(e["device"]["uid"] == device for e in one_shot)
    uids = {e["finding_info"]["uid"] for e in one_shot}
    assert not uids & first_phone, "the new phone's scan spoke for the retired phone's findings"
    assert uids & new_phone


def _model(event: dict) -> str:  # type: ignore[type-arg]
    return str(event["device"].get("model"))


@pytest.fixture(autouse=True)
def _a16_is_samsung() -> None:
    assert b"SM-S936B" in b"".join(c.stdout for c in A16.commands if c.argv[:1] == ("getprop",))

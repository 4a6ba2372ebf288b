"""review9: the phone vanishes after the inventory's wave, before the second (other users'
storage roots and folders): nothing below those roots reads as absent, the snapshot says it is
incomplete, and user 0's folders (root and listings answered in the first wave) keep what they
said. Served over ADB/TCP by the simulated phone, cut by its own fault (the cable pulled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.facts import FolderSummary, Unseen
from scanner import collect as collect_module
from scanner.recordings import profiles
from scanner.recordings.construct import build
from scanner.simphone import Faults
from scanner.simphone.phone import phone_server
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport


def test_a_phone_lost_before_the_second_wave_leaves_other_users_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = profiles.dual_messenger_unknown_owner()
    rec = build(s, model="m", product="p", device="d")
    real = collect_module._second_wave
    signer = load_or_create_signer(tmp_path)
    with phone_server(rec) as phone:

        def cut(*args, **kw):  # type: ignore[no-untyped-def]
            phone.faults = Faults(drop_after_bytes=0)  # the next WRTE closes the connection
            return real(*args, **kw)

        monkeypatch.setattr(collect_module, "_second_wave", cut)
        transport = TcpTransport.connect(phone.host, phone.port, signer=signer, connect_timeout_s=5)
        try:
            snapshot = collect_module.collect(transport, timeout=5)
        finally:
            transport.close()
    assert not snapshot.complete and snapshot.interrupted_by == "lost"
    others = [e.summary for e in snapshot.storage if e.user_id != 0]
    assert others, "no storage evidence for users 10 and 95"
    assert all(isinstance(x, Unseen) for x in others), others
    mine = [e.summary for e in snapshot.storage if e.user_id == 0]
    assert mine and all(isinstance(x, FolderSummary) for x in mine), mine

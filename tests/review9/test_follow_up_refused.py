"""review9: a follow-up stream the phone refuses (CLSE instead of OKAY, as adbd answers an OPEN
it cannot serve, e.g. when it runs out of processes) ends the scan's wave honestly: no hang, the
snapshot incomplete, the refused stream's facts unknown, none of them read as absent or off."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from checks.facts import Unseen
from scanner.collect import collect
from scanner.recordings import profiles
from scanner.recordings.construct import build
from scanner.simphone import connection
from scanner.simphone.phone import phone_server
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport


def test_a_refused_follow_up_stream_leaves_its_facts_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = build(profiles.dual_messenger_unknown_owner(), model="m", product="p", device="d")
    real = connection.route
    refused: list[str] = []

    def route(service: str, features: tuple[str, ...]):  # type: ignore[no-untyped-def]
        if "bmgr enabled --user" in service or "bmgr" in service and "--user" in service:
            refused.append(service)
            return None  # CLSE(0, local): the OPEN refused
        return real(service, features)

    monkeypatch.setattr(connection, "route", route)
    signer = load_or_create_signer(tmp_path)
    with phone_server(rec) as phone:
        transport = TcpTransport.connect(phone.host, phone.port, signer=signer, connect_timeout_s=5)
        began = time.monotonic()
        try:
            snapshot = collect(transport, timeout=10)
        finally:
            transport.close()
    assert time.monotonic() - began < 9, "waited for a timeout instead of the CLSE"
    assert refused, "the per-user bmgr probes were not asked in a follow-up stream"
    assert not snapshot.complete
    assert snapshot.interrupted_by == "lost"
    for uid in (10, 95):
        got = snapshot.user_backups.get(uid)
        assert got is None or isinstance(got, Unseen), (uid, got)
    assert any("refused" in p for p in snapshot.problems), snapshot.problems

"""A farm of 50 different phones feeds one agent round; every phone's expected findings are met.

The farm (scanner/recordings/farm.py) states per phone what a scan must find, from its facts.
Expectations the 2026-12-02 checklist amendment changed (issue 11: Samsung Secure Folder does
not isolate WhatsApp; BYOD personal WhatsApp beside an MDM work profile is informational) are
strict xfails until that work merges: they fail today and must pass then.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from scanner.app.agent.service import Agent
from scanner.recordings.farm import FarmPhone, farm
from scanner.simphone import AuthPolicy
from scanner.simphone.phone import FarmSlot, farm_servers
from scanner.transport.keys import load_or_create_signer

from .test_agent import states, write_config

FARM = farm(50, seed=17)


def test_the_farm_differs_like_a_fleet() -> None:
    sdks = {p.sdk for p in FARM}
    kinds = Counter(k for p in FARM for k in p.profiles)
    assert {23, 36} <= sdks and len(sdks) >= 8
    assert len({p.maker for p in FARM}) >= 4
    assert all(kinds[k] for k in ("work", "secure_folder", "dual_messenger", "private"))
    assert {"ok", "slow", "unreachable", "unauthorized"} <= {p.reach for p in FARM}
    assert farm(50, seed=17) == FARM and farm(50, seed=18) != FARM  # deterministic from the seed
    assert [FarmPhone.from_json(json.loads(json.dumps(p.to_json()))) for p in FARM] == FARM


@pytest.fixture(scope="module")
def farm_round(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[FarmSlot], dict[str, str], dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("farm")
    signer = load_or_create_signer(tmp / "adbkey")
    with farm_servers(FARM, auth=AuthPolicy(accept_any_key=True)) as slots:
        config = write_config(tmp, [s.address for s in slots], timeout="30s")
        agent = Agent(config, signer=signer)
        try:
            agent.scan_round()
            got = states(agent)
        finally:
            agent.close()
        assert [] == [e for s in slots if s.server for e in s.server.errors]
    by_address = {}
    for path in (tmp / "state" / "reports").glob("*.json"):
        data = json.loads(path.read_text())
        if "device" in data:  # a phone is known by the address it was scanned at
            by_address[data["device"]["serial"]] = data
    reports = {s.phone.serial: by_address[s.address] for s in slots if s.address in by_address}
    return slots, got, reports


def test_every_phone_ends_in_the_state_its_reach_says(farm_round) -> None:  # type: ignore[no-untyped-def]
    slots, got, reports = farm_round
    want = {
        "ok": "scanned",
        "slow": "scanned",
        "unreachable": "unreachable",
        "unauthorized": "unauthorized",
    }
    assert {s.address: want[s.phone.reach] for s in slots} == got
    assert {s.phone.serial for s in slots if s.phone.reach in ("ok", "slow")} == set(reports)


def _found(reports: dict[str, Any], serial: str, e: dict[str, Any]) -> list[str]:
    return [
        f["status"]
        for f in reports[serial]["findings"]
        if f["check_id"] == e["check"]
        and f.get("package") == e["package"]
        and f.get("profile") == e["user"]
    ]


def test_settled_expectations_are_met(farm_round) -> None:  # type: ignore[no-untyped-def]
    """Every settled expectation of every scanned phone, in one assertion (a list of misses)."""
    _, _, reports = farm_round
    missed = []
    checked = 0
    for phone in FARM:
        if phone.reach not in ("ok", "slow"):
            continue
        for e in phone.expected:
            if e.get("pending"):
                continue
            checked += 1
            if e["status"] not in _found(reports, phone.serial, e):
                missed.append((phone.serial, e, _found(reports, phone.serial, e)))
    assert [] == missed
    assert checked >= 300

"""gaps11 (session 26): ``msgscan report`` renders a stored report's SIEM events with the finding
uids the agent gave that scan.

After a phone swap behind one id the agent gives the new phone finding uids of its own (its
lineage, docs/siem.md). ``msgscan report REPORT.json --format ocsf`` knew no lineage: the new
phone's events came out under the retired phone's uids, so a SIEM keyed by uid took the new
phone's passes for the old phone's open failures passing. With ``--config`` (the agent's state)
the report's events carry the uids the agent used for the same scan; without it, or when the
state has no such scan, every event says the lineage is unknown.

Real peers: the agent scans a simulated phone over TCP, swapped between rounds; ``msgscan
report`` runs as a subprocess.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from scanner.app.agent.service import Agent
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


def _rounds(tmp: Path, phones: list[PhoneServer], signer: Any) -> tuple[Path, list[Path]]:  # noqa: F811
    """A16 (samsung) then A14 (Pixel) behind one address; each round's report kept."""
    phone = SwitchablePhone(A16)
    server = start(phones, PhoneServer(phone, serial="x", product="pa2q", model="SM-S936B",
                                       device="pa2q", auth=AuthPolicy(accept_any_key=True)))
    config = _with_file_destination(write_config(tmp, [server.address]))
    kept = []
    for n, rec in enumerate((A16, A14)):
        phone.switch(rec)
        agent = Agent(config, signer=signer)
        try:
            agent.scan_round()
            assert agent.delivery.flush(10)
        finally:
            agent.close()
        (report,) = (tmp / "state" / "reports").glob("127.0.0.1_*.json")
        kept.append(shutil.copy(report, tmp / f"round{n}.json"))
    return config, [Path(p) for p in kept]


def _report(path: Path, fmt: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "report", str(path), "--format", fmt, *extra],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _lines(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _scan_id(report: Path) -> str:
    return str(json.loads(report.read_text())["scan"]["id"])


def _uids(events: list[dict[str, Any]]) -> set[str]:
    return {e["finding_info"]["uid"] for e in events}


def test_report_with_the_state_uses_the_agents_uids_for_the_same_scan(
    tmp_path: Path, phones: list[PhoneServer], signer: Any  # noqa: F811
) -> None:
    config, (first, second) = _rounds(tmp_path, phones, signer)
    agent = _events(tmp_path)
    by_scan = {s: _uids([e for e in agent if e["metadata"]["correlation_uid"] == s])
               for s in (_scan_id(first), _scan_id(second))}  # fmt: skip
    old_phone, new_phone = by_scan[_scan_id(first)], by_scan[_scan_id(second)]
    assert old_phone and new_phone and not old_phone & new_phone

    # the gap: without the state, the new phone's events speak with the retired phone's uids
    stateless = _lines(_report(second, "ocsf"))
    assert _uids(stateless) & old_phone
    assert all(e["unmapped"]["msgscan"]["lineage_unknown"] is True for e in stateless)

    # with it: the uids the agent gave this scan, never the retired phone's
    told = _lines(_report(second, "ocsf", "--config", str(config)))
    assert new_phone <= _uids(told) and not _uids(told) & old_phone
    assert {e["unmapped"]["msgscan"].get("lineage") for e in told} == {1}
    assert not any("lineage_unknown" in e["unmapped"]["msgscan"] for e in told)
    # the earlier phone's own report (its history retired since): its own uids, lineage 0
    earlier = _lines(_report(first, "ocsf", "--config", str(config)))
    assert old_phone <= _uids(earlier) and not _uids(earlier) & new_phone
    assert not any({"lineage", "lineage_unknown"} & set(e["unmapped"]["msgscan"]) for e in earlier)

    ecs = _lines(_report(second, "ecs", "--config", str(config)))
    assert {d["msgscan"]["finding"]["uid"] for d in ecs} == _uids(told)
    assert {d["msgscan"]["finding"].get("lineage") for d in ecs} == {1}
    cef = _report(second, "cef", "--config", str(config))
    assert cef.returncode == 0 and all("cs6Label=lineage cs6=1" in line
                                       for line in cef.stdout.splitlines())  # fmt: skip
    assert {line.split("cs1=")[1].split(" ")[0] for line in cef.stdout.splitlines()} == _uids(told)


def test_report_without_the_state_says_the_lineage_is_unknown_in_every_format(
    tmp_path: Path, phones: list[PhoneServer], signer: Any  # noqa: F811
) -> None:
    config, (_, second) = _rounds(tmp_path, phones, signer)
    ecs = _lines(_report(second, "ecs"))
    assert ecs and all(d["msgscan"]["finding"]["lineage_unknown"] is True for d in ecs)
    assert not any("lineage" in d["msgscan"]["finding"] for d in ecs)
    cef = _report(second, "cef")
    assert cef.returncode == 0 and cef.stdout
    assert all("cs6Label=lineage cs6=unknown" in line for line in cef.stdout.splitlines())

    # a scan the state never recorded (a one-off scan's report): unknown, and stderr says why
    other = tmp_path / "other.json"
    made = subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "scan", "--replay",
         str(Path("scanner/recordings/android14-work-profile-business.json").resolve()),
         "--format", "json", "-o", str(other)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode in (0, 1), made.stderr
    live = subprocess.run(  # a stateless scan's own events know no lineage either
        [sys.executable, "-m", "scanner.app.cli", "scan", "--replay",
         str(Path("scanner/recordings/android14-work-profile-business.json").resolve()),
         "--format", "ocsf"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert live.returncode in (0, 1), live.stderr
    assert all(json.loads(line)["unmapped"]["msgscan"]["lineage_unknown"] is True
               for line in live.stdout.splitlines())  # fmt: skip
    done = _report(other, "ocsf", "--config", str(config))
    events = _lines(done)
    assert events and all(e["unmapped"]["msgscan"]["lineage_unknown"] is True for e in events)
    assert f"has no scan {_scan_id(other)}" in done.stderr

    # a state that does not exist is a usage error, and none is created
    missing = tmp_path / "elsewhere.toml"
    missing.write_text(config.read_text().replace('state_dir = "state"', 'state_dir = "none"'))
    gone = _report(second, "ocsf", "--config", str(missing))
    assert gone.returncode == 2 and "no state database" in gone.stderr
    assert not (tmp_path / "none" / "msgscan.db").exists()

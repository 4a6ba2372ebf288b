"""review11: ``msgscan scan --send`` of one of two phones that answer as one id (twins).

The agent's rule for twins (README, "Fleet agent"): after two phones answered as one id in a
round, neither scan changes its history and nothing is resolved, until a round in which one
phone answers. ``scan --send`` uses the lineage the agent's state has for the id (review10,
review11), and for a held id that is the twins' shared history: a desk scan of the clean clone
sends its "pass" under the finding uid of the other clone's open failure, which a SIEM keyed by
uid takes as that failure passing. Two units of one model with a shared serial (clones) are the
case. Fixed by the lead (session 26): a send of a held id speaks under uids of that scan alone
(``ScanContext.twin``) and says so in every event; its failures still go out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec.structs import replace

from checks.policy import Policy
from scanner.app.agent.state import State
from scanner.app.cli.send import _events
from scanner.app.scan import scan_result
from scanner.recording import DeviceLabel, Recording
from scanner.replay import ReplayTransport
from tests.review9.harness import round_of
from tests.review10.test_partial_trait import with_props
from tests.scanner.app.agent.test_agent import A16

PATCHED = with_props(A16, {"ro.build.version.security_patch": "2026-11-05"})


def _by_check(events: list[dict[str, Any]], control: str) -> dict[str, str]:
    return {
        e["finding_info"]["uid"]: e["compliance"]["status"]
        for e in events
        if e["compliance"]["control"] == control
    }


def _one_shot(rec: Recording, state: State) -> list[dict[str, Any]]:
    result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel("T"))), Policy())
    return _events(result, state)


def test_the_clones_differ_in_dev_01() -> None:
    with_old = {e["compliance"]["status"] for e in _one_shot_free(A16) if _dev01(e)}
    with_new = {e["compliance"]["status"] for e in _one_shot_free(PATCHED) if _dev01(e)}
    assert with_old == {"Fail"} and with_new == {"Pass"}


def _dev01(e: dict[str, Any]) -> bool:
    return bool(e["compliance"]["control"] == "DEV-01")


def _one_shot_free(rec: Recording) -> list[dict[str, Any]]:
    from reports.render.ocsf import snapshot_events

    return snapshot_events(scan_result(ReplayTransport(rec), Policy()))


def test_a_twins_pass_does_not_carry_the_other_twins_failure_uid(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(A16, "T")])  # one phone: DEV-01 fails, open
        twins = round_of(state, tmp_path, [(A16, "T"), (PATCHED, "T")])  # its clone beside it
        assert {o.state for o in twins} == {"ambiguous"}, [o.error for o in twins]
        failing = {u for u, s in _by_check(_one_shot(A16, state), "DEV-01").items() if s == "Fail"}
        passing = {u for u, s in _by_check(_one_shot(PATCHED, state), "DEV-01").items()}
        assert failing and passing
        assert not failing & passing, "the clean clone's pass closes the other's open failure"


def test_a_twins_send_still_reports_its_failures_and_says_it_is_a_twin(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(A16, "T")])
        round_of(state, tmp_path, [(A16, "T"), (PATCHED, "T")])
        first, again = _one_shot(A16, state), _one_shot(A16, state)
        assert "Fail" in _by_check(first, "DEV-01").values()  # the failure still goes out
        for e in first:
            native = e["unmapped"]["msgscan"]
            assert native["twin"] is True and native["lineage_unknown"] is True
        assert not set(_by_check(first, "DEV-01")) & set(_by_check(again, "DEV-01"))


def test_a_phone_answering_alone_keeps_its_uids(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(A16, "T")])
        events = _one_shot(A16, state)
    with State.open(tmp_path / "empty.db") as empty:  # no history: lineage 0's uids
        assert _by_check(events, "DEV-01") == _by_check(_one_shot(A16, empty), "DEV-01")
        assert all("twin" not in e["unmapped"]["msgscan"] for e in events)

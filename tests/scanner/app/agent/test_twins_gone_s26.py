"""gaps11 (session 26): a twin that vanishes keeps its failures on the fleet page.

Two phones answer as one id with the same identity (clones: one serial, one model); one of them
disappears. The fleet page found the twins in the round of the id's last evaluated scan, so as
soon as the other clone answered alone (the held round, then its history moving on) the
vanished clone's failures left the page, though no scan of that phone resolved them. Now the
twins' round is the id's last round with twins (``devices.ambiguous_round``): its failures and
columns stay until a round in which two phones answer again, a swap (they move with the
history), or the operator's ``msgscan agent --adopt ID`` (a subprocess here).

The rounds are the agent's own recorder with real scans (replays of the shipped recordings: the
transport boundary), each twin's report written by the agent's report writer.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from msgspec.structs import replace

from checks.policy import Policy
from reports.render.json import JsonRenderer
from scanner.app.agent.known import last_known
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.scanned import ReportJob, written
from scanner.app.agent.state import State
from scanner.app.agent.summary import fleet_summary
from scanner.app.agent.targets import Target
from scanner.app.scan import scan_result
from scanner.recording import Command, DeviceLabel, Recording
from scanner.replay import ReplayTransport
from tests.review9.harness import recorder
from tests.scanner.app.agent.test_agent import A14, A16, write_config

SAMSUNG = {"brand": "samsung", "device": "pa2q", "manufacturer": "samsung", "model": "SM-S936B"}


def dressed(rec: Recording, props: dict[str, str]) -> Recording:
    """``rec`` answering getprop with ``props`` as its ``ro.product.*`` (another model's name:
    a clone); a value "" drops that property from the output (a property gone)."""

    def getprop(c: Command) -> Command:
        lines = []
        for line in c.stdout.decode().splitlines():
            key = line.partition("]")[0].removeprefix("[")
            name = key.removeprefix("ro.product.")
            if key.startswith("ro.product.") and name in props:
                if not props[name]:
                    continue
                line = f"[{key}]: [{props[name]}]"
            lines.append(line)
        return replace(c, stdout=("\n".join(lines) + "\n").encode())

    cmds = tuple(getprop(c) if c.argv == ("getprop",) else c for c in rec.commands)
    return replace(rec, commands=cmds)


CLEAN_CLONE = dressed(A14, SAMSUNG)
"""A Samsung SM-S936B to getprop, like A16, with none of A16's failures."""


def a_round(state: State, tmp: Path, serial: str, *recs: Recording) -> list[PhoneOutcome]:
    """One round in which ``recs`` answer as ``serial``, as the agent writes their reports."""
    since = time.time_ns()
    record = recorder(state, tmp)
    (tmp / "reports").mkdir(exist_ok=True)
    done = []
    for rec in recs:
        result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel(serial))), Policy())
        job = ReportJob(tmp / "reports", JsonRenderer())
        scanned, path, failed = written(result, job, serial, since)
        phone = PhoneOutcome(Target(serial, "usb"), "scanned", scanned=scanned,
                             report_path=path, failed=failed, name=serial)  # fmt: skip
        record(phone)
        done.append(phone)
    return done


def page(state: State, device: str) -> dict[str, object]:
    summary = fleet_summary(
        generated=datetime.now(UTC), round_row=state.last_round(), interrupted=False,
        devices=state.devices(), last_scans=state.last_scans(), drift={},
        known=last_known(state),
    )  # fmt: skip
    return next(r for r in summary["devices"] if r["device"] == device)


def _shown(state: State, device: str) -> tuple[int, str]:
    row = page(state, device)
    return row["known_failed"], row["checks"]["MSG-03"]  # type: ignore[index,return-value]


def test_the_clones_are_one_identity() -> None:
    from scanner.app.agent.identity import trait_of

    def trait(rec: Recording) -> str | None:
        return trait_of(scan_result(ReplayTransport(rec), Policy()).snapshot.identity)

    assert trait(CLEAN_CLONE) == trait(A16) is not None
    assert _failed(A16) == 9 and _failed(CLEAN_CLONE) == 0


def _failed(rec: Recording) -> int:
    from checks.evaluate import summarize

    return summarize(scan_result(ReplayTransport(rec), Policy()).findings).failed


def test_a_vanished_twins_failures_stay_until_a_scan_of_it(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        first, second = a_round(state, tmp_path, "T", A16, CLEAN_CLONE)  # the clones at once
        assert (first.state, second.state) == ("ambiguous", "ambiguous")
        assert _shown(state, "T") == (9, "fail")
        (held,) = a_round(state, tmp_path, "T", CLEAN_CLONE)  # the failing clone is gone
        assert held.state == "ambiguous"
        assert _shown(state, "T") == (9, "fail"), "the vanished twin's failures left the page"
        for _ in range(2):  # its history moves on with the clean clone: still no scan of A16
            (alone,) = a_round(state, tmp_path, "T", CLEAN_CLONE)
            assert alone.state == "scanned"
            assert _shown(state, "T") == (9, "fail")
        note = str(page(state, "T")["error"])  # the page says why, and the way out
        # (the lead, session 27: its scans close nothing until --adopt, and each says so)
        assert note.startswith("resolves nothing: two phones answered as T in round 1"), note
        assert "`msgscan agent --adopt T` lets its next scans resolve" in note
        # the twin's own report is kept aside: the clean clone's scans wrote the phone's name
        reports = sorted(p.name for p in (tmp_path / "reports").glob("T*.json"))
        assert len(reports) == 3 and "T.json" in reports, reports
        # both clones again: each is scanned anew, the failing one now as clean as the other
        a_round(state, tmp_path, "T", CLEAN_CLONE, CLEAN_CLONE)
        assert _shown(state, "T")[0] == 0
        assert "--adopt" not in str(page(state, "T")["error"])  # the twins' own round


def test_the_twins_failures_move_with_a_swapped_history(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        a_round(state, tmp_path, "T", A16, CLEAN_CLONE)
        a_round(state, tmp_path, "T", CLEAN_CLONE)
        a_round(state, tmp_path, "T", CLEAN_CLONE)
        (pixel,) = a_round(state, tmp_path, "T", A14)  # another model: the history is retired
        assert pixel.state == "scanned"
        assert _shown(state, "T~1") == (9, "fail")  # with the history it belongs to
        assert _shown(state, "T")[0] == 0  # the Pixel's own page row starts clean
        assert page(state, "T")["error"] is None  # no twins behind it: no note


def test_adopt_drops_a_vanished_twins_results(tmp_path: Path) -> None:
    """The operator knows the failing clone is gone for good: ``msgscan agent --adopt T``."""
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    config = write_config(tmp_path, ["127.0.0.1:1"])
    with State.open(state_dir / "msgscan.db") as state:
        a_round(state, tmp_path, "T", A16, CLEAN_CLONE)
        a_round(state, tmp_path, "T", CLEAN_CLONE)
        assert _shown(state, "T") == (9, "fail")
    done = adopt(config, "T")
    assert done.returncode == 0, done.stderr
    assert "adopted T (samsung SM-S936B (pa2q))" in done.stdout
    assert "its last twins' results leave the fleet page" in done.stdout
    with State.open(state_dir / "msgscan.db") as state:
        assert _shown(state, "T")[0] == 0
        (next_,) = a_round(state, tmp_path, "T", CLEAN_CLONE)
        assert next_.state == "scanned"  # not held: the operator said one phone answers
    # no such phone, or a retired history: exit 2, nothing changes
    for wrong in ("U", "T~1"):
        refused = adopt(config, wrong)
        assert refused.returncode == 2 and "is no phone the agent scans" in refused.stderr


def adopt(config: Path, device: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(config),
         "--adopt", device],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_each_twins_report_is_kept_whichever_is_recorded_first(tmp_path: Path) -> None:
    """The reports are named as they are written, the scans recorded as they finish (worker
    processes): the twin recorded second may hold the phone's own name; it is kept aside too."""
    with State.open(tmp_path / "state.db") as state:
        since = time.time_ns()
        (tmp_path / "reports").mkdir()
        outcomes = []
        for rec in (A16, CLEAN_CLONE):  # A16 writes T.json, the clone T-<scan>.json
            result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel("T"))), Policy())
            job = ReportJob(tmp_path / "reports", JsonRenderer())
            scanned, path, failed = written(result, job, "T", since)
            outcomes.append(PhoneOutcome(Target("T", "usb"), "scanned", scanned=scanned,
                                         report_path=path, failed=failed, name="T"))  # fmt: skip
        assert [o.report_path.name for o in outcomes][0] == "T.json"  # type: ignore[union-attr]
        record = recorder(state, tmp_path)
        for phone in reversed(outcomes):  # the clone finished first
            record(phone)
        kept = sorted(p.name for p in (tmp_path / "reports").glob("T*.json"))
        assert kept == sorted(f"T-{o.scanned.scan_id[:8]}.json" for o in outcomes if o.scanned)
        a_round(state, tmp_path, "T", CLEAN_CLONE)  # held: writes T.json
        a_round(state, tmp_path, "T", CLEAN_CLONE)
        assert _shown(state, "T") == (9, "fail")

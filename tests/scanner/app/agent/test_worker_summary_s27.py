"""The scan's summary made once, where its report is written (session 27, agent12): ``written``
keeps ``summarize(findings, complete=complete)`` in ``Scanned.summary`` (a worker's, pickled to
the agent), and the recorder writes its verdict, score and failed checks; a ``Scanned`` without
one (made elsewhere) is summarized by the recorder, to the same row."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest
from msgspec.structs import replace

from checks.evaluate import summarize
from checks.policy import Policy
from reports.render.json import JsonRenderer
from scanner.app.agent.round import PhoneOutcome
from scanner.app.agent.scanned import ReportJob, written
from scanner.app.agent.state import State
from scanner.app.agent.targets import Target
from scanner.app.scan import scan_result
from scanner.recording import DeviceLabel, Recording
from scanner.replay import ReplayTransport
from tests.review9.harness import recorder
from tests.scanner.app.agent.test_agent import A14, A16


@pytest.mark.parametrize("rec", [A14, A16], ids=["a14", "a16"])
def test_the_summary_kept_is_the_recorders(tmp_path: Path, rec: Recording) -> None:
    result = scan_result(ReplayTransport(replace(rec, device=DeviceLabel("S1"))), Policy())
    (tmp_path / "reports").mkdir()
    scanned, path, failed = written(result, ReportJob(tmp_path / "reports", JsonRenderer()), "S1")
    want = summarize(result.findings, complete=result.snapshot.complete)
    assert scanned.summary == want and failed == want.failed
    assert pickle.loads(pickle.dumps(scanned)).summary == want  # as a worker sends it
    rows = []
    for kept in (scanned, dataclasses.replace(scanned, summary=None)):
        with State.open(tmp_path / f"{kept.summary is None}.db") as state:
            phone = PhoneOutcome(
                Target("S1", "usb"), "scanned", scanned=kept, report_path=path, name="S1"
            )
            recorder(state, tmp_path)(phone)
            (row,) = state.last_scans()
            rows.append((row.verdict, row.score, row.failed, row.complete))
    assert rows[0] == rows[1] == (want.verdict, want.score, want.failed, result.snapshot.complete)


def test_an_incomplete_scans_summary_says_so(tmp_path: Path) -> None:
    result = scan_result(ReplayTransport(replace(A14, device=DeviceLabel("S2"))), Policy())
    cut = replace(result, snapshot=replace(result.snapshot, complete=False))
    (tmp_path / "reports").mkdir()
    scanned, _, _ = written(cut, ReportJob(tmp_path / "reports", JsonRenderer()), "S2")
    assert scanned.summary == summarize(cut.findings, complete=False)
    assert scanned.summary is not None and scanned.summary.verdict in (
        "incomplete",
        "non_compliant",
    )
    if not scanned.summary.failed:
        assert scanned.summary.verdict == "incomplete"


def test_the_recorder_does_not_summarize_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CPU this saves in the agent's process: with the worker's summary no ``summarize``
    runs in the recorder; a phone without a scan records no verdict, as before."""
    from scanner.app.agent import recorder as recorder_module

    result = scan_result(ReplayTransport(replace(A14, device=DeviceLabel("S3"))), Policy())
    (tmp_path / "reports").mkdir()
    scanned, path, _ = written(result, ReportJob(tmp_path / "reports", JsonRenderer()), "S3")

    def again(*_a: object, **_k: object) -> None:
        raise AssertionError("summarized again")

    monkeypatch.setattr(recorder_module, "summarize", again)
    with State.open(tmp_path / "state.db") as state:
        record = recorder(state, tmp_path)
        record(PhoneOutcome(Target("S3", "usb"), "scanned", scanned=scanned, report_path=path,
                            name="S3"))  # fmt: skip
        record(PhoneOutcome(Target("S4", "usb"), "unauthorized", name="S4"))
        by_device = {row.device_id: row for row in state.last_scans()}
    assert by_device["S3"].verdict == scanned.summary.verdict  # type: ignore[union-attr]
    assert by_device["S4"].verdict is None and by_device["S4"].failed == 0

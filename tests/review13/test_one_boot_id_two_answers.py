"""review13: two scans of one round with one serial and one boot id that disagree on what they
show are not one phone's (a boot id is any app's to read, so a clone can print it too).

Before: the scan with more failed checks was recorded and the other put back, so a clone that
printed the phone's serial and boot id and showed more failures than the phone, but not one the
phone has, closed that failure in the state (and the SIEM) while the phone still had it: a
resolved finding that is not resolved. Now such scans stay twins: nothing closes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from checks.drift import FindingKey
from checks.findings import Status
from tests.review9.harness import outcome, recorder
from tests.scanner.app.agent.test_agent import A16
from tests.scanner.app.agent.test_twins_gone_s26 import CLEAN_CLONE
from scanner.app.agent.state import State

OWN = "R5CX27ONEPHONE"
BOOT = "3f1c2a9e-8b7d-4c6e-9a5b-0d1e2f3a4b5c"


def _booted(tmp: Path, rec, **change):  # type: ignore[no-untyped-def]
    phone = outcome(tmp, rec, OWN)
    assert phone.scanned is not None
    phone.scanned = dataclasses.replace(phone.scanned, boot=BOOT, summary=None, **change)
    return phone


def _fails(state: State) -> set[str]:
    return {str(r.tracked.key) for r in state.open_findings(OWN) if r.tracked.status is Status.FAIL}


def test_a_clone_with_the_boot_id_and_more_failures_closes_nothing(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        recorder(state, tmp_path)(outcome(tmp_path, A16, OWN))  # the phone alone: 9 failures
        before = _fails(state)
        assert len(before) == 9
        real = _booted(tmp_path, A16)
        gone = next(f for f in real.scanned.findings if f.status is Status.FAIL)  # type: ignore[union-attr]
        kept = tuple(f for f in real.scanned.findings if f is not gone)  # type: ignore[union-attr]
        clone = _booted(tmp_path, A16, findings=kept)
        clone.failed = 10  # it shows more failed checks than the phone, not the phone's `gone`
        record = recorder(state, tmp_path)
        record(real)
        record(clone)
        assert str(FindingKey.of(gone)) in _fails(state)  # the phone still has it: open
        assert _fails(state) == before
        assert {real.state, clone.state} == {"ambiguous"}


def test_one_phone_whose_two_scans_agree_is_still_one(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        record = recorder(state, tmp_path)
        first, second = _booted(tmp_path, A16), _booted(tmp_path, A16)
        record(first)
        record(second)
        assert first.state == second.state == "scanned"
        assert len(_fails(state)) == 9


def test_a_clean_clone_with_the_boot_id_is_a_twin(tmp_path: Path) -> None:
    """A scan showing none of the phone's failures beside it (complete, nothing cut short) is
    not the same phone's: before, the phone's scan was recorded and the clean one ignored,
    which hid nothing; now both are twins, as clones with one serial are."""
    with State.open(tmp_path / "state.db") as state:
        record = recorder(state, tmp_path)
        bad, clean = _booted(tmp_path, A16), _booted(tmp_path, CLEAN_CLONE)
        record(clean)
        record(bad)
        assert bad.state == clean.state == "ambiguous"
        assert not _fails(state)

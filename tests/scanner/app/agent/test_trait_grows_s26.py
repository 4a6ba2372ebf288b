"""The lead's rule (session 26) for an id whose scans answered naming less of the phone than a
later scan: no later scan can show it is that phone, so nothing closes until the operator's
``msgscan agent --adopt``, as for a property lost for good (review11 found that the first full
scan resolved such failures; a scan's delay alone only moved that to the second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.app.agent import lineage
from scanner.app.agent.history import adopt
from scanner.app.agent.state import State
from tests.review9.harness import open_rows, round_of
from tests.review10.test_partial_trait import BRAND_ONLY, PIXEL_8, TELEGRAM, with_props
from tests.scanner.app.agent.test_agent import A14, A16, with_telegram

NOTHING = {**BRAND_ONLY, "ro.product.brand": None}
FULL = with_props(with_telegram(), PIXEL_8)  # the same phone, now naming its whole trait
CLEAN = with_props(A14, PIXEL_8)


@pytest.mark.parametrize("first", [BRAND_ONLY, NOTHING], ids=["brand-only", "nothing"])
def test_scans_naming_more_never_close_what_an_unnamed_phone_left(
    tmp_path: Path, first: dict[str, str | None]
) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(with_props(with_telegram(), first), "P")])
        assert open_rows(state, "P")[TELEGRAM]
        for _ in range(3):  # a clean Pixel 8, again and again: never that phone's fix
            (scan,) = round_of(state, tmp_path, [(CLEAN, "P")])
            assert scan.state == "scanned", scan.error
            assert open_rows(state, "P")[TELEGRAM]
        row = lineage.device(state, "P")
        assert row is not None and row.last_error is not None
        assert row.last_error.startswith("resolves nothing: its getprop names more of the phone")
        assert "`msgscan agent --adopt P`" in row.last_error


def test_adopt_is_the_way_out(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(with_props(with_telegram(), BRAND_ONLY), "P")])
        round_of(state, tmp_path, [(FULL, "P")])
        assert open_rows(state, "P")[TELEGRAM]
        adopt(state, "P")
        round_of(state, tmp_path, [(CLEAN, "P")])  # takes the trait, resolves nothing
        assert open_rows(state, "P")[TELEGRAM]
        round_of(state, tmp_path, [(CLEAN, "P")])  # the adopted phone's fix closes
        assert not open_rows(state, "P")[TELEGRAM]


def test_a_legacy_model_row_takes_the_fuller_trait(tmp_path: Path) -> None:
    """A row of a release that kept only the model is not an unnamed phone: the model matched,
    so the first fuller scan keeps its trait (resolving nothing) and the next one closes."""
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(FULL, "P")])
        with state.transaction() as tx:  # as an older release wrote it: the model alone
            tx.execute("UPDATE devices SET trait = NULL, model = 'Pixel 8' WHERE id = 'P'")
        round_of(state, tmp_path, [(CLEAN, "P")])
        assert open_rows(state, "P")[TELEGRAM]
        round_of(state, tmp_path, [(CLEAN, "P")])
        assert not open_rows(state, "P")[TELEGRAM]


def test_a_phone_first_seen_failing_is_identified_by_its_first_scan(tmp_path: Path) -> None:
    """An id whose history holds no answered scan (only a failed attempt) is no unnamed
    phone's: its first scan gives it the trait."""
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(FULL, "P")])  # found Telegram
        with state.transaction() as tx:  # the attempts' rows only: no phone answered
            tx.execute("UPDATE devices SET trait = NULL, model = NULL WHERE id = 'P'")
            tx.execute("UPDATE scans SET state = 'unauthorized' WHERE device_id = 'P'")
        round_of(state, tmp_path, [(CLEAN, "P")])
        round_of(state, tmp_path, [(CLEAN, "P")])
        assert not open_rows(state, "P").get(TELEGRAM, False)


def test_an_older_states_unnamed_phone_is_no_legacy_row(tmp_path: Path) -> None:
    """A state written before ``UNNAMED`` was kept: a phone answered naming nothing, so its row
    has neither trait nor model; a fuller scan later closes nothing there either."""
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(FULL, "P")])  # found Telegram
        with state.transaction() as tx:  # as an older release left a phone that named nothing
            tx.execute("UPDATE devices SET trait = NULL, model = NULL WHERE id = 'P'")
        for _ in range(3):
            round_of(state, tmp_path, [(CLEAN, "P")])
            assert open_rows(state, "P")[TELEGRAM]


def test_a_scan_naming_nothing_closes_nothing_of_an_unnamed_history(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(FULL, "P")])  # found Telegram
        with state.transaction() as tx:  # as an older release left a phone that named nothing
            tx.execute("UPDATE devices SET trait = NULL, model = NULL WHERE id = 'P'")
        round_of(state, tmp_path, [(with_props(A14, NOTHING), "P")])  # clean, naming nothing
        assert open_rows(state, "P")[TELEGRAM]


def test_a_legacy_row_keeps_its_model_over_a_scan_naming_nothing(tmp_path: Path) -> None:
    """Another model after it is still a swap: the model an older release kept is not lost."""
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(FULL, "P")])
        with state.transaction() as tx:
            tx.execute("UPDATE devices SET trait = NULL, model = 'Pixel 8' WHERE id = 'P'")
        round_of(state, tmp_path, [(with_props(A14, NOTHING), "P")])
        (samsung,) = round_of(state, tmp_path, [(A16, "P")])
        assert samsung.state == "scanned", samsung.error
        assert lineage.device(state, "P~1") is not None, "the Samsung was not taken for a swap"
        assert open_rows(state, "P~1")[TELEGRAM]

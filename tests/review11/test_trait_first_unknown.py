"""review11: an id whose history began with a scan naming less of the phone than a later one.

review9 and review10 made a scan resolve nothing when it names less of the phone's trait
(manufacturer, brand, model, device) than the id's trait. The reverse was left open: the id's
trait is what its *first* scans named, and when they named nothing (getprop failed, a stripped
ROM) or only the brand, ``names_all(before, now)`` is true for any later phone, so the first
scan naming a full trait, whatever phone it is, resolves the failures the earlier scans found.
A swap behind an id whose first phone was never identified (a clone's placeholder serial, an
address handed on by DHCP) then closes the earlier phone's failures: nobody fixed them.

Pinned here as strict xfails; fixed by gaps11 (the recorder's identity rule): a scan naming a
part the id's trait lacks resolves nothing and gives the id its trait, so such a history stays
open until a scan names that trait again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.app.agent.state import State
from tests.review9.harness import open_rows, round_of
from tests.review10.test_partial_trait import BRAND_ONLY, PIXEL_8, TELEGRAM, with_props
from tests.scanner.app.agent.test_agent import A14, with_telegram

NOTHING = {**BRAND_ONLY, "ro.product.brand": None}


@pytest.mark.parametrize("first", [BRAND_ONLY, NOTHING], ids=["brand-only", "nothing"])
def test_another_phone_after_an_unidentified_first_scan_resolves_nothing(
    tmp_path: Path, first: dict[str, str | None]
) -> None:
    with State.open(tmp_path / "state.db") as state:
        (one,) = round_of(state, tmp_path, [(with_props(with_telegram(), first), "P")])
        assert one.state == "scanned", one.error
        assert open_rows(state, "P")[TELEGRAM]
        (two,) = round_of(state, tmp_path, [(with_props(A14, PIXEL_8), "P")])  # a clean Pixel 8
        assert two.state == "scanned", two.error
        opened = {d.id: open_rows(state, d.id).get(TELEGRAM) for d in state.devices()}
        assert any(opened.values()), f"Telegram's failure was resolved by another phone: {opened}"

"""review9: README: "A scan whose getprop named nothing resolves nothing."

The recorder resolved as usual when the id's row held no trait and no model either (``resolve
= before is None or ...``): a phone whose getprop names none of manufacturer, brand, model,
device (a hostile or stripped ROM) resolved its id's failures with a clean scan of any other
such phone behind the same serial.
"""

from __future__ import annotations

from pathlib import Path

from msgspec.structs import replace

from scanner.app.agent.state import State
from scanner.recording import Recording
from tests.review9.harness import open_rows, round_of
from tests.scanner.app.agent.test_agent import A14, with_telegram

TELEGRAM = "MSG-07|org.telegram.messenger|0"


def nameless(rec: Recording) -> Recording:
    """``rec`` with getprop naming no manufacturer, brand, model or device."""

    def strip(out: bytes) -> bytes:
        kept = [ln for ln in out.split(b"\n") if not ln.startswith(b"[ro.product.")]
        return b"\n".join(kept)

    commands = tuple(
        replace(c, stdout=strip(c.stdout)) if c.argv[:1] == ("getprop",) else c
        for c in rec.commands
    )
    return replace(rec, commands=commands)


def test_a_nameless_scan_resolves_nothing(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        (first,) = round_of(state, tmp_path, [(nameless(with_telegram()), "N")])
        assert first.state == "scanned" and open_rows(state, "N")[TELEGRAM]
        (second,) = round_of(state, tmp_path, [(nameless(A14), "N")])
        assert second.state == "scanned"
        assert open_rows(state, "N")[TELEGRAM], "a nameless scan resolved the id's failure"

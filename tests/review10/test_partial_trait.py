"""review10: a scan whose getprop names only part of the phone's trait resolved the id's failures.

review9 made a scan whose getprop names no part of the trait (manufacturer, brand, model,
device) resolve nothing: it cannot show it is the phone before. A scan naming *one* part (a
stripped or hostile ROM, lines lost from getprop) still resolved everything: ``differs`` takes a
part one side lacks as no difference, so ``google`` alone matched the Pixel 7a before it. Worse,
the partial trait then replaced the full one in the state, and the next phone, another model of
that brand (a Pixel 8), was "no different" from it and resolved the Pixel 7a's failures: the
swap was never noticed.

Now a scan resolves only when its trait names every part the id's trait names (and none
differs), and a trait naming less is never stored over a fuller one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from msgspec.structs import replace

from scanner.app.agent.identity import names_all
from scanner.app.agent.state import State
from scanner.recording import Recording
from tests.review9.harness import open_rows, round_of
from tests.scanner.app.agent.test_agent import A14, with_telegram

TELEGRAM = "MSG-07|org.telegram.messenger|0"


def with_props(rec: Recording, props: Mapping[str, str | None]) -> Recording:
    """``rec`` with getprop's ``ro.product.*`` lines as ``props`` says (None: the line gone)."""

    def edit(out: bytes) -> bytes:
        lines = []
        for line in out.decode().split("\n"):
            name = line[1 : line.find("]")] if line.startswith("[") else ""
            if name in props:
                value = props[name]
                if value is None:
                    continue
                line = f"[{name}]: [{value}]"
            lines.append(line)
        return "\n".join(lines).encode()

    commands = tuple(
        replace(c, stdout=edit(c.stdout)) if c.argv[:1] == ("getprop",) else c for c in rec.commands
    )
    return replace(rec, commands=commands)


BRAND_ONLY = {
    "ro.product.manufacturer": None,
    "ro.product.model": None,
    "ro.product.device": None,
    "ro.product.name": None,
}
PIXEL_8 = {"ro.product.model": "Pixel 8", "ro.product.device": "shiba", "ro.product.name": "shiba"}


def test_a_scan_naming_only_the_brand_resolves_nothing(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        (first,) = round_of(state, tmp_path, [(with_telegram(), "P")])
        assert first.state == "scanned" and open_rows(state, "P")[TELEGRAM]
        (second,) = round_of(state, tmp_path, [(with_props(A14, BRAND_ONLY), "P")])
        assert second.state == "scanned", second.error
        assert open_rows(state, "P")[TELEGRAM], "a scan naming only 'google' resolved it"


def test_a_partial_trait_does_not_hide_the_next_swap(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(with_telegram(), "P")])  # a Pixel 7a, Telegram installed
        round_of(state, tmp_path, [(with_props(with_telegram(), BRAND_ONLY), "P")])
        (third,) = round_of(state, tmp_path, [(with_props(A14, PIXEL_8), "P")])  # clean Pixel 8
        assert third.state == "scanned", third.error
        rows = {d.id: d for d in state.devices()}
        assert "P~1" in rows, "the Pixel 8 behind P was not seen as another phone"
        assert open_rows(state, "P~1")[TELEGRAM], "the Pixel 7a's failure is not open any more"
        assert TELEGRAM not in open_rows(state, "P")


def test_the_same_phone_naming_all_of_its_trait_still_resolves(tmp_path: Path) -> None:
    with State.open(tmp_path / "state.db") as state:
        round_of(state, tmp_path, [(with_telegram(), "P")])
        round_of(state, tmp_path, [(with_props(with_telegram(), BRAND_ONLY), "P")])
        (back,) = round_of(state, tmp_path, [(A14, "P")])  # the Pixel 7a, Telegram removed
        assert back.state == "scanned", back.error
        assert not open_rows(state, "P")[TELEGRAM], "the phone's own clean scan resolved nothing"


def test_names_all() -> None:
    full, brand = "Google\x1fgoogle\x1fPixel 7a\x1flynx", "\x1fgoogle\x1f\x1f"
    assert names_all(None, None) and names_all(None, brand) and names_all(full, full)
    assert names_all(brand, full) and names_all("Pixel 7a", "\x1f\x1fPixel 7a\x1f")
    assert not names_all(full, brand) and not names_all(full, None)
    assert not names_all("\x1f\x1fPixel 7a\x1flynx", "\x1f\x1fPixel 7a\x1f")

"""gaps11 (session 26): a phone whose getprop lost an identity field for good, and the way out.

A scan naming less of the phone than the id's earlier scans resolves nothing (review10: a
partial identity cannot show it is the phone before). When a property is gone for good (an
update removed ``ro.product.brand``), every later scan resolves nothing, for ever: the phone's
fixed failures stay open. What a fleet user gets now:

- each such scan says why in its record (the fleet page's note), naming the way out;
- ``msgscan agent --adopt ID`` (the operator checked it is the same phone): the next scan that
  shows no other phone gives the id what it names, and resolves nothing; from the scan after
  it, what the phone fixed resolves. A swap is still a swap: another model answering after the
  adoption moves the history as before. Never is anything resolved on the partial identity
  before the operator's word, nor by the scan that takes it.

Real scans (replays of the shipped recordings, the transport boundary) through the agent's
recorder on a real state file; ``msgscan agent --adopt`` as a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scanner.app.agent import lineage
from scanner.app.agent.state import State
from tests.review9.harness import open_rows
from tests.scanner.app.agent.test_agent import A14, A16, with_telegram, write_config
from tests.scanner.app.agent.test_twins_gone_s26 import a_round, adopt, dressed

TELEGRAM = "MSG-07|org.telegram.messenger|0"
NO_BRAND = dressed(A14, {"brand": ""})
"""The Pixel 7a after an update that dropped ``ro.product.brand``, Telegram uninstalled."""


def _setup(tmp: Path) -> Path:
    (tmp / "state").mkdir()
    with State.open(tmp / "state" / "msgscan.db") as state:
        a_round(state, tmp, "P", with_telegram())  # the Pixel, Telegram open, its full identity
        assert open_rows(state, "P")[TELEGRAM]
    return write_config(tmp, ["127.0.0.1:1"])


def _db(tmp: Path) -> State:
    return State.open(tmp / "state" / "msgscan.db")


def test_a_lost_property_resolves_nothing_and_says_how_to_adopt(tmp_path: Path) -> None:
    _setup(tmp_path)
    with _db(tmp_path) as state:
        for _ in range(3):  # for ever, without the operator
            (scan,) = a_round(state, tmp_path, "P", NO_BRAND)
            assert scan.state == "scanned"
            assert open_rows(state, "P")[TELEGRAM], "resolved on a partial identity"
        row = lineage.device(state, "P")
        assert row is not None and row.last_error is not None
        assert row.last_error.startswith("resolves nothing: its getprop names less of the phone")
        assert "`msgscan agent --adopt P`" in row.last_error
        (last,) = state._rows("SELECT error FROM scans ORDER BY rowid DESC LIMIT 1")
        assert last[0] == row.last_error


def test_adopt_takes_the_next_scans_identity_and_resolves_from_the_one_after(
    tmp_path: Path,
) -> None:
    config = _setup(tmp_path)
    with _db(tmp_path) as state:
        a_round(state, tmp_path, "P", NO_BRAND)
    done = adopt(config, "P")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("adopted P (Google Pixel 7a (lynx)): its next scan gives it")
    assert "twins" not in done.stdout
    with _db(tmp_path) as state:
        (taking,) = a_round(state, tmp_path, "P", NO_BRAND)  # takes the identity: no resolving
        assert taking.state == "scanned"
        assert open_rows(state, "P")[TELEGRAM]
        row = lineage.device(state, "P")
        assert row is not None and row.last_error is None and row.trait is not None
        assert row.trait.split("\x1f") == ["Google", "", "Pixel 7a", "lynx"]
        a_round(state, tmp_path, "P", NO_BRAND)  # held to what it names now: it resolves
        assert not open_rows(state, "P")[TELEGRAM]
        again = lineage.device(state, "P")
        assert again is not None and again.last_error is None  # a scan naming it all: no note


def test_adopt_never_covers_a_swap_nor_a_phone_naming_nothing(tmp_path: Path) -> None:
    config = _setup(tmp_path)
    assert adopt(config, "P").returncode == 0
    nothing = dressed(A14, dict.fromkeys(("brand", "device", "manufacturer", "model"), ""))
    with _db(tmp_path) as state:
        a_round(state, tmp_path, "P", nothing)  # names nothing: no identity to take
        assert open_rows(state, "P")[TELEGRAM]
        a_round(state, tmp_path, "P", nothing)
        assert open_rows(state, "P")[TELEGRAM]
        (samsung,) = a_round(state, tmp_path, "P", A16)  # another model: a swap, as ever
        assert samsung.state == "scanned"
        assert open_rows(state, "P~1")[TELEGRAM]
        retired = lineage.device(state, "P~1")
        assert retired is not None and retired.retired is not None
        assert "Pixel 7a" in retired.retired and "SM-S936B" in retired.retired
    refused = adopt(config, "P~1")  # a retired history: no phone answers as it
    assert refused.returncode == 2
    assert "'P~1' is no phone the agent scans" in refused.stderr
    assert "(a retired history: nothing answers as it)" in refused.stderr


def test_adopt_of_a_row_from_before_traits_keeps_its_model(tmp_path: Path) -> None:
    """A device row written before traits were kept knows the model alone: adopted, another
    model answering is still a swap (the model is the trait ``identity.legacy`` gives it)."""
    config = _setup(tmp_path)
    with _db(tmp_path) as state, state.transaction() as tx:
        tx.execute("UPDATE devices SET trait = NULL WHERE id = 'P'")
    assert adopt(config, "P").returncode == 0
    with _db(tmp_path) as state:
        (samsung,) = a_round(state, tmp_path, "P", A16)
        assert samsung.state == "scanned"
        assert open_rows(state, "P~1")[TELEGRAM]


def test_adopt_without_a_state_database_is_refused_and_creates_none(tmp_path: Path) -> None:
    config = write_config(tmp_path, ["127.0.0.1:1"])
    done = adopt(config, "P")
    assert done.returncode == 2
    assert "'P': there is no state database" in done.stderr
    assert not (tmp_path / "state" / "msgscan.db").exists()
    with_round = subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "agent", "--config", str(config),
         "--adopt", "P", "--once"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert with_round.returncode == 2 and "--adopt run no round" in with_round.stderr

"""review13b (session 28): the way out a record names is a command the operator can paste.

After twins, each scan of the id says ``msgscan agent --adopt ID`` (``lineage.twins_note``;
gaps11's notes and the fleet page say the same). A USB id is the phone's USB serial descriptor
as pyusb reads it (``scanner.usb_phones``: any string the device sends, unlike ``ro.serialno``
over TCP), so a hostile or broken device can answer as ``R5 $(touch PWNED)``: pasted into a
shell, the named command ran what the phone chose and adopted another id (or, for an id that
starts with "-", was refused by the option parser). The id is now quoted for a POSIX shell
(``lineage.adopt_command``). Real peers: the agent's recorder on a real state (replays of the
shipped recordings), bash running the command as printed, and msgscan's own CLI under it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.app.agent.state import State
from tests.scanner.app.agent.test_agent import A16, write_config
from tests.scanner.app.agent.test_twins_gone_s26 import CLEAN_CLONE, a_round, page

HOSTILE = ["R5 $(touch PWNED)", "R5;touch PWNED", "R5'`touch PWNED`'", "-R5CX"]


@pytest.mark.parametrize("serial", HOSTILE)
def test_the_twins_note_names_a_command_that_adopts_that_id(tmp_path: Path, serial: str) -> None:
    (tmp_path / "state").mkdir()
    config = write_config(tmp_path, ["127.0.0.1:1"])
    with State.open(tmp_path / "state" / "msgscan.db") as state:
        a_round(state, tmp_path, serial, A16, CLEAN_CLONE)  # twins
        a_round(state, tmp_path, serial, CLEAN_CLONE)  # held
        a_round(state, tmp_path, serial, CLEAN_CLONE)  # closes nothing, says the way out
        note = str(page(state, serial)["error"])
    [command] = re.findall(r"for good, `(msgscan agent .*)` lets its next", note) or [note]
    cli = f"{shlex.quote(sys.executable)} -m scanner.app.cli"
    script = f'msgscan() {{ {cli} "$@" --config {shlex.quote(str(config))}; }}\n{command}\n'
    cwd = tmp_path / "shell"
    cwd.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env=env)  # fmt: skip
    assert not (cwd / "PWNED").exists(), command
    assert done.returncode == 0, (command, done.stderr)
    assert done.stdout.startswith(f"adopted {serial} ("), (command, done.stdout)
    with State.open(tmp_path / "state" / "msgscan.db") as state:
        assert (
            state._rows("SELECT ambiguous_round FROM devices WHERE id = ?", (serial,))[0][0] is None
        )


def test_a_plain_id_is_printed_as_it_is() -> None:
    from scanner.app.agent.lineage import adopt_command

    assert adopt_command("R5CX27ONEPHONE") == "msgscan agent --adopt R5CX27ONEPHONE"
    assert adopt_command("192.168.1.5:5555") == "msgscan agent --adopt 192.168.1.5:5555"

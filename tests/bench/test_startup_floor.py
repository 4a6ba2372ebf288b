"""bench/startup_floor.py's floor (bench/RESULTS.md, "Start-up", session 24): the processes
import exactly the modules of other packages a replay of the installed copy has loaded, none of
msgscan's, and the one without msgspec's chain none of what ``import msgspec`` loads."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from bench.startup import A16, COMMANDS, REPLAY, in_tree, install
from bench.startup_floor import OURS, floors, modules_of, replay_modules

ROOT = Path(__file__).resolve().parents[2]


def test_the_floor_imports_what_a_replay_imports_and_nothing_of_msgscan(tmp_path: Path) -> None:
    script = install(ROOT, tmp_path / "copy")
    python = str(script.with_name("python"))
    env = {k: v for k, v in os.environ.items() if k != "MSGSCAN_SIGNING_KEY"}
    argv = [str(script), *in_tree(COMMANDS[REPLAY])]
    assert A16.format(root=ROOT) in argv
    replay = replay_modules(argv, python, env, tmp_path)
    assert {"msgspec", "typing", "argparse", "json"} <= set(replay)
    assert not [m for m in replay if m.split(".")[0] in OURS]
    start = set(modules_of(python, "pass", env, tmp_path))
    assert not start & set(replay)
    chain = set(modules_of(python, "import msgspec", env, tmp_path))
    whole, rest, alone = floors(argv, python, env, tmp_path).values()
    found = []
    for program in (whole, rest):
        probe = [*program[:-1], program[-1] + "print(__import__('json').dumps(list(sys.modules)))"]
        out = subprocess.run(probe, env=env, cwd=tmp_path, check=True, capture_output=True)
        found.append(set(json.loads(out.stdout)) - start)
    assert found[0] == set(replay)  # json: the replay's too
    assert found[1] >= {m for m in replay if m not in chain}
    assert not [m for m in found[1] if m.split(".")[0] in (*OURS, "msgspec", "typing_extensions")]
    assert not {"typing", "inspect", "uuid", "decimal"} & found[1]
    assert alone[-1] == "import msgspec"


def test_msgspec_s_chain_is_in_a_user_s_install() -> None:
    """What RESULTS says of msgspec's chain: ``import msgspec`` loads ``typing_extensions`` (with
    ``inspect``), ``uuid`` and ``decimal`` wherever ``typing_extensions`` is installed, and a
    user's install has it: jsonschema, a runtime dependency, requires ``referencing``, which
    requires ``typing-extensions`` on Python < 3.13."""
    import sys
    from importlib.metadata import requires

    def names(dist: str) -> dict[str, str]:
        return {
            r.split(";")[0].split(">")[0].split("=")[0].strip().lower(): r
            for r in requires(dist) or []
        }

    assert "jsonschema" in names("msgscan")
    assert "referencing" in names("jsonschema")
    assert "python_version < '3.13'" in names("referencing")["typing-extensions"]
    chain = modules_of(sys.executable, "import msgspec", dict(os.environ), ROOT)
    assert {"typing_extensions", "inspect", "uuid", "decimal"} <= set(chain)

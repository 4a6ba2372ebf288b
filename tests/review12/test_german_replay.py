"""review12, on start11's moves (session 26): an English replay no longer loads the German
messages, the evidence catalog's code, the transports' failures or the control filters; each is
loaded where it is needed. A German replay must still be wholly German: in every format, its
output is byte for byte the output of the same replay in a process that loaded every one of those
modules first (as before the moves), asked by ``--lang de`` and by the locale alike."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.scanner.app.cli.test_replay_imports_s26 import UNUSED
from tests.scanner.app.cli.test_startup import A16, ROOT

RUN = """
import sys
for name in sys.argv[2].split(",") if sys.argv[2] else ():
    __import__(name)
from scanner.app.cli import main
try:
    main(sys.argv[3:])
except SystemExit:
    pass
"""


def _run(preload: bool, argv: list[str], env_more: dict[str, str]) -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(env_more, PYTHONDONTWRITEBYTECODE="1", TZ="UTC")
    names = ",".join(UNUSED) if preload else ""
    done = subprocess.run(
        [sys.executable, "-c", RUN, "x", names, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = DIGEST.sub(b"<digest>", UUID.sub(b"<uuid>", done.stdout))
    return TIME.sub(b"<time>", out)


UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(rb"\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d{10,13}")
DIGEST = re.compile(rb"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
"""A scan's id, the time it ran and the digests over them (the report's own, a finding's uid)
differ between two runs; every other byte is the same."""


@pytest.mark.parametrize("form", ["text", "json", "html", "csv", "cef"])
@pytest.mark.parametrize("asked", ["--lang", "LANG"])
def test_a_german_replay_is_the_german_of_a_process_that_loaded_everything(
    form: str, asked: str
) -> None:
    argv = ["scan", "--replay", str(A16), "--format", form]
    env = {"LANG": "de_DE.UTF-8"} if asked == "LANG" else {}
    if asked == "--lang":
        argv += ["--lang", "de"]
    lazy, eager = _run(False, argv, env), _run(True, argv, env)
    assert lazy == eager
    if form in ("text", "html"):
        assert "Befund" in lazy.decode() or "Prüfung" in lazy.decode()

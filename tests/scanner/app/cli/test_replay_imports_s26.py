"""What a replay of the shipped Android 16 recording leaves unloaded since session 26 (issue 18
item 1, bench/RESULTS.md "Start-up", session 26), and that with its programs kept it compiles
none of msgscan's patterns. Each check runs a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.scanner.app.cli.test_replay_imports import loaded
from tests.scanner.app.cli.test_startup import A16, ROOT, run_main

UNUSED = (
    "reports.i18n.de_messages",
    "reports.i18n.evidence",
    "scanner.transport.failures",
    "reports.render.controls",
)
"""German messages, the evidence catalog's code, the transports' failures, the control-character
filters: an English replay of a printable recording uses none of them (loaded where a German
text, an id-only evidence item, output over the limit, a log line or a line that is not
printable needs them)."""


def test_an_english_replay_loads_neither_german_nor_the_failures() -> None:
    assert loaded(run_main("scan", "--replay", str(A16)), *UNUSED) == []
    json_report = loaded(run_main("scan", "--replay", str(A16), "--format", "json"), *UNUSED)
    assert json_report == ["reports.render.controls"]  # the JSON report cleans its tree
    german = loaded(run_main("scan", "--replay", str(A16), "--lang", "de"), *UNUSED)
    assert "reports.i18n.de_messages" in german


def test_the_german_messages_are_the_module_s_when_asked_for() -> None:
    from reports.i18n import de_messages, messages

    assert messages.DE is de_messages.DE
    from reports.i18n.messages import DE

    assert DE is de_messages.DE


MISSES = """\
import io, json, sys
from scanner.app.cli import regex_cache
misses = []
plain_program = regex_cache.program
def program(pattern, flags, compiled):
    misses.append(pattern if isinstance(pattern, str) else pattern.decode("latin-1"))
    return plain_program(pattern, flags, compiled)
regex_cache.program = program
from scanner.app.cli import main
sys.stdout = io.TextIOWrapper(io.BytesIO())
main(["scan", "--replay", A16])
sys.stdout = sys.__stdout__
print(json.dumps([misses, len(regex_cache.programs)]))
"""


def test_a_second_replay_compiles_none_of_msgscan_s_patterns(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")
    code = MISSES.replace("A16", repr(str(A16)))

    def run() -> list[object]:
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        found: list[object] = json.loads(out.stdout.strip().splitlines()[-1])
        return found

    first_misses, kept = run()
    assert isinstance(first_misses, list) and len(first_misses) >= 30
    assert kept == len(first_misses)
    second_misses, kept_again = run()
    assert second_misses == [] and kept_again == kept

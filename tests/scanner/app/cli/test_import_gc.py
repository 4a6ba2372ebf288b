"""A command's modules are imported with the cyclic garbage collector paused, and what they
made frozen (``gc.freeze``) once, the first time (bench/RESULTS.md, "Start-up", session 25:
26 M of a replay's 439 M instructions were collections traversing the new modules' objects).
The collector's own switch is left as it was found; each check runs a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.scanner.app.cli.test_startup import ROOT

PROBE = """\
import gc, json, sys
from scanner.app.cli import core
seen = []
real_disable, real_freeze = gc.disable, gc.freeze
gc.disable = lambda: (seen.append("disable"), real_disable())[1]
gc.freeze = lambda: (seen.append(("freeze", gc.isenabled())), real_freeze())[1]
WAS
before = gc.get_freeze_count()
core.command("checks")
first = gc.get_freeze_count()
after_first = list(seen)
core.command("checks")
print(json.dumps([before, first, gc.get_freeze_count(), gc.isenabled(), after_first, seen]))
"""


def probe(was_enabled: bool) -> list[object]:
    code = PROBE.replace("WAS", "" if was_enabled else "gc.disable(); seen.clear()")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    found: list[object] = json.loads(out.stdout)
    return found


def test_the_first_import_of_a_command_freezes_once_with_the_collector_paused() -> None:
    before, first, second, enabled, after_first, seen = probe(True)
    assert before == 0 and first > 0  # the new modules' objects are frozen
    assert second == first  # a second dispatch of the same command freezes nothing more
    assert enabled is True  # switched back on
    assert after_first == ["disable", ["freeze", False]]  # frozen while paused
    assert seen == ["disable", ["freeze", False], "disable"]


def test_a_collector_switched_off_stays_off() -> None:
    before, first, _, enabled, _, _ = probe(False)
    assert first > before
    assert enabled is False

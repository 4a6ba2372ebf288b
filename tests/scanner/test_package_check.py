"""The pm list cross-check in a scan: asked in the inventory's wave with the options of the
phone's Android version; a list that fails or is refused is a note, never damage, never a pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checks.evaluate import evaluate
from checks.policy import Policy
from scanner import probes
from scanner.collect import collect
from scanner.package_check import NOT_MADE
from scanner.recording import Command, Recording, load
from scanner.recordings import build
from scanner.replay import ReplayTransport
from tests.faults.test_damaged_output import TODAY

A16 = build.HERE / "android16-personal-whatsapp-telegram.json"
A10 = build.HERE / "android10-signal-threema-wire.json"


def _lists(rec: Recording, change: Callable[[Command], Command | None]) -> Recording:
    commands = []
    for c in rec.commands:
        if c.argv[:3] == ("pm", "list", "packages"):
            changed = change(c)
            if changed is not None:
                commands.append(changed)
        else:
            commands.append(c)
    # A recording missing them is a real phone's (a constructed one would derive them)
    meta = rec.meta if len(commands) == len(rec.commands) else {"source": "recorded"}
    return Recording(rec.device, tuple(commands), meta, rec.files)


def test_options_by_android_version() -> None:
    assert all("-U" not in p.argv for p in probes.pm_list_probes(25))
    assert all("-U" not in p.argv for p in probes.pm_list_probes(None))
    assert all({"-U", "--show-versioncode", "-u", "-i"} <= set(p.argv) for p in probes.pm_list_probes(26))
    assert ("-s", "-3") == tuple(p.argv[3] for p in probes.pm_list_probes(36))


@pytest.mark.parametrize("path", [A16, A10], ids=["android16", "android10"])
def test_asked_in_the_inventory_wave_and_agrees(path: object) -> None:
    snap = collect(ReplayTransport(load(path)))  # type: ignore[arg-type]
    asked = {r.name: r for r in snap.probes if r.name.startswith("pm-list-")}
    assert {"pm-list-system", "pm-list-third"} == set(asked)
    assert {1} == {r.wave for r in asked.values()} and all(r.ok for r in asked.values())
    assert all("--show-versioncode" in r.command for r in asked.values())  # both are 8+
    assert snap.complete and not snap.problems and not snap.damaged


REFUSALS = {
    "unknown option": lambda c: Command(c.argv, b"Error: Unknown option: -U\n", b"", 255, c.device_ms),
    "security exception": lambda c: Command(
        c.argv, b"Error: java.lang.SecurityException: Shell does not have permission\n", b"", 0, c.device_ms
    ),
    "missing (a real capture)": lambda c: None,
    "failed": lambda c: Command(c.argv, b"", b"Killed\n", 137, c.device_ms),
}


@pytest.mark.parametrize("how", sorted(REFUSALS))
def test_a_refused_list_is_a_note_not_damage(how: str) -> None:
    """The cross-check is not made and the snapshot says so; the dump's facts stand as they
    are (nothing passes and nothing fails because of the list), the scan stays complete."""
    clean = collect(ReplayTransport(load(A16)))
    snap = collect(ReplayTransport(_lists(load(A16), REFUSALS[how])))

    assert snap.complete and "packages" not in snap.damaged
    assert [p for p in snap.problems if p.startswith(NOT_MADE)] == list(snap.problems)
    assert 1 == len(snap.problems)
    before = [(f.check_id, f.status) for f in evaluate(clean, Policy(), today=TODAY)]
    after = [(f.check_id, f.status) for f in evaluate(snap, Policy(), today=TODAY)]
    assert before == after


def test_a_list_that_disagrees_is_damage() -> None:
    """One package the system lists that the dump lacks (its block removed by a forger)."""
    def more(c: Command) -> Command:
        extra = b"package:com.evil.hidden  installer=null\n" if "-3" in c.argv else b""
        return Command(c.argv, c.stdout + extra, c.stderr, c.exit_code, c.device_ms)

    snap = collect(ReplayTransport(_lists(load(A10), more)))
    assert not snap.complete
    assert "listed by pm list packages, not by dumpsys package (1)" in snap.damaged["packages"]
    assert "'com.evil.hidden'" in snap.damaged["packages"]

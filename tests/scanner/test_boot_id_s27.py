"""boot12 (session 27): the kernel's boot id is read in the first wave, in the getprop stream
(no exchange more, within Android 6's command length), and no recording keeps it."""

from __future__ import annotations

from msgspec.structs import replace

from scanner import probes
from scanner.app.record import record
from scanner.collect import collect
from scanner.recording import Command, Recording, dumps
from scanner.replay import ReplayTransport
from tests.scanner.app.agent.test_agent import A16

BOOT = "3f1c2a9e-8b7d-4c6e-9a5b-0d1e2f3a4b5c"


def _with_boot(rec: Recording, text: str) -> Recording:
    return replace(rec, commands=(*rec.commands, Command(probes.BOOT_ID.argv, text.encode())))


def test_read_in_the_getprop_stream_of_the_first_wave() -> None:
    transport = ReplayTransport(_with_boot(A16, BOOT + "\n"), max_command=4090)  # Android 6
    snap = collect(transport)
    assert snap.boot_id == BOOT and snap.complete
    [record_] = [r for r in snap.probes if r.name == "boot-id"]
    [getprop] = [r for r in snap.probes if r.name == "getprop"]
    assert (record_.wave, record_.stream, record_.ok) == (1, getprop.stream, True)
    first = transport.meter.commands[0]
    assert "random/boot_id" in first and "getprop" in first
    assert all(len(c) <= 4090 for c in transport.meter.commands)


def test_no_recording_keeps_it() -> None:
    kept: list[str] = []
    snap = collect(
        ReplayTransport(_with_boot(A16, BOOT + "\n")), on_output=lambda p, o: kept.append(p.name)
    )
    assert snap.boot_id == BOOT and "getprop" in kept and "boot-id" not in kept
    made, _ = record(ReplayTransport(_with_boot(A16, BOOT + "\n")))
    assert BOOT.encode() not in dumps(made) and "boot id" in str(made.meta["how_made"])


def test_a_garbled_or_failed_read_is_no_boot_id_and_no_damage() -> None:
    for text in ("not a boot id\n", BOOT.upper() + "\n"):
        snap = collect(ReplayTransport(_with_boot(A16, text)))
        assert not isinstance(snap.boot_id, str) and snap.complete  # said, not a damaged scan
        assert "version-4 UUID" in snap.boot_id.reason and text.strip() not in snap.boot_id.reason
    snap = collect(ReplayTransport(A16))  # a recording holds none: the replay's cat finds nothing
    assert not isinstance(snap.boot_id, str) and "failed" in snap.boot_id.reason and snap.complete


def test_a_replay_answers_as_its_derived_cat_would() -> None:
    """The replay's short cut (no derived commands built for it: start-up) answers what the
    simulated phone's derived ``cat`` says of a file its tree lacks."""
    from scanner.replay import RecordedShell
    from scanner.simphone.commands import DerivedCommands

    fast = RecordedShell(A16).run(" ".join(probes.BOOT_ID.argv))
    derived = DerivedCommands(A16).run(probes.BOOT_ID.argv)
    assert derived is not None
    assert (fast.stdout, fast.stderr, fast.exit_code) == (
        derived.stdout,
        derived.stderr,
        derived.exit_code,
    )

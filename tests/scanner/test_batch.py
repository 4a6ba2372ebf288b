"""Probes travel in as few exchanges as the phone allows and come back apart."""

from __future__ import annotations

from checks.errors import DeviceLost
from scanner import batch
from scanner.probes import Probe
from scanner.recording import Command, DeviceLabel, Recording
from scanner.replay import ReplayTransport
from scanner.transport.interface import Meter, ShellResult

A = Probe("a", ("getprop", "ro.product.model"))
B = Probe("b", ("test", "-e", "/sdcard/x y/.nomedia"))
C = Probe("c", ("dumpsys", "nothing"))

RECORDING = Recording(
    DeviceLabel("SIM1"),
    (
        Command(A.argv, b"Pixel\n"),
        Command(B.argv, b"", b"", 1),
        Command(C.argv, b"no newline at the end"),
    ),
)


def test_split_keeps_each_probe_and_status() -> None:
    """One exchange returns every probe's own output and exit status."""
    t = ReplayTransport(RECORDING)
    result = batch.run(t, [A, B, C])
    got = {k: (v.text, v.exit_code) for k, v in result.outputs.items()}
    assert {"a": ("Pixel\n", 0), "b": ("", 1), "c": ("no newline at the end", 0)} == got
    assert (1, ()) == (t.meter.exchanges, result.missing)


def test_unknown_command_is_an_output_not_an_exception() -> None:
    """A program the phone lacks gives its message and status 127 for that probe alone."""
    missing = Probe("m", ("cmd", "nonexistent"))
    result = batch.run(ReplayTransport(RECORDING), [missing, A])
    assert (127, "Pixel\n") == (result.outputs["m"].exit_code, result.outputs["a"].text)
    assert "inaccessible or not found" in result.outputs["m"].text


def test_small_phones_get_several_scripts() -> None:
    """A phone that takes 4 KiB per OPEN gets scripts that fit, and nothing is lost."""
    many = [Probe(f"p{i}", ("getprop", "ro.product.model")) for i in range(120)]
    t = ReplayTransport(RECORDING, max_command=4000)
    result = batch.run(t, many)
    assert all(len(c) <= 4000 for c in t.meter.commands)
    assert (True, 120) == (t.meter.exchanges > 1, len(result.outputs))


class _Breaks:
    """A transport that loses the phone after delivering part of the output."""

    serial = "SIM1"
    max_command = 1 << 20

    def __init__(self, markers: int) -> None:
        self.markers = markers
        self.meter = Meter()
        self.inner = ReplayTransport(RECORDING)

    def shell(self, command: str, *, timeout: float = 1.0) -> ShellResult:
        full = self.inner.shell(command).stdout
        lines = full.splitlines(keepends=True)
        ends = [i for i, line in enumerate(lines) if b":msgscan:" in line]
        kept = b"".join(lines[: ends[self.markers - 1] + 1]) + b"half a li"
        raise DeviceLost("SIM1: connection lost", hint="replug", partial=kept)

    def close(self) -> None:
        pass


def test_broken_stream_keeps_finished_probes() -> None:
    """Probes whose end marker arrived survive a lost connection; the rest are missing."""
    result = batch.run(_Breaks(markers=2), [A, B, C])
    assert (["a", "b"], ("c",)) == (sorted(result.outputs), result.missing)
    assert isinstance(result.error, DeviceLost)

"""Probes travel in as few exchanges as the phone allows and come back apart."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess

import pytest

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
        ends = [i for i, line in enumerate(lines) if re.search(rb":msgscan:[0-9a-f]{8}:", line)]
        kept = b"".join(lines[: ends[self.markers - 1] + 1]) + b"half a li"
        raise DeviceLost("SIM1: connection lost", hint="replug", partial=kept)

    def close(self) -> None:
        pass


def test_broken_stream_keeps_finished_probes() -> None:
    """Probes whose end marker arrived survive a lost connection; the rest are missing."""
    result = batch.run(_Breaks(markers=2), [A, B, C])
    assert (["a", "b"], ("c",)) == (sorted(result.outputs), result.missing)
    assert isinstance(result.error, DeviceLost)


# --- the phone's checksum beside each output (issue 12, case 4) -------------------------------


def test_cksum_is_posix_cksum() -> None:
    """The host's CRC is what POSIX cksum (coreutils here, toybox on the phone) prints."""
    for data in (b"", b"a", b"hello world\n", bytes(range(256)) * 300):
        out = subprocess.run(["cksum"], input=data, capture_output=True, check=True).stdout
        assert out.split() == [str(batch.cksum(data)).encode(), str(len(data)).encode()]


def _one(stdout: bytes, nonce: str = "0000abcd") -> batch.Output:
    return batch.split(stdout, [A], nonce)["a"]


def _framed(output: bytes, said: bytes | None = None, nonce: str = "0000abcd") -> bytes:
    checked = output + f":msgscan:{nonce}:0:0\n".encode()
    return checked + (batch.cksum_line(checked) if said is None else said + b":msgscan:=\n")


@pytest.mark.parametrize(
    ("stdout", "damaged", "verified"),
    [
        (_framed(b"Pixel\n"), False, True),
        (_framed(b"Pixel\n").replace(b"Pixel", b"Pixet"), True, False),  # a byte changed
        (_framed(b"Pixel\n").replace(b"Pixel\n", b"Pixe\n"), True, False),  # a byte lost
        (_framed(b"Pixel\n", b"/system/bin/sh: cksum: not found\n"), False, False),  # no cksum
        (_framed(b"Pixel\n", b""), False, False),  # shell v2: the message went to stderr
        (_framed(b"Pixel\n", b"4294967295 0\n"), False, False),  # tee could not open the fd
        (_framed(b"Pixel\n", b"garbage here\n"), True, False),
        (_framed(b"Pixel\n").replace(b"\n", b"\r\n"), False, True),  # PTY line ends
    ],
    ids=["intact", "changed", "lost", "no-cksum", "stderr-apart", "tee-failed", "junk", "pty"],
)
def test_checksum_outcomes(stdout: bytes, damaged: bool, verified: bool) -> None:
    out = _one(stdout)
    assert (damaged, verified) == (out.damaged is not None, out.verified)


def test_a_missing_checksum_is_never_taken_from_the_next_output() -> None:
    """Without cksum, the next probe's "<mtime> <size>" line is its output, not a checksum."""
    stdout = b"Pixel\n:msgscan:0000abcd:0:0\n:msgscan:=\n1700000000 12\n:msgscan:0000abcd:1:0\n:msgscan:=\n"
    got = batch.split(stdout, [A, B], "0000abcd")
    assert ("1700000000 12\n", None, False) == (got["b"].text, got["b"].damaged, got["b"].verified)


@pytest.mark.parametrize("shell", ["sh", "mksh"])
def test_the_script_runs_in_a_real_shell(shell: str) -> None:
    """The framing under a real shell whose stdout is a socket, as adbd's raw shell gives it
    (mksh is Android's /system/bin/sh): every output verified, exit codes intact."""
    path = shutil.which(shell)
    if path is None:
        assert os.environ.get("CI") != "true", f"{shell} is missing (.ci/run installs it)"
        pytest.skip(f"{shell} is not installed")
    group = [Probe("x", ("printf", "two\\nlines")), Probe("y", ("false",)), Probe("z", ("cat", "/nonexistent/x"))]
    mine, theirs = socket.socketpair()
    with mine:
        proc = subprocess.Popen([path, "-c", batch.script(group, "0000abcd")], stdout=theirs, stderr=theirs)
        theirs.close()
        data = b""
        while chunk := mine.recv(65536):
            data += chunk
        proc.wait(timeout=10)
    got = batch.split(data, group, "0000abcd")
    assert {"x": (0, True), "y": (1, True), "z": (1, True)} == {
        k: (v.exit_code, v.verified) for k, v in got.items()
    }
    assert "two\nlines" == got["x"].text and all(v.damaged is None for v in got.values())

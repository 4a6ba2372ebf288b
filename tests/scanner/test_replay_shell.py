"""The recorded shell answers like a phone's sh, from a recording only."""

from __future__ import annotations

import pytest

from scanner.recording import Command, DeviceLabel, Recording
from scanner.replay import RecordedShell, ReplayTransport


@pytest.fixture
def shell() -> RecordedShell:
    return RecordedShell(
        Recording(
            DeviceLabel("SIM1"),
            (
                Command(("getprop", "ro.product.model"), b"Pixel 7a\n", device_ms=12.0),
                Command(("test", "-e", "/sdcard/a b/.nomedia"), b"", b"", 1),
                Command(("dumpsys", "x"), b"out\n", b"warn\n", 0, device_ms=30.0),
                Command(("pm", "list", "packages"), b"package:a\npackage:b\npackage:c\n"),
            ),
        )
    )


class TestRecordedShell:
    def test_recorded_command(self, shell: RecordedShell) -> None:
        """A recorded argv answers with its stdout, status and device time."""
        out = shell.run("getprop ro.product.model")
        assert (b"Pixel 7a\n", b"", 0, 12.0) == (out.stdout, out.stderr, out.exit_code, out.device_ms)

    def test_status_marker(self, shell: RecordedShell) -> None:
        """$? inside double quotes expands to the previous command's status."""
        out = shell.run("test -e '/sdcard/a b/.nomedia' 2>&1; echo \":m:0:$?\"")
        assert b":m:0:1\n" == out.stdout

    def test_unknown_command(self, shell: RecordedShell) -> None:
        """A command the recording lacks fails like mksh: message on stderr, status 127."""
        out = shell.run("reboot")
        assert (b"", b"/system/bin/sh: reboot: inaccessible or not found\n", 127) == (
            out.stdout,
            out.stderr,
            out.exit_code,
        )

    def test_and_or(self, shell: RecordedShell) -> None:
        """&& and || follow the status of the command before them."""
        assert b"yes\n" == shell.run("false && echo no || echo yes").stdout
        assert b"a\nb\n" == shell.run("true && echo a; echo b").stdout

    def test_redirections(self, shell: RecordedShell) -> None:
        """2>&1 merges stderr into stdout; 2>/dev/null and >/dev/null drop a stream."""
        assert (b"out\nwarn\n", b"") == (shell.run("dumpsys x 2>&1").stdout, shell.run("dumpsys x 2>&1").stderr)
        assert (b"out\n", b"") == (shell.run("dumpsys x 2>/dev/null").stdout, b"")
        assert (b"", b"warn\n") == (shell.run("dumpsys x >/dev/null").stdout, shell.run("dumpsys x >/dev/null").stderr)

    def test_pipes(self, shell: RecordedShell) -> None:
        """Pipes feed the few filters a client uses."""
        assert b"3\n" == shell.run("pm list packages | wc -l").stdout
        assert b"package:a\n" == shell.run("pm list packages | head -n 1").stdout

    def test_adbutils_marker(self, shell: RecordedShell) -> None:
        """adbutils' shell2() suffix gives the status of the user's command."""
        assert b"X4EXIT:127\n" == shell.run("nosuch; echo X4EXIT:$?").stdout

    def test_quotes_as_adb_exec_out_sends_them(self, shell: RecordedShell) -> None:
        """adb exec-out single-quotes every argument after the first."""
        assert b"Pixel 7a\n" == shell.run("getprop 'ro.product.model'").stdout

    @pytest.mark.parametrize("line", ['echo "open', "echo 'open", "; ls", "a &&", "| wc"])
    def test_syntax_errors(self, shell: RecordedShell, line: str) -> None:
        """Broken syntax gets a shell error, never an exception."""
        out = shell.run(line)
        assert (1, True) == (out.exit_code, out.stderr.startswith(b"/system/bin/sh: syntax error"))

    def test_writing_a_file_is_refused(self, shell: RecordedShell) -> None:
        """Redirecting into a file is refused: the recorded phone is read-only."""
        out = shell.run("echo x > /sdcard/file")
        assert 1 == out.exit_code


def test_replay_transport_counts_exchanges(shell: RecordedShell) -> None:
    """Every shell() call is one exchange on the meter, with the bytes it returned."""
    t = ReplayTransport(shell.recording)
    t.shell("getprop ro.product.model")
    t.shell("dumpsys x")
    assert (2, len(b"Pixel 7a\n") + len(b"out\nwarn\n")) == (t.meter.exchanges, t.meter.bytes_received)

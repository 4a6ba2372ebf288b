"""review13b (session 28): the boot id as a PTY delivers it.

Without the shell protocol an adbd that runs the command on a PTY (Android before 7's
``shell:``; ``scanner.simphone.shellsvc``: the tty's ``onlcr``) turns the kernel's "\\n" into
"\\r\\n", and ``scanner.batch`` verifies such an output against the phone's checksum of the
plain text. Every other line parser reads ``\\r?``; ``parse_boot_id`` refused the UUID the
kernel printed, so one phone of that kind on two links stayed twins: each scan after them
resolved nothing until the operator's --adopt, and the page kept the fixed failures. A "\\r"
is still no part of the id, and anything else stays refused.
"""

from __future__ import annotations

from checks.facts import Unseen
from scanner.parse.boot_id import parse_boot_id

BOOT = "3f1c2a9e-8b7d-4c6e-9a5b-0d1e2f3a4b5c"


def test_the_kernels_line_through_a_pty_is_read() -> None:
    assert parse_boot_id(BOOT + "\r\n") == BOOT


def test_a_carriage_return_is_no_part_of_it() -> None:
    for bad in (BOOT + "\r", BOOT + "\r\r\n", BOOT + "\n\r\n", "\r" + BOOT + "\n", BOOT + "\n\r"):
        got = parse_boot_id(bad)
        assert isinstance(got, Unseen), repr(bad)
        assert BOOT[:8] not in got.reason

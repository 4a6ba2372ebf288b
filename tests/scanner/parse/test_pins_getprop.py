"""Pins for mutants of ``scanner/parse/getprop.py`` that its own tests let live: the device id.

The phone's serial is ``ro.serialno``; init copies it from the bootloader's
``androidboot.serialno`` into ``ro.boot.serialno`` (AOSP ``system/core/init``), which is read
when ``ro.serialno`` is empty or a placeholder many phones share.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.parse.getprop import parse_getprop, serial_from_props
from scanner.parse.text import decode

S25 = "samsung-s25-android16/getprop.utf16le.txt"


@pytest.fixture(scope="module")
def s25(capture: Callable[[str], bytes]) -> dict[str, str]:
    return parse_getprop(decode(capture(S25)))


def test_the_captures_serial_is_its_ro_serialno(s25: dict[str, str]) -> None:
    """The S25+ capture's ``ro.serialno`` (a same-length placeholder, PROVENANCE.md) is its id."""
    assert s25["ro.serialno"] == serial_from_props(s25)


def test_boot_serial_when_ro_serialno_is_empty(s25: dict[str, str]) -> None:
    props = {**s25, "ro.serialno": "", "ro.boot.serialno": "ZY22abc9QX"}
    assert serial_from_props(props) == "ZY22abc9QX"


@pytest.mark.parametrize("placeholder", ["0123456789ABCDEF", "unknown", "0000000000000000"])
def test_a_shared_placeholder_is_passed_over(s25: dict[str, str], placeholder: str) -> None:
    """AOSP's default ``0123456789ABCDEF`` and ``Build.UNKNOWN`` name no one phone: the boot
    serial is used, and with no other value there is no id at all."""
    with_boot = {**s25, "ro.serialno": placeholder, "ro.boot.serialno": "ZY22abc9QX"}
    assert serial_from_props(with_boot) == "ZY22abc9QX"
    assert serial_from_props({"ro.serialno": placeholder, "ro.boot.serialno": placeholder}) is None


def test_a_value_that_is_no_serial_is_passed_over() -> None:
    props = {"ro.serialno": "x;reboot", "ro.boot.serialno": "ZY22abc9QX"}
    assert serial_from_props(props) == "ZY22abc9QX"
    assert serial_from_props({}) is None


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_multi_line_value_is_kept_as_printed(newline: str) -> None:
    """getprop prints a value verbatim, newlines included (the capture's
    ``persist.sys.boot.reason.history`` spans 3 lines): only the CR of CRLF output is dropped,
    never a character the value ends a line with."""
    text = newline.join(["[persist.x.history]: [reboot,X", "shutdown,userrequestedX", "lpm]", ""])
    assert parse_getprop(text) == {"persist.x.history": "reboot,X\nshutdown,userrequestedX\nlpm"}

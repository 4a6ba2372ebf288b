"""Decoding by content (issue 12, case 3): UTF-16 with or without a BOM, mixed with UTF-8, and
what fits no encoding counted as garbled rather than guessed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.parse.text import decode, decode_checked

SAMSUNG = "samsung-s25-android16/getprop.utf16le.txt"


@pytest.mark.needs_fixtures
def test_utf16le_with_and_without_bom(capture: Callable[[str], bytes]) -> None:
    """The real PowerShell capture reads the same with its BOM and without it."""
    raw = capture(SAMSUNG)
    with_bom, without = decode_checked(raw), decode_checked(raw[2:])
    assert with_bom.text == without.text and "[ro.build.version.sdk]: [36]" in without.text
    assert (0, ("utf-16-le",)) == (without.garbled, without.encodings)


@pytest.mark.needs_fixtures
def test_utf16_then_utf8_keeps_both_parts(capture: Callable[[str], bytes]) -> None:
    raw = capture(SAMSUNG) + "[persist.x]: [é]\n".encode()
    got = decode_checked(raw)
    assert ("utf-16-le", "utf-8") == got.encodings and got.text.endswith("[persist.x]: [é]\n")
    assert "[ro.build.version.sdk]: [36]" in got.text and 0 == got.garbled


@pytest.mark.parametrize(
    ("data", "text", "garbled"),
    [
        ("Packages:\n  Package [com.whatsapp] (1):\n".encode("utf-16-be"), "Packages:\n  Package [com.whatsapp] (1):\n", 0),
        (b"\xfe\xff" + "User 0: installed=true\n".encode("utf-16-be"), "User 0: installed=true\n", 0),
        (b"User 0: installed=\x00true\n", "User 0: installed=\ufffdtrue\n", 1),
        (b"caf\xc3\xa9 \xe2\x80\x93 ok\n", "café – ok\n", 0),
        (b"a\xff\nb\xfe\nc\n", "a\ufffd\nb\ufffd\nc\n", 2),
        ("abcdef\n".encode("utf-16-le") + b"\x41", "abcdef\nA", 0),  # a UTF-8 tail after UTF-16
    ],
    ids=["utf16be-no-bom", "utf16be-bom", "nul-in-utf8", "utf8", "invalid-utf8", "odd-tail"],
)  # fmt: skip
def test_decided_by_content(data: bytes, text: str, garbled: int) -> None:
    got = decode_checked(data)
    assert (text, garbled) == (got.text, got.garbled)
    assert decode(data) == got.text

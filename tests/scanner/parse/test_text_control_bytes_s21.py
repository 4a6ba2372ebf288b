"""The control-byte look before ``decode``'s regex pass (session 21): skipping the pass when the
bytes hold no control must never leave a control, a ``\\r`` or a garbled count behind."""

from __future__ import annotations

import pytest

from scanner.parse import text


def _slow(data: bytes) -> text.Decoded:
    """What ``decode_checked`` gave before the look: the str path always runs the regex pass."""
    decoded, _ = text._bytes_to_text(data)
    return text.decode_checked(decoded)


@pytest.mark.parametrize("byte", range(256))
def test_every_byte_in_utf8_decodes_as_the_regex_pass_does(byte: int) -> None:
    data = b"Package [a] (1):\n  x=" + bytes([byte]) + b"y\n"
    fast, slow = text.decode_checked(data), _slow(data)
    assert (fast.text, fast.garbled) == (slow.text, slow.garbled)
    assert not text._CONTROL.search(fast.text) and "\r" not in fast.text


@pytest.mark.parametrize("char", [*map(chr, range(0x20)), "\x7f", "\u0a0a", "\u7f7f", "\u1b1b"])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_controls_are_replaced(char: str, encoding: str) -> None:
    bom = "\ufeff".encode(encoding)
    data = bom + f"userId=10{char}123\n".encode(encoding)
    fast, slow = text.decode_checked(data), _slow(data)
    assert (fast.text, fast.garbled) == (slow.text, slow.garbled)
    assert not text._CONTROL.search(fast.text) and "\r" not in fast.text


def test_a_clean_dump_keeps_its_text_and_counts_nothing_garbled() -> None:
    data = "Packages:\n  Package [com.whatsapp] (9f):\n    versionName=2.24 – ü\n".encode()
    decoded = text.decode_checked(data)
    assert decoded.text == data.decode()
    assert (decoded.garbled, decoded.encodings) == (0, ("utf-8",))


def test_invalid_utf8_without_controls_still_counts_as_garbled() -> None:
    decoded = text.decode_checked(b"a=\xff\xfe\n b=ok\n")
    assert decoded.garbled == 1 and text.REPLACEMENT in decoded.text

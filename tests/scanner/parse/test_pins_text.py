"""Pins for mutants of ``scanner/parse/text.py`` that its own tests let live.

Windows PowerShell's ``>`` writes UTF-16LE with a BOM and CRLF (the S25+ getprop capture). An
answer of one or two characters saved that way (``adb shell settings get global adb_enabled``
gives ``1``) is shorter than a run of NUL pairs (4), so it is read as the tail of the
output: still UTF-16 when every other byte is NUL, never UTF-8 with NULs in it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.parse.text import decode_checked, implausible

SAMSUNG = "samsung-s25-android16/getprop.utf16le.txt"


@pytest.mark.needs_fixtures
@pytest.mark.parametrize("answer", ["1", "0", "36", ""])
def test_a_short_utf16_answer_is_utf16(capture: Callable[[str], bytes], answer: str) -> None:
    bom = capture(SAMSUNG)[:2]
    assert bom == b"\xff\xfe"
    got = decode_checked(bom + f"{answer}\r\n".encode("utf-16-le"))
    assert (got.text, got.garbled, got.encodings) == (f"{answer}\n", 0, ("utf-16-le",))


TEKARTIK = "tekartik-wearos-android11/dumpsys-package-1.txt"


@pytest.mark.needs_fixtures
def test_a_dumpsys_that_timed_out_is_not_whole(capture: Callable[[str], bytes]) -> None:
    """dumpsys gives up on a slow service and says so on stderr, which the batch merges (AOSP
    cmds/dumpsys/dumpsys.cpp: ``*** SERVICE 'package' DUMP TIMEOUT (10000ms) EXPIRED ***``):
    the dump before it is partial, so the output is implausible; the whole capture is not."""
    whole = decode_checked(capture(TEKARTIK)).text
    timed_out = whole + "*** SERVICE 'package' DUMP TIMEOUT (10000ms) EXPIRED ***\n"
    assert implausible(whole) is None
    assert implausible(timed_out) is not None


@pytest.mark.needs_fixtures
def test_a_bom_kept_in_text_is_dropped(capture: Callable[[str], bytes]) -> None:
    """A UTF-8 capture saved with a BOM (Notepad's "UTF-8 with BOM") and read as text keeps
    U+FEFF before its first line; it is no part of the output, so the first property of the
    S25+ getprop capture is still read."""
    from scanner.parse.getprop import parse_getprop

    text = decode_checked(capture(SAMSUNG)).text
    first = text.split("]: [", 1)[0].removeprefix("[")
    again = decode_checked("\ufeff" + text)
    assert again.text == text
    assert first in parse_getprop(again.text)


@pytest.mark.needs_fixtures
def test_utf8_bytes_with_a_bom_are_the_text_after_it(capture: Callable[[str], bytes]) -> None:
    """A UTF-8 capture saved with a BOM (``EF BB BF``, Notepad's "UTF-8 with BOM"; the LG
    settings capture as bytes): the BOM is dropped, the text is the same as without it."""
    raw = capture("isdi-lg-m150-android6/settings-global-system.txt")
    plain = decode_checked(raw)
    got = decode_checked(b"\xef\xbb\xbf" + raw)
    assert (got.text, got.garbled, got.encodings) == (plain.text, plain.garbled, ("utf-8",))
    assert got.text.startswith(plain.text[:20]) and "\ufeff" not in got.text


@pytest.mark.parametrize("answer", ["1", "36"])
def test_a_short_utf16be_answer_is_utf16be(answer: str) -> None:
    """The same for UTF-16BE with its BOM (``FE FF``; ``00 <ASCII>`` pairs): an answer shorter
    than a run is still UTF-16BE when every first byte of a pair is NUL."""
    got = decode_checked(b"\xfe\xff" + f"{answer}\r\n".encode("utf-16-be"))
    assert (got.text, got.garbled, got.encodings) == (f"{answer}\n", 0, ("utf-16-be",))


@pytest.mark.needs_fixtures
def test_a_utf16le_copy_that_lost_its_first_byte_is_damaged_where_it_lost_it(
    capture: Callable[[str], bytes],
) -> None:
    """The S25+ capture without its BOM and first byte (``00 72 00 6f …``) has as many bytes in
    ``00 <ASCII>`` pairs as in ``<ASCII> 00`` pairs: it is read as UTF-16LE, the Windows form,
    so the lost ``[`` shows as U+FFFD on the first line and every later line is the capture's;
    read as UTF-16BE the first line would silently lack its ``[`` and a stray U+FFFD would
    end the last."""
    raw = capture(SAMSUNG)
    whole = decode_checked(raw).text
    got = decode_checked(raw[3:])
    assert got.text == "\ufffd" + whole[1:]
    assert got.garbled == 1 and got.text.endswith(whole.rsplit("\n", 2)[-2] + "\n")


@pytest.mark.needs_fixtures
def test_utf16_appended_to_utf8_with_a_bom_is_read(capture: Callable[[str], bytes]) -> None:
    """A UTF-8 file with a BOM to which a Windows shell appended UTF-16LE (the mixed capture of
    the module's docstring, the other way round): both parts are read, nothing is garbled."""
    settings = capture("isdi-lg-m150-android6/settings-global-system.txt")
    getprop = capture(SAMSUNG)[2:]  # UTF-16LE without its BOM, as appended
    got = decode_checked(b"\xef\xbb\xbf" + settings + getprop)
    assert got.garbled == 0
    assert got.text == decode_checked(settings).text + decode_checked(capture(SAMSUNG)).text


@pytest.mark.parametrize("utf16", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("answer", ["36", "ab"])
def test_a_four_character_utf16_answer_without_a_bom_is_utf16(answer: str, utf16: str) -> None:
    """``getprop ro.build.version.sdk`` answered ``36\\r\\n`` and saved as UTF-16 without a BOM
    (a copy that lost its first two bytes): one run of four NUL pairs of one order and none of
    the other long enough to count, still UTF-16 of that order, never UTF-8 with NULs."""
    got = decode_checked(f"{answer}\r\n".encode(utf16))
    assert (got.text, got.garbled, got.encodings) == (f"{answer}\n", 0, (utf16,))


@pytest.mark.needs_fixtures
def test_utf8_then_utf16_names_both_encodings_in_order(capture: Callable[[str], bytes]) -> None:
    """``adb shell settings list global > f`` from cmd (UTF-8), then ``adb shell getprop >> f``
    from Windows PowerShell (UTF-16LE, no BOM when appended): both are read, and the encodings
    found are named in the order they came."""
    settings = capture("isdi-lg-m150-android6/settings-global-system.txt")
    got = decode_checked(settings + capture(SAMSUNG)[2:])
    assert got.encodings == ("utf-8", "utf-16-le")
    assert got.text == decode_checked(settings).text + decode_checked(capture(SAMSUNG)).text


@pytest.mark.needs_fixtures
@pytest.mark.parametrize(("spoilt", "says"), [(1, "1 line holds"), (2, "2 lines hold")])
def test_garbled_lines_are_counted_in_the_reason(
    capture: Callable[[str], bytes], spoilt: int, says: str
) -> None:
    """A NUL byte in one (or two) lines of the Wear OS dumpsys capture: the reason names how
    many lines hold bytes that are not text, in words that fit the count."""
    lines = decode_checked(capture(TEKARTIK)).text.split("\n")
    for n in range(spoilt):
        lines[10 + n] = lines[10 + n][:5] + "\x00" + lines[10 + n][5:]
    text = decode_checked("\n".join(lines).encode()).text
    assert implausible(text) == f"garbled output: {says} bytes that are not text"

"""Turn the bytes a phone (or a saved capture) gives us into clean text for the parsers.

Pure and fast: a BOM sniff, a look at where the NUL bytes sit, one decode per encoding run, one
``\\r`` strip and one regex pass over control characters, so a 4 MB ``dumpsys`` costs a few
milliseconds.

The encoding is decided by content, not assumed. Phone output is UTF-8; a capture saved on
Windows is UTF-16LE, with a BOM (Windows PowerShell's ``>``, fixture
samsung-s25-android16/getprop.utf16le.txt) or without one (``Out-File -Encoding unicode`` of an
appended file, a copy that lost its first two bytes). ASCII text in UTF-16 has a NUL in every
other byte, which UTF-8 text never has, so runs of ``<ASCII> 00`` pairs are read as UTF-16LE
(``00 <ASCII>`` as UTF-16BE) and everything between them as UTF-8: a UTF-16 capture with UTF-8
appended (``getprop > f`` in PowerShell, then ``adb shell dumpsys >> f`` from cmd) keeps both
parts. What fits no encoding (invalid UTF-8, a lone NUL, an odd byte inside UTF-16) becomes
U+FFFD, and ``Decoded.garbled`` says how many lines hold such characters: the parsers never
guess at them, and a fact read from them is reported as damaged.
"""

from __future__ import annotations

import codecs
import re

from msgspec import Struct

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""C0 controls (and DEL) except ``\\t`` and ``\\n``. A full ``dumpsys`` can carry raw binary,
e.g. an ABX ``keystore=`` blob with NUL bytes inside ``dumpsys adb`` (public capture, see
docs/sources.md, ``dumpsys package`` rule 12); ``\\x0b``/``\\x0c``/``\\x1c``-``\\x1e``
would also count as line breaks for ``str.splitlines``."""

REPLACEMENT = "\ufffd"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    # Windows PowerShell's ``>`` writes UTF-16LE with a BOM and CRLF
    # (fixture samsung-s25-android16/getprop.utf16le.txt, Android 16).
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Four or more characters of ASCII text in UTF-16: far longer than any NUL-separated run in
# binary noise inside UTF-8 text (``installed=\0true`` is one pair), and every line of real
# output is longer.
_UTF16LE_RUN = rb"(?:[\t\n\r\x20-\x7e\xa0-\xff]\x00){4,}"  # compiled when used (start-up)
_UTF16BE_RUN = rb"(?:\x00[\t\n\r\x20-\x7e\xa0-\xff]){4,}"


class Decoded(Struct, frozen=True):
    text: str
    garbled: int
    """Lines holding something that is not text in any encoding (shown as U+FFFD)."""
    encodings: tuple[str, ...]
    """The encodings found, in order (``("utf-16-le", "utf-8")`` for a mixed capture)."""


def decode(data: bytes | str, *, controls: bool | None = None) -> str:
    """Decode command output: encoding by content, ``\\n`` line ends, no controls.

    Never raises: undecodable bytes become U+FFFD. ``str`` input only gets its line ends and
    control characters normalised. ``controls``: whether the bytes hold one of
    ``CONTROL_BYTES``, when the caller's own pass over them saw it (``scanner.batch``'s
    checksum); None: looked for here.
    """
    return decode_checked(data, controls=controls).text


def decode_checked(data: bytes | str, *, controls: bool | None = None) -> Decoded:
    """``decode`` with the count of garbled lines and the encodings that were found."""
    encodings: tuple[str, ...]
    if isinstance(data, str):
        text, encodings = data, ("text",)
    else:
        text, encodings = _bytes_to_text(data)
    text = text.removeprefix("\ufeff")  # a BOM that survived as text (str input)
    if isinstance(data, bytes) and not (
        _has_control_byte(data) if controls is None else controls
    ):
        # No \r and no control to replace: in UTF-8 every byte of a multi-byte character is
        # >= 0x80, and in UTF-16 a C0 control or DEL has a byte below 0x20 (or 0x7f) and a NUL.
        return Decoded(text, garbled_lines(text), encodings)
    # CRLF comes from the legacy ``adb shell`` PTY mode (LG Android 6 ``pm dump`` fixtures);
    # dropping every ``\r`` also fixes the doubled ``\r\r\n`` of a PTY behind a CRLF host.
    if "\r" in text:
        text = text.replace("\r", "")
    text = _CONTROL.sub(REPLACEMENT, text)
    garbled = garbled_lines(text)
    return Decoded(text, garbled, encodings)


CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
"""The bytes of ``_CONTROL`` (``\r`` among them): a C-speed look before the regex pass."""


def _has_control_byte(data: bytes) -> bool:
    """Whether ``data`` holds a byte of ``CONTROL_BYTES`` (a tenth of ``_CONTROL.search``'s
    time on a 1 MB dump: ``bytes.translate`` deletes them in C)."""
    return len(data.translate(None, CONTROL_BYTES)) != len(data)


def garbled_lines(text: str) -> int:
    """How many lines of decoded text hold U+FFFD (an undecodable byte or a control)."""
    if REPLACEMENT not in text:
        return 0
    return sum(1 for line in text.split("\n") if REPLACEMENT in line)


def _bytes_to_text(data: bytes) -> tuple[str, tuple[str, ...]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8":
                return _bytes_to_text(data[len(bom) :])[0], ("utf-8",)
            return _mixed(data[len(bom) :], encoding)
    if b"\x00" not in data:
        return data.decode("utf-8", errors="replace"), ("utf-8",)
    le = sum(len(m.group()) for m in re.finditer(_UTF16LE_RUN, data))
    be = sum(len(m.group()) for m in re.finditer(_UTF16BE_RUN, data))
    if not le and not be:
        return data.decode("utf-8", errors="replace"), ("utf-8",)
    return _mixed(data, "utf-16-le" if le >= be else "utf-16-be")


def _mixed(data: bytes, utf16: str) -> tuple[str, tuple[str, ...]]:
    """UTF-16 runs decoded as such, the bytes between them as UTF-8.

    A run starts where a UTF-16 pair does: right after a BOM, or where the NUL pattern begins.
    A CJK character (no NUL byte) inside UTF-16 text splits a run; its two bytes are then read
    as UTF-8 and show as U+FFFD, which is counted as garbled, never guessed.
    """
    run = re.compile(_UTF16LE_RUN if utf16 == "utf-16-le" else _UTF16BE_RUN)
    parts: list[str] = []
    found: list[str] = []
    at = 0

    def note(encoding: str) -> None:
        if not found or found[-1] != encoding:
            found.append(encoding)

    for m in run.finditer(data):
        if m.start() > at:
            gap = data[at : m.start()].decode("utf-8", errors="replace")
            # Between two UTF-16 runs, bytes that are not UTF-16 are damage (a byte inserted or
            # lost shifts the pairs), never a switch of encoding: shown as U+FFFD, so counted.
            parts.append(gap if not found else REPLACEMENT + gap)
            note("utf-8")
        parts.append(m.group().decode(utf16))
        note(utf16)
        at = m.end()
    if at < len(data):
        rest = data[at:]
        # A UTF-16 tail too short to be a run (a last "]\r\n" cut to one pair) is still UTF-16
        # when it has the pattern; otherwise it is UTF-8.
        if len(rest) % 2 == 0 and _pairs_like(rest, utf16):
            parts.append(rest.decode(utf16, errors="replace"))
            note(utf16)
        else:
            parts.append(rest.decode("utf-8", errors="replace"))
            note("utf-8")
    return "".join(parts), tuple(found)


def _pairs_like(data: bytes, utf16: str) -> bool:
    zeros = data[1::2] if utf16 == "utf-16-le" else data[0::2]
    return bool(zeros) and zeros.count(0) == len(zeros)


_DUMP_TIMEOUT = re.compile(r"\*\*\* SERVICE '[^']*' DUMP TIMEOUT \(\d+ms\) EXPIRED \*\*\*")
"""dumpsys gives up on a service after its timeout and says so (AOSP cmds/dumpsys/dumpsys.cpp,
``DUMP TIMEOUT … EXPIRED``, on stderr, which the batch merges): the dump before it is partial."""


def implausible(text: str) -> str | None:
    """Why a command's decoded output cannot be whole, or None: plausibility checks that hold
    for every line-based output msgscan reads (each line ends with a newline; dumpsys did not
    time out; every line is text). What a parser could still read stands; the fact is damaged."""
    lines = garbled_lines(text)
    if lines:
        noun = "line holds" if lines == 1 else "lines hold"
        return f"garbled output: {lines} {noun} bytes that are not text"
    if _DUMP_TIMEOUT.search(text):
        return "dumpsys timed out before the dump was complete"
    if text.strip() and not text.endswith("\n"):
        return "output cut short: its last line has no end"
    return None

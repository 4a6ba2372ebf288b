"""Turn the bytes a phone (or a saved capture) gives us into clean text for the parsers.

Pure and fast: a BOM sniff, one decode, one ``\\r`` strip and one regex pass over control
characters, so a 4 MB ``dumpsys`` costs a few milliseconds.
"""

from __future__ import annotations

import codecs
import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""C0 controls (and DEL) except ``\\t`` and ``\\n``. A full ``dumpsys`` can carry raw binary,
e.g. an ABX ``keystore=`` blob with NUL bytes inside ``dumpsys adb`` (public capture, see
shared/reference/dumpsys-package-format.md rule 12); ``\\x0b``/``\\x0c``/``\\x1c``-``\\x1e``
would also count as line breaks for ``str.splitlines``."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    # Windows PowerShell's ``>`` writes UTF-16LE with a BOM and CRLF
    # (fixture samsung-s25-android16/getprop.utf16le.txt, Android 16).
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes | str) -> str:
    """Decode command output: BOM sniffing, UTF-8 otherwise, ``\\n`` line ends, no controls.

    Never raises: undecodable bytes become U+FFFD. ``str`` input only gets its line ends and
    control characters normalised.
    """
    if isinstance(data, str):
        text = data
    else:
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                text = data[len(bom) :].decode(encoding, errors="replace")
                break
        else:
            text = data.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff")  # a BOM that survived as text (str input)
    # CRLF comes from the legacy ``adb shell`` PTY mode (LG Android 6 ``pm dump`` fixtures);
    # dropping every ``\r`` also fixes the doubled ``\r\r\n`` of a PTY behind a CRLF host.
    if "\r" in text:
        text = text.replace("\r", "")
    return _CONTROL.sub("\ufffd", text)

"""Pins (session 21) for ``scanner/parse/text.py``: what ``implausible`` says of a cut output.

Every line-based output msgscan reads ends each line with a newline (``dumpsys``, ``settings``,
``pm``, ``getprop`` print with ``println``); an output whose last line has none was cut in the
transfer or on the phone, so what it held is damaged, never whole. An empty answer (or one of
only blanks) is no output, not a cut one: which fact that leaves unknown is the parser's call.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.parse.text import decode_checked, implausible

TEKARTIK = "tekartik-wearos-android11/dumpsys-package-1.txt"
BYD = "byd-dilink-android10/settings-global-4-keys.txt"


@pytest.mark.needs_fixtures
@pytest.mark.parametrize("name", [TEKARTIK, BYD])
def test_a_capture_cut_inside_its_last_line_is_cut_short(
    capture: Callable[[str], bytes], name: str
) -> None:
    whole = decode_checked(capture(name)).text
    assert whole.endswith("\n") and implausible(whole) is None
    cut = whole[: whole.rindex("\n", 0, len(whole) - 1) + 6]  # five characters of the last line
    assert not cut.endswith("\n")
    assert implausible(cut) == "output cut short: its last line has no end"
    assert implausible(whole.rstrip("\n")) == "output cut short: its last line has no end"


@pytest.mark.parametrize("text", ["", "\n", "  ", " \t\n"])
def test_no_output_is_not_a_cut_output(text: str) -> None:
    assert implausible(text) is None

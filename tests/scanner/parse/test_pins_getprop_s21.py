"""Pins (session 21) for ``scanner/parse/getprop.py``: a cut multi-line value stays cut.

``getprop`` prints ``[name]: [value]`` per property; a value with line breaks spans lines until
the one ending in ``]``. A property line that comes while such a value is open means the value
was cut off (a lost transfer, a merged stream): it is dropped, never guessed, and a later line
ending in ``]`` does not close it again.
"""

from __future__ import annotations

from scanner.parse.getprop import parse_getprop, scrub_getprop

CUT = (
    "[persist.sys.banner]: [first line of a value\n"
    "[ro.build.version.sdk]: [34]\n"
    "a stray line]\n"
    "[ro.product.model]: [Pixel 8]\n"
)


def test_a_value_cut_by_the_next_property_is_dropped_for_good() -> None:
    assert parse_getprop(CUT) == {"ro.build.version.sdk": "34", "ro.product.model": "Pixel 8"}


def test_a_value_cut_by_the_next_property_is_not_kept_in_a_recording() -> None:
    assert "first line" not in scrub_getprop(CUT)
    assert parse_getprop(scrub_getprop(CUT)) == parse_getprop(CUT)

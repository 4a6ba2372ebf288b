"""Pins for mutants of ``scanner/parse/damage.py``: how the report names what could not be read.

Through the app-op damage of ``dumpsys appops`` as Android 10+ prints it
(``AppOpsService.dumpStatesLocked``: package ops as ``OP (mode):``), with modes cut short.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.names import shown
from scanner.parse.appops import appops_damage

RC, RMI, RMV = (shown(op) for op in ("READ_CONTACTS", "READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO"))
"""Ops as the report shows them (escaped and quoted, ``scanner.names.shown``)."""
HEAD = "Current AppOps Service state:\n  Uid u0a232:\n    state=cch\n    Package com.whatsapp:\n"


def ops(*lines: str) -> str:
    return HEAD + "".join(
        f"      {line}:\n        Access: [fg-s] 2026-11-20 10:00:00.000\n" for line in lines
    )


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            ops("READ_CONTACTS (allo)"),
            f"1 line could not be read: unreadable mode (1); in 1 op ({RC})",
        ),
        (
            ops("READ_CONTACTS (allo)", "READ_MEDIA_IMAGES (ign)"),
            f"2 lines could not be read: unreadable mode (2); in 2 ops ({RC}, {RMI})",
        ),
        (
            ops("READ_CONTACTS (allo)", "READ_MEDIA_IMAGES (ign)", "READ_MEDIA_VIDEO (de)"),
            f"3 lines could not be read: unreadable mode (3); in 3 ops ({RC}, {RMI}, {RMV})",
        ),
        (
            ops(
                "READ_CONTACTS (allo)",
                "READ_MEDIA_IMAGES (ign)",
                "READ_MEDIA_VIDEO (de)",
                "WRITE_CONTACTS (al)",
            ),
            f"4 lines could not be read: unreadable mode (4); "
            f"in 4 ops ({RC}, {RMI}, {RMV} and 1 more)",
        ),
        (ops("READ_CONTACTS (allow)", "CAMERA (allo)"), None),
    ],
    ids=["one", "two", "three", "four", "none-kept"],
)
def test_the_damage_is_counted_and_named(text: str, sentence: str | None) -> None:
    assert appops_damage(text).describe("op") == sentence


HUAWEI = "isdi-huawei-frd-android7/dumpsys-all.txt"


@pytest.mark.needs_fixtures
def test_damage_is_true_exactly_when_a_line_could_not_be_read(
    capture: Callable[[str], bytes],
) -> None:
    """``Damage`` is false for the Huawei capture's whole appops section (nothing unreadable)
    and true once one of WhatsApp's modes is one AppOpsManager has not (``mode=allo``)."""
    from scanner.parse.text import decode

    text = decode(capture(HUAWEI))
    assert not appops_damage(text)
    assert appops_damage(text).describe("op") is None
    whatsapp = "      READ_CONTACTS: mode=0; time=+49m49s689ms ago\n"  # in Uid u0a232's block
    cut = text.replace(whatsapp, whatsapp.replace("mode=0", "mode=allo"))
    assert cut != text
    assert appops_damage(cut)
    assert appops_damage(cut).lines == 1

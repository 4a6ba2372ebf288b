"""Pins of ``scanner/package_check.py``'s survivors (``python -m bench.mutation
scanner/package_check.py --sample 40 --seed 7``): each is a behaviour no other test asserted."""

from __future__ import annotations

from checks.facts import Package, PackageUser
from scanner import probes
from scanner.batch import Output
from scanner.package_check import NOT_MADE, _sdk, check

PROPS = b"[ro.build.version.sdk]: [30]\n[ro.product.model]: [X]\n"
APP = Package("com.whatsapp", 10233, "2", 7, None, frozenset(), users=(PackageUser(0, True),))


def test_the_sdk_of_a_getprop_that_failed_or_was_damaged_is_unknown() -> None:
    """(``or`` -> ``and``): the Android 6 options, never ones read from a broken output."""
    assert 30 == _sdk(Output(0, PROPS))
    assert _sdk(Output(1, PROPS)) is None
    assert _sdk(Output(0, PROPS, damaged="checksum mismatch")) is None


def test_an_sdk_that_is_no_number_or_no_android_is_unknown() -> None:
    """(``and`` -> ``or``, ``<`` -> ``<=``): no key, an empty or a four-digit value."""
    assert _sdk(Output(0, b"[ro.product.model]: [X]\n")) is None
    assert _sdk(Output(0, b"[ro.build.version.sdk]: []\n")) is None
    assert _sdk(Output(0, b"[ro.build.version.sdk]: [1000]\n")) is None
    assert 999 == _sdk(Output(0, b"[ro.build.version.sdk]: [999]\n"))


def test_lists_not_asked_or_not_answered_are_named() -> None:
    """(``continue`` removed, the "not answered" reason removed)."""
    damaged: dict[str, str] = {}
    assert [f"{NOT_MADE} (pm list packages -s was not asked); a forged package block is found "
            "only where dumpsys shows it"] == check({}, {}, (APP,), (), damaged)
    asked = {p.name: p for p in probes.pm_list_probes(30)}
    note = check({}, asked, (APP,), (), damaged)
    assert 1 == len(note) and "`pm list packages -s -u -i -U --show-versioncode --user 0` was not answered" in note[0]
    assert {} == damaged


def test_a_failed_list_names_its_exit() -> None:
    """(the "failed" reason removed: it read "not asked")."""
    asked = {p.name: p for p in probes.pm_list_probes(23)}
    outputs = {name: Output(137, b"Killed\n") for name in asked}
    note = check(outputs, asked, (APP,), (), {})
    assert 1 == len(note) and "`pm list packages -s -u -i --user 0` failed (exit 137, 7 bytes of output)" in note[0]
    damaged_in_transit = {name: Output(0, b"package:a.b\n", damaged="x") for name in asked}
    assert "was damaged in transit" in check(damaged_in_transit, asked, (APP,), (), {})[0]

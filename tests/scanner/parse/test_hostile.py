"""Every parser against hostile input: random text, random bytes and mutated real captures.

The property is the same for each parser: it returns (never raises), within a time and memory
budget proportional to its input. Real captures are read in place through ``capture``; the
3.8 MB Huawei dump is mutated in windows so that each example stays small and the suite fast.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.parse.appops import (
    parse_dumpsys_appops,
    parse_dumpsys_appops_uid_modes,
)
from scanner.parse.backup import backup_state
from scanner.parse.device_policy import parse_device_policy
from scanner.parse.dumpsys_package import parse_dumpsys_package, read_dumpsys_package
from scanner.parse.getprop import identity_from_props, parse_getprop, scrub_getprop
from scanner.parse.settings import parse_settings_list
from scanner.parse.storage import parse_find_stat
from scanner.parse.text import decode, implausible
from scanner.parse.users import describe_failure, parse_pm_list_users, scrub_pm_list_users

PARSERS: dict[str, Callable[[str], Any]] = {
    "dumpsys_package": parse_dumpsys_package,
    "getprop": lambda t: identity_from_props(parse_getprop(t)),
    "scrub_getprop": scrub_getprop,
    "pm_list_users": parse_pm_list_users,
    "users_failure": describe_failure,
    "scrub_users": scrub_pm_list_users,
    "device_policy": parse_device_policy,
    "appops": parse_dumpsys_appops,
    "appops_uid_modes": parse_dumpsys_appops_uid_modes,
    "backup": lambda t: backup_state(t, t),
    "settings": parse_settings_list,
    "find_stat": lambda t: parse_find_stat(t, "/storage/emulated/0/WhatsApp", 0),
}

CAPTURES = (
    "tekartik-wearos-android11/dumpsys-package-1.txt",
    "appium-android7/pm-dump-tail-com.xxx.txt",
    "isdi-lg-m150-android6/pm-dump-com.trackview.txt",
    "isdi-lg-m150-android6/settings-global-system.txt",
    "byd-dilink-android10/appops-get-com.byd.clusternav.txt",
    "samsung-s25-android16/getprop.utf16le.txt",
    "isdi-huawei-frd-android7/dumpsys-all.txt",
)
WINDOW = 64 * 1024
"""Bytes of a capture one example works on: the Huawei dump is 3.8 MB."""

FAST = settings(
    max_examples=25,
    deadline=None,  # time is asserted below, per input size, not per example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

# Lines that look like the formats, so random combinations reach the parsers' inner states.
FRAGMENTS = [
    "Packages:", "  Package [com.whatsapp] (1a2b):", "    userId=10123", "    User 0: installed=true",
    "    versionCode=1 minSdk=1 targetSdk=33", "      android.permission.READ_CONTACTS: granted=true",
    "    runtime permissions:", "    install permissions:", "Shared users:", "  SharedUser [x] (1):",
    "Hidden system packages:", "[ro.build.version.sdk]: [34]", "[ro.product.model]: [Pixel",
    "Users:", "\tUserInfo{0:Owner:c13} running", "UserInfo{10:Work:1030}", "Device Owner:",
    "  admin=ComponentInfo{com.x/.Admin}", "Profile Owner (User 10):", "Enabled Device Admins (User 0):",
    "  com.x/.Admin:", "  Uid u0a123:", "    Package com.whatsapp:", "      READ_CONTACTS (allow):",
    "      CAMERA: mode=ignore", "Uid mode: COARSE_LOCATION: ignore", "DUMP OF SERVICE appops:",
    "Backup Manager currently enabled", "  * com.google/.T", "key=value", "1700000000 123",
    "find: /storage/emulated/0/WhatsApp: Permission denied", "User 99999999999999999999:",
    "  Uid 1" + "9" * 5000 + ":", "UserInfo{" + "1" * 5000 + ":x:13}", "9" * 12 + " 1",
    "Enabled Device Admins (User " + "7" * 5000 + "):", "[ro.build.version.sdk]: [" + "3" * 5000 + "]",
]  # fmt: skip


def check_bounded(parse: Callable[[str], Any], text: str) -> None:
    """``parse(text)`` returns, in under 0.1 s + 1 s/MB, using under 64 KiB + 40x the text.
    The cyclic collector is off while it runs: a collection of the garbage the suite's earlier
    tests left, falling inside the timed call, took 0.26 s of a 25-byte parse in a full run."""
    gc.disable()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        parse(text)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.enable()
    size = len(text.encode("utf-8", "surrogatepass"))
    # tracemalloc slows allocation-heavy code several times over; the budget allows for that.
    assert elapsed < 0.1 + 3.0 * size / 1e6, f"{elapsed:.3f} s for {size} bytes"
    assert peak < 64 * 1024 + 40 * size, f"peak {peak} bytes for {size} bytes of input"


texts = st.one_of(
    st.text(max_size=2000),
    st.binary(max_size=2000).map(decode),
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=60
    ).map("\n".join),
)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FAST
@given(text=texts)
def test_random_input(name: str, text: str) -> None:
    """No random text, decoded random bytes or shuffle of format fragments makes a parser raise."""
    check_bounded(PARSERS[name], text)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> str:
    """A window of ``data`` with a few byte-level mutations: cut, repeat, insert, flip."""
    start = draw(st.integers(0, max(0, len(data) - WINDOW)))
    buf = bytearray(data[start : start + WINDOW])
    for _ in range(draw(st.integers(0, 6))):
        if not buf:
            break
        at = draw(st.integers(0, len(buf) - 1))
        span = draw(st.integers(1, 512))
        match draw(st.sampled_from(["cut", "repeat", "insert", "flip", "truncate"])):
            case "cut":
                del buf[at : at + span]
            case "repeat":
                buf[at:at] = buf[at : at + span] * draw(st.integers(1, 8))
            case "insert":
                buf[at:at] = draw(st.binary(min_size=1, max_size=64))
            case "flip":
                buf[at] ^= draw(st.integers(1, 255))
            case "truncate":
                del buf[at:]
    return decode(bytes(buf))


@pytest.mark.needs_fixtures
@pytest.mark.parametrize("name", CAPTURES)
@settings(FAST, max_examples=10)
@given(data=st.data())
def test_mutated_captures(capture: Callable[[str], bytes], name: str, data: st.DataObject) -> None:
    """Every parser survives a mutated window of every real capture, within its budget."""
    text = data.draw(mutated(capture(name)))
    for parse in PARSERS.values():
        check_bounded(parse, text)


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda f: f[:30])
def test_each_fragment_alone(name: str, fragment: str) -> None:
    """Each fragment on its own, e.g. a 5000-digit user id (``int()`` refuses past 4300 digits)
    or a file time past year 9999 (``datetime`` refuses it), is read without an exception."""
    check_bounded(PARSERS[name], fragment + "\n")


# --- damage is reported, never read as a fact (issue 12) ---------------------------------------

PACKAGE_DUMPS = (
    "tekartik-wearos-android11/dumpsys-package-1.txt",
    "tekartik-wearos-android11/dumpsys-package-2.txt",
    "isdi-lg-m150-android6/pm-dump-com.trackview.txt",
    "appium-android7/dumpsys-package-com.example.testapp.first.txt",
    "appium-android7/pm-dump-tail-com.xxx.txt",
)
NOT_TEXT = (0x00, 0x1B, 0x80, 0xC3, 0xFF)
"""Bytes that are text in no position of UTF-8 output (NUL, ESC, a lone continuation or lead byte)."""


def package_facts(packages: Any) -> dict[str, Any]:
    """What the rules read of each package; an unreadable ``installed`` is left out."""
    return {
        p.name: {
            "app_id": p.app_id,
            "version_code": p.version_code,
            "target_sdk": p.target_sdk,
            "installer": p.installer,
            "install": dict(p.install_permissions),
            "users": {
                u.user_id: (u.installed if isinstance(u.installed, bool) else None, dict(u.runtime_permissions))
                for u in p.users
            },
        }
        for p in packages
    }


def _pm_dump_package(name: str) -> str | None:
    return "com.xxx" if name.startswith("appium-android7/pm-dump-tail") else None


@pytest.mark.needs_fixtures
@pytest.mark.parametrize("name", PACKAGE_DUMPS)
@settings(FAST, max_examples=60)
@given(data=st.data())
def test_a_damaged_byte_is_reported_or_changes_nothing(
    capture: Callable[[str], bytes], name: str, data: st.DataObject
) -> None:
    """One byte anywhere in a real dump replaced by a byte that is not text: either the parser
    reports damage, or every package fact it gives is what the intact dump gives."""
    raw = capture(name)
    package = _pm_dump_package(name)
    intact = package_facts(read_dumpsys_package(decode(raw), package=package).packages)
    at = data.draw(st.integers(0, len(raw) - 1))
    damaged = raw[:at] + bytes([data.draw(st.sampled_from(NOT_TEXT))]) + raw[at + 1 :]
    listing = read_dumpsys_package(decode(damaged), package=package)
    assert listing.damage.lines > 0 or package_facts(listing.packages) == intact


@pytest.mark.needs_fixtures
@pytest.mark.parametrize("name", PACKAGE_DUMPS)
@settings(FAST, max_examples=60)
@given(data=st.data())
def test_a_cut_dump_states_no_false_fact(capture: Callable[[str], bytes], name: str, data: st.DataObject) -> None:
    """A dump cut at any byte: every value it still gives (installed, grants, versions) is the
    intact dump's value; what the cut made unreadable is unknown, never false, and reported."""
    raw = capture(name)
    package = _pm_dump_package(name)
    intact = package_facts(read_dumpsys_package(decode(raw), package=package).packages)
    cut = data.draw(st.integers(0, len(raw)))
    listing = read_dumpsys_package(decode(raw[:cut]), package=package)
    for pkg, facts in package_facts(listing.packages).items():
        whole = intact[pkg]
        for key in ("app_id", "version_code", "target_sdk", "installer"):
            assert facts[key] in (None, whole[key]), (pkg, key)
        assert facts["install"].items() <= whole["install"].items()
        for uid, (installed, runtime) in facts["users"].items():
            assert installed in (None, whole["users"][uid][0]), (pkg, uid)
            assert runtime.items() <= whole["users"][uid][1].items()


@pytest.mark.needs_fixtures
@pytest.mark.parametrize("name", CAPTURES)
@settings(FAST, max_examples=60)
@given(data=st.data())
def test_a_byte_that_is_not_text_is_always_noticed(
    capture: Callable[[str], bytes], name: str, data: st.DataObject
) -> None:
    """Every output is checked for plausibility before its fact counts (``text.implausible``):
    a byte that is not text, inserted anywhere in any real capture (UTF-8 or UTF-16), is always
    noticed, whatever parser reads the output; the intact capture is plausible."""
    raw = capture(name)
    assert implausible(decode(raw)) is None
    at = data.draw(st.integers(2, len(raw)))
    damaged = raw[:at] + bytes([data.draw(st.sampled_from(NOT_TEXT))]) + raw[at:]
    assert implausible(decode(damaged)) is not None

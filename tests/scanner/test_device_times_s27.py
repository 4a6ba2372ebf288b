"""The constructed recordings' device times (session 27, ``scanner/recordings/times.py``): the
package manager's commands cost what their AOSP structure says (docs/sources.md, "Device time
of the package manager's commands"), and every recording carries that model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from scanner import probes
from scanner.recording import Recording, load
from scanner.recordings import times
from scanner.recordings.build import HERE, large_phone
from scanner.recordings.construct import build
from scanner.simphone.services import PM_SERVICE, USER_SERVICE, service_of

ROOT = Path(__file__).resolve().parents[2]
APPS, DUMP = 300, 1_000_000


def ms(argv: tuple[str, ...], *, sdk: int = 34, users: int = 3, out: int = 0) -> float:
    return times.device_ms(argv, sdk=sdk, apps=APPS, users=users, out_bytes=out, dump_bytes=DUMP)


@pytest.fixture(scope="module")
def large() -> Recording:
    return build(large_phone(APPS, 3), model="Pixel 8", product="shiba", device="shiba")


def test_the_list_of_every_user_costs_per_user_on_14() -> None:
    """runListPackages calls getInstalledPackages once per user of getUserIds() without
    --user (14+): each user more is one more PackageInfo per package."""
    every = probes.PM_LIST_ALL.argv
    one, three = ms(every, users=1), ms(every, users=3)
    assert three - one == pytest.approx(2 * APPS * times.PACKAGE_INFO_MS, abs=0.1)
    own = probes.pm_user_list_probe(34, 10).argv
    assert ms(own, users=3) == ms(every, users=1) > 0  # --user N walks one user


def test_before_14_a_list_without_user_walks_user_0_alone() -> None:
    every = probes.PM_LIST_ALL.argv
    assert ms(every, sdk=33, users=3) == ms(every, sdk=33, users=1)
    assert ms(every, sdk=33, users=3) == ms(probes.pm_user_list_probe(33, 10).argv, sdk=33)
    assert ms(every, sdk=34, users=3) > ms(every, sdk=33, users=3)


def test_pm_is_a_binder_client_from_9_and_a_vm_before() -> None:
    """/system/bin/pm is `cmd package "$@"` from Android 9; app_process runs Pm.java before."""
    for argv in (probes.USERS.argv, ("pm", "list", "packages", "-s", "--user", "0")):
        assert ms(argv, sdk=27) - ms(argv, sdk=28) == pytest.approx(
            times.APP_PROCESS_MS - times.BINDER_CLIENT_MS, abs=0.1
        )
    assert ms(probes.USERS.argv, sdk=28) < 100 < ms(probes.USERS.argv, sdk=24)


def test_a_list_pays_for_its_bytes_at_the_dumps_rate() -> None:
    argv = ("pm", "list", "packages", "-3", "--user", "0")
    rate = times.DUMP_PER_APP_MS * APPS / DUMP
    assert ms(argv, out=20_000) - ms(argv, out=0) == pytest.approx(20_000 * rate, abs=0.1)


def test_shared_users_costs_its_share_of_the_dump() -> None:
    """The real Huawei capture's Shared users: section is 14 % of its Packages: bytes."""
    packages = ms(probes.PACKAGES.argv)
    shared = ms(probes.SHARED_USERS.argv)
    per_app = packages - times.DUMP_FIXED_MS
    assert shared - times.DUMP_FIXED_MS == pytest.approx(0.14 * per_app, rel=0.01)


def test_the_large_phone_carries_the_model(large: Recording) -> None:
    dump = next(c for c in large.commands if c.argv == probes.PACKAGES.argv)
    for c in large.commands:
        assert c.device_ms == times.device_ms(
            c.argv, sdk=34, apps=APPS, users=3, out_bytes=len(c.stdout),
            dump_bytes=len(dump.stdout),
        ), c.argv  # fmt: skip
    queue = {
        " ".join(c.argv): c.device_ms for c in large.commands if service_of(c.argv) == PM_SERVICE
    }
    every = " ".join(probes.PM_LIST_ALL.argv)
    # The list of every user walks 3 users: dearer than user 0's -3 list, which prints about as
    # many bytes; far below the packages dump, above a start.
    minus3 = next(k for k in queue if " -3 " in k)
    assert queue[minus3] < queue[every] < queue[" ".join(probes.PACKAGES.argv)]
    assert sum(queue.values()) < 3000  # 2.7 s (was 4.75 s under the flat table)
    users = [c for c in large.commands if service_of(c.argv) == USER_SERVICE]
    assert users and all(c.device_ms < 100 for c in users)


def test_every_shipped_recording_says_how_its_times_were_made() -> None:
    for path in sorted(HERE.glob("*.json")):
        meta = json.loads(path.read_text("utf-8"))["meta"]
        assert "scanner/recordings/times.py" in meta["how_made"], path.name
        rec = load(path)
        dump = next(c for c in rec.commands if c.argv == probes.PACKAGES.argv)
        lists = [c for c in rec.commands if c.argv[:3] == ("pm", "list", "packages")]
        assert lists, path.name
        assert all(c.device_ms < dump.device_ms for c in lists), path.name


def test_a_before_trees_own_lists_cost_one_user_each(large: Recording) -> None:
    """bench/scan_wave.py's with_own_lists serves session 25's per-user lists under the same
    model: one user walked, its own bytes; together dearer than the one list of every user."""
    sys.path.insert(0, str(ROOT))
    from bench.scan_wave import with_own_lists

    served = with_own_lists(large)
    every = next(c for c in served.commands if c.argv == probes.PM_LIST_ALL.argv)
    own = [c for c in served.commands if c.argv[-2:-1] == ("--user",) and c.argv[-1] != "0"]
    assert [c.argv[-1] for c in own] == ["10", "11"]
    for c in own:
        assert c.device_ms < every.device_ms
    assert sum(c.device_ms for c in own) > every.device_ms


def test_every_shipped_recording_carries_the_model() -> None:
    """Each shipped recording's device times are the model's for that phone (its SDK, packages,
    users and the bytes each command prints): what `python -m scanner.recordings.build` wrote."""
    from scanner.simphone.commands.facts import read_facts

    for path in sorted(HERE.glob("*.json")):
        rec = load(path)
        facts = read_facts(rec)
        dump = next(c for c in rec.commands if c.argv == probes.PACKAGES.argv)
        for c in rec.commands:
            want = times.device_ms(
                c.argv, sdk=facts.sdk, apps=len(facts.packages), users=len(facts.users),
                out_bytes=len(c.stdout), dump_bytes=len(dump.stdout),
            )  # fmt: skip
            assert c.device_ms == want, (path.name, c.argv)


def test_other_services_keep_their_estimates() -> None:
    assert ms(("bmgr", "enabled")) == times.OTHER_MS["bmgr"] > times.BINDER_CLIENT_MS
    assert ms(("dumpsys", "device_policy")) == times.OTHER_MS["dumpsys"]
    assert ms(("getprop",)) == times.OTHER_MS["getprop"]
    assert ms(("cmd", "user", "list", "-v")) == times.BINDER_CLIENT_MS
    assert ms(("find", "/sdcard/x")) == times.SMALL_MS


def test_a_vms_start_is_the_measured_difference() -> None:
    """appium/appium-adb#355's Android 7.0 phone: `pm list packages PKG` 1,209 ms against
    `dumpsys package PKG` 80 ms, both whole adb round trips: the VM's start is the difference,
    and a binder client's start stays below the 61 ms round trip of appium/appium#17257."""
    assert abs(times.APP_PROCESS_MS - (1209 - 80)) <= 1
    assert times.BINDER_CLIENT_MS < 61

"""MSG-05's ``reach`` kept by its inputs (session 28): the kept answer is the one worked out.

``reach`` looks its answer up by ``_inputs`` (the API levels, the five storage grants, the app
ops' modes) and works it out with ``_reach`` only for inputs it has not seen. These tests pin
that the key holds everything ``_reach`` reads (same answer as a fresh ``_reach`` for any app,
grants, modes and Android version), that its grants and modes are the ones ``granted`` and
``AppOps.mode`` read, and that the large phone's findings are the same with the store empty,
filled, or bypassed.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.evaluate import evaluate
from checks.facts import AppOps, OpMode, Package, PackageUser
from checks.policy import Policy
from checks.rules import _readers
from checks.rules._common import granted, op_mode

_PERMS = [*_readers._STORAGE, *_readers._MEDIA, "android.permission.CAMERA"]
_OPS = [*_readers._OPS, "CAMERA"]
_MODES = st.sampled_from([*OpMode])
_SDKS = st.sampled_from([None, 22, 23, 28, 29, 30, 32, 33, 34])


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Package, int, AppOps, int | None]:
    user_id = draw(st.sampled_from([0, 10, 150]))
    app_id = draw(st.one_of(st.none(), st.integers(10000, 10003)))
    name = draw(st.sampled_from(["com.a", "com.b"]))
    grants = st.dictionaries(st.sampled_from(_PERMS), st.booleans(), max_size=6)
    users = tuple(
        PackageUser(uid, draw(st.booleans()), draw(grants))
        for uid in draw(st.sets(st.sampled_from([0, 10, 150]), max_size=3))
    )
    package = Package(
        name, app_id, None, None, None, frozenset(), draw(grants), users,
        target_sdk=draw(_SDKS),
    )  # fmt: skip
    ops_of = st.dictionaries(st.sampled_from(_OPS), _MODES, max_size=4)
    modes = draw(
        st.dictionaries(
            st.tuples(st.sampled_from([0, 10, 150]), st.sampled_from(["com.a", "com.b"])),
            ops_of, max_size=3,
        )
    )  # fmt: skip
    uid_modes = draw(
        st.dictionaries(
            st.sampled_from([u * 100000 + a for u in (0, 10, 150) for a in range(10000, 10004)]),
            ops_of, max_size=3,
        )
    )  # fmt: skip
    return package, user_id, AppOps(modes, uid_modes), draw(_SDKS)


@settings(max_examples=600, deadline=None)
@given(_cases())
def test_the_kept_answer_is_the_one_worked_out(case: tuple[Package, int, AppOps, int | None]):
    pkg, user_id, ops, sdk = case
    fresh = _readers._reach(pkg, user_id, ops, sdk)
    assert _readers.reach(pkg, user_id, ops, sdk) == fresh  # kept or worked out now
    assert _readers.reach(pkg, user_id, ops, sdk) == fresh  # kept
    assert _readers._REACHED[_readers._inputs(pkg, user_id, ops, sdk)] == fresh


@settings(max_examples=400, deadline=None)
@given(_cases())
def test_the_key_reads_grants_and_modes_as_the_rules_do(
    case: tuple[Package, int, AppOps, int | None],
):
    pkg, user_id, ops, sdk = case
    perms = (*_readers._STORAGE, *_readers._MEDIA)
    assert _readers._inputs(pkg, user_id, ops, sdk) == (
        sdk,
        pkg.target_sdk,
        *(granted(pkg, user_id, p) for p in perms),
        *(op_mode(ops, pkg, user_id, op) for op in _readers._OPS),
    )


def test_every_op_and_permission_reach_reads_is_in_the_key():
    assert set(_readers._OPS) == {
        "MANAGE_EXTERNAL_STORAGE", "LEGACY_STORAGE", *_readers._STORAGE.values(),
        *(op for op, _ in _readers._MEDIA.values()),
    }  # fmt: skip
    assert len(_readers._PERMISSIONS) == 5


def test_the_store_keeps_no_more_than_its_bound(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_readers, "_REACHED", {})
    monkeypatch.setattr(_readers, "_KEPT", 3)
    ops = AppOps({})
    for target in range(20, 30):
        pkg = Package("com.a", 10000, None, None, None, frozenset(), target_sdk=target)
        assert _readers.reach(pkg, 0, ops, 34) == _readers._reach(pkg, 0, ops, 34)
    assert len(_readers._REACHED) == 3
    assert [k[1] for k in _readers._REACHED] == [20, 21, 22]


def test_an_app_with_the_same_inputs_gets_the_kept_answer(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_readers, "_REACHED", {})
    read = {"android.permission.READ_EXTERNAL_STORAGE": True}
    a = Package("com.a", 10001, None, None, None, frozenset(), users=(PackageUser(0, True, read),),
                target_sdk=29)  # fmt: skip
    b = Package("com.b", 10002, None, None, None, frozenset(), users=(PackageUser(0, True, read),),
                target_sdk=29)  # fmt: skip
    first = _readers.reach(a, 0, AppOps({}), 30)
    assert _readers.reach(b, 0, AppOps({}), 30) is first
    assert first.kinds == frozenset({_readers.EVERYTHING})
    blocked = AppOps({(0, "com.b"): {"LEGACY_STORAGE": OpMode.IGNORE}})
    assert _readers.reach(b, 0, blocked, 30) == _readers._reach(b, 0, blocked, 30) != first


def test_the_large_phone_judged_the_same_with_the_store_empty_full_or_bypassed(
    monkeypatch: pytest.MonkeyPatch,
):
    from scanner.app.scan import scan_result
    from scanner.recordings.build import large_phone
    from scanner.recordings.construct import build
    from scanner.replay import ReplayTransport

    rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    snap = scan_result(ReplayTransport(rec), Policy()).snapshot
    today = date(2026, 12, 3)
    monkeypatch.setattr(_readers, "_REACHED", {})
    empty = evaluate(snap, Policy(), today=today)
    assert _readers._REACHED  # the large phone's apps were kept
    full = evaluate(snap, Policy(), today=today)
    monkeypatch.setattr(_readers, "reach", _readers._reach)
    bypassed = evaluate(snap, Policy(), today=today)
    assert empty == full == bypassed
    assert [f.check_id for f in empty].count("MSG-05") >= 3


def test_installed_for_lists_the_users_that_have_the_app_in_their_order():
    from checks.facts import Unseen

    users = (
        PackageUser(10, True), PackageUser(0, False), PackageUser(150, Unseen("cut")),
        PackageUser(11, True),
    )  # fmt: skip
    pkg = Package("com.a", 10001, None, None, None, frozenset(), users=users)
    assert pkg.installed_for() == (10, 11)
    assert type(pkg.installed_for()) is tuple

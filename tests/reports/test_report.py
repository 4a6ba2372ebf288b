"""The JSON report: its shape on replayed and hand-made scans, withheld facts, pseudonyms."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import pytest
from msgspec.structs import replace

from checks.errors import UsageError
from checks.facts import AppOps, DeviceIdentity, OpMode, Unseen
from checks.findings import Attestation, Evidence, Outcome, Severity, Status, Waiver
from checks.policy import Policy
from checks.result import ScanResult, pseudonym
from checks.rule import Context, check
from reports.render.json import JsonRenderer
from reports.report import build_report, validate
from scanner import recording
from tests.reports.scans import (
    ARTICLE,
    RECORDINGS,
    RULES,
    SCAN_ID,
    SHIPPED,
    handmade,
    replayed,
    scan,
    withheld,
)

UNSEEN = re.compile(r"^\{'unseen': '.+'\}$")


def report_of(result: ScanResult) -> dict[str, Any]:
    """Build and validate: every report a test looks at must match the schema."""
    report = build_report(result)
    validate(report)
    return report


def by_package(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["package"]: m for m in report["messengers"]}


@pytest.mark.parametrize("name", SHIPPED)
def test_replayed_recordings_validate(name: str) -> None:
    """A report of every shipped recording matches the schema and lists its messengers."""
    snapshot = replayed(name)
    report = report_of(scan(snapshot))

    expected = recording.load(RECORDINGS / name).meta["expect"]["messengers"]
    installed = {
        m["package"]: {"installed_for": [i["user_id"] for i in m["installs"] if i["installed"]]}
        for m in report["messengers"]
    }
    assert expected == installed
    assert (True, [], snapshot.serial) == (
        report["scan"]["complete"],
        report["scan"]["problems"],
        report["device"]["serial"],
    )


def test_top_level_keys_in_order() -> None:
    """The report's sections come in one fixed order."""
    report = report_of(scan(handmade()))

    assert [
        "schema_version",
        "scan",
        "device",
        "profiles",
        "messengers",
        "findings",
        "alternatives",
        "summary",
    ] == list(report)


@pytest.mark.parametrize("name", SHIPPED)
def test_same_scan_same_bytes(name: str) -> None:
    """Two renderings of one scan are byte for byte the same."""
    result = scan(replayed(name))

    assert JsonRenderer().render(result) == JsonRenderer().render(scan(replayed(name)))


def test_scan_section() -> None:
    """Times are UTC with Z (the offset converted), and the policy is named with its digest."""
    from datetime import timedelta, timezone

    plus2 = timezone(timedelta(hours=2))
    result = replace(
        scan(handmade()),
        started=datetime(2026, 11, 21, 11, 30, 0, tzinfo=plus2),
        policy=Policy(name="Kanzlei Beispiel", digest="sha256:" + "ab" * 32),
    )

    assert {
        "id": SCAN_ID,
        "started": "2026-11-21T09:30:00Z",
        "finished": "2026-11-21T09:30:04Z",
        "msgscan_version": "0.1.0",
        "policy": {"name": "Kanzlei Beispiel", "digest": "sha256:" + "ab" * 32},
        "complete": True,
        "problems": [],
    } == report_of(result)["scan"]


def test_naive_times_are_refused() -> None:
    """A ScanResult without a timezone is a bug: it could not be printed in UTC."""
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(scan(handmade()), started=datetime(2026, 11, 21, 9, 30))


def test_device_and_profiles_of_a_work_profile_phone() -> None:
    """The Android 14 recording: identity, and a work profile owned by its MDM."""
    report = report_of(scan(replayed("android14-work-profile-business.json")))

    assert {
        "serial": "MSGSCAN14WP",
        "manufacturer": "Google",
        "model": "Pixel 7a",
        "android_release": "14",
        "sdk": 34,
        "security_patch": "2026-10-05",
        "encryption": "file",
        "device_owner": None,
    } == report["device"]
    assert [
        {
            "user_id": 0,
            "kind": "system",
            "running": True,
            "profile_owner": None,
            "device_owner": False,
            "profile_kind": "main",
            "description": "the personal profile (user 0)",
        },
        {
            "user_id": 10,
            "kind": "managed_profile",
            "running": True,
            "profile_owner": "com.google.android.apps.work.clouddpc",
            "device_owner": False,
            "profile_kind": "work_mdm",
            "description": report["profiles"][1]["description"],
        },
    ] == report["profiles"]
    assert "Android Device Policy" in report["profiles"][1]["description"]


def test_messenger_entry() -> None:
    """WhatsApp Business: catalog names, the article's comparison, an install per user block."""
    report = report_of(scan(replayed("android14-work-profile-business.json")))
    entry = by_package(report)["com.whatsapp.w4b"]

    assert (
        "whatsapp_business",
        "WhatsApp Business",
        "WhatsApp Business",
        "official",
        "2.26.41.74",
        "com.android.vending",
    ) == (
        entry["messenger"],
        entry["name"],
        entry["variant"],
        entry["build"],
        entry["version_name"],
        entry["installer"],
    )
    assert "phone number" == entry["comparison"]["registration"]
    assert [(0, False), (10, True)] == [(i["user_id"], i["installed"]) for i in entry["installs"]]
    work = entry["installs"][1]
    assert ("granted", "denied", "absent", True) == (
        work["permissions"]["contacts"],
        work["permissions"]["microphone"],
        work["permissions"]["storage"],
        work["allow_backup"],
    )


def test_permissions_are_summed_up_per_group() -> None:
    """A group is granted if any permission in it is, denied if all listed are not, else absent."""
    report = report_of(scan(handmade()))
    whatsapp = by_package(report)["com.whatsapp"]["installs"][0]["permissions"]

    assert {
        "contacts": "granted",
        "storage": "absent",
        "media_images": "denied",
        "media_video": "absent",
        "media_audio": "absent",
        "media_selected": "absent",
        "camera": "absent",
        "microphone": "absent",
        "location": "granted",
        "notifications": "absent",
        "all_files": "absent",
    } == whatsapp


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (OpMode.ALLOW, "granted"),
        (OpMode.DENY, "denied"),
        (OpMode.IGNORE, "denied"),
        (None, "denied"),
    ],
)
def test_all_files_access_from_app_ops(mode: OpMode | None, expected: str) -> None:
    """All files access follows the app op; with no mode, the (requested) permission decides."""
    ops = {} if mode is None else {"MANAGE_EXTERNAL_STORAGE": mode}
    snapshot = handmade(app_ops=AppOps({(10, "com.gbwhatsapp"): ops}))
    report = report_of(scan(snapshot))

    assert (
        expected == by_package(report)["com.gbwhatsapp"]["installs"][1]["permissions"]["all_files"]
    )


def test_uid_mode_wins_for_all_files() -> None:
    """A uid-level "allow" (how Settings grants it) counts even with no package-level mode."""
    snapshot = handmade(
        app_ops=AppOps({}, {10 * 100000 + 10301: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})
    )
    report = report_of(scan(snapshot))

    assert (
        "granted" == by_package(report)["com.gbwhatsapp"]["installs"][1]["permissions"]["all_files"]
    )


def test_a_mod_has_no_comparison() -> None:
    """The article compares official messengers only: a mod's comparison is null."""
    entry = by_package(report_of(scan(handmade())))["com.gbwhatsapp"]

    assert ("whatsapp_mod", "GBWhatsApp", "mod", None, None) == (
        entry["messenger"],
        entry["variant"],
        entry["build"],
        entry["comparison"],
        entry["installer"],
    )


def test_storage_entries() -> None:
    """Found folders carry counts and a UTC date; unreadable ones say unknown and why."""
    report = report_of(scan(handmade()))
    found = by_package(report)["com.whatsapp"]["storage"][0]
    unknown = by_package(report)["com.gbwhatsapp"]["storage"][0]

    assert {
        "user_id": 0,
        "location": "scoped.databases",
        "kind": "archive",
        "path": "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Databases",
        "status": "found",
        "files": 2,
        "total_bytes": 4096,
        "newest": "2026-11-20T02:00:00Z",
        "nomedia": None,
        "unreadable": 0,
        "reason": None,
    } == found
    assert ("unknown", "permission denied: /storage/emulated/10", None) == (
        unknown["status"],
        unknown["reason"],
        unknown["files"],
    )


def test_absent_folders_from_a_recording() -> None:
    """A folder that does not exist is "absent" with zero files, not unknown."""
    report = report_of(scan(replayed("android16-personal-whatsapp-telegram.json")))
    storage = {s["location"]: s for s in by_package(report)["com.whatsapp"]["storage"]}

    assert ("absent", 0, None) == (
        storage["legacy.databases"]["status"],
        storage["legacy.databases"]["files"],
        storage["legacy.databases"]["reason"],
    )
    assert ("found", 37, False) == (
        storage["scoped.images"]["status"],
        storage["scoped.images"]["files"],
        storage["scoped.images"]["nomedia"],
    )


def test_withheld_facts_are_marked_unseen() -> None:
    """Whatever the phone withheld is {"unseen": reason}, never null or an empty list."""
    report = report_of(scan(withheld()))

    markers = {
        key: str(report["device"][key])
        for key in (
            "manufacturer",
            "model",
            "android_release",
            "sdk",
            "security_patch",
            "encryption",
            "device_owner",
        )
    }
    assert all(UNSEEN.match(v) for v in markers.values()), markers
    assert {"unseen": "pm list users failed (exit 255)"} == report["profiles"]
    assert {"unseen": "dumpsys package: not collected (phone lost)"} == report["messengers"]


def test_withheld_owner_and_app_ops_are_marked_unseen() -> None:
    """Users seen but owners not, packages seen but app ops not: the marker sits on the field."""
    snapshot = handmade(
        policy=Unseen("dumpsys device_policy failed"), app_ops=Unseen("appops failed")
    )
    report = report_of(scan(snapshot))

    profile = report["profiles"][1]
    assert ({"unseen": "dumpsys device_policy failed"},) * 2 == (
        profile["profile_owner"],
        profile["device_owner"],
    )
    install = by_package(report)["com.whatsapp"]["installs"][0]
    assert {"unseen": "appops failed"} == install["permissions"]["all_files"]


def test_none_reported_is_null_not_unseen() -> None:
    """A phone that reports no patch level gives null: the phone said so, nothing was withheld."""
    snapshot = handmade()
    assert isinstance(snapshot.identity, DeviceIdentity)
    identity = replace(snapshot.identity, security_patch=None)
    report = report_of(scan(replace(snapshot, identity=identity)))

    assert report["device"]["security_patch"] is None


def test_findings() -> None:
    """Findings come severe first, then worst status, then id, and name the catalog messenger,
    profile and article."""
    report = report_of(scan(handmade()))
    first = report["findings"][1]

    assert {
        "check_id": "TST-01",
        "status": "fail",
        "severity": "high",
        "messenger": "WhatsApp",
        "package": "com.whatsapp",
        "profile": 0,
        "title": "Messenger reads the address book",
        "evidence": [
            {
                "text": "READ_CONTACTS granted for user 0",
                "source": "dumpsys package",
                "data": {"user": 0},
            }
        ],
        "remediation": ["Revoke the contacts permission.", "Then re-scan."],
        "article_ref": {"section": "Konfiguration", "ref": "test rule"},
        "waived": None,
        "attested": None,
        "legal": [],
    } == first
    assert [
        ("TST-05", "critical", "error"),
        ("TST-01", "high", "fail"),
        ("TST-01", "high", "pass"),
        ("TST-04", "medium", "unknown"),
        ("TST-03", "medium", "manual"),
        ("TST-04", "medium", "pass"),
        ("TST-02", "low", "fail"),
        ("TST-02", "low", "fail"),
        ("TST-06", "info", "not_applicable"),
    ] == [(f["check_id"], f["severity"], f["status"]) for f in report["findings"]]
    mod = next(f for f in report["findings"] if f["package"] == "com.gbwhatsapp")
    assert "WhatsApp mod" == mod["messenger"]


def test_waivers_and_attestations() -> None:
    """A waived failure keeps status fail with its waiver; an attestation is carried over."""

    @check(
        id="TST-07",
        slug="attested",
        title="Attested",
        severity=Severity.LOW,
        article=ARTICLE,
        rationale="test",
        remediation=("Ask.",),
    )
    def attested(ctx: Context):  # type: ignore[no-untyped-def]
        yield Outcome(Status.MANUAL, (Evidence("ask the owner", "policy"),))

    policy = Policy(
        waivers=(Waiver("TST-02", "*", date(2027, 1, 31), "update pending at the MDM"),)
    )
    result = scan(handmade(), rules=(*RULES, attested), policy=policy)
    note = Attestation("J. Doe", date(2026, 11, 1), "customers informed by letter")
    findings = tuple(
        replace(f, attested=note) if f.check_id == "TST-07" else f for f in result.findings
    )
    report = report_of(replace(result, findings=findings))

    waived = [f["waived"] for f in report["findings"] if f["check_id"] == "TST-02"]
    assert [{"until": "2027-01-31", "reason": "update pending at the MDM"}] * 2 == waived
    [attested_finding] = [f for f in report["findings"] if f["check_id"] == "TST-07"]
    assert {
        "by": "J. Doe",
        "on": "2026-11-01",
        "note": "customers informed by letter",
        "until": None,
        "device": None,
        "package": None,
    } == attested_finding["attested"]
    assert (1, 2, "non_compliant") == (
        report["summary"]["failed"],
        report["summary"]["waived"],
        report["summary"]["verdict"],
    )


def test_evidence_data_is_plain_json() -> None:
    """Dates, enums, tuples and infinities in evidence data become JSON; keys are sorted."""

    @check(
        id="TST-08",
        slug="data",
        title="Data",
        severity=Severity.LOW,
        article=ARTICLE,
        rationale="test",
        remediation=("None.",),
    )
    def data(ctx: Context):  # type: ignore[no-untyped-def]
        figures = {
            "z": (1, 2),
            "newest": date(2026, 11, 20),
            "mode": OpMode.ALLOW,
            "a": None,
            "r": float("inf"),
        }
        yield Outcome(Status.PASS, (Evidence("figures", "test", figures),))

    report = report_of(scan(handmade(), rules=(data,)))

    assert {"a": None, "mode": "allow", "newest": "2026-11-20", "r": "inf", "z": [1, 2]} == report[
        "findings"
    ][0]["evidence"][0]["data"]
    assert ["a", "mode", "newest", "r", "z"] == list(report["findings"][0]["evidence"][0]["data"])


@pytest.mark.parametrize(
    ("rules", "error", "expected"),
    [
        (
            RULES,
            None,
            (
                {"pass": 2, "fail": 3, "informational": 0, "not_applicable": 1, "manual": 1, "unknown": 1, "error": 1},
                "non_compliant",
            ),
        ),
        (
            RULES[2:],
            None,
            (
                {"pass": 1, "fail": 0, "informational": 0, "not_applicable": 1, "manual": 1, "unknown": 1, "error": 1},
                "incomplete",
            ),
        ),
        (
            RULES[5:],
            None,
            (
                {"pass": 0, "fail": 0, "informational": 0, "not_applicable": 1, "manual": 0, "unknown": 0, "error": 0},
                "compliant",
            ),
        ),
        (
            RULES[5:],
            "phone lost",
            (
                {"pass": 0, "fail": 0, "informational": 0, "not_applicable": 1, "manual": 0, "unknown": 0, "error": 0},
                "incomplete",
            ),
        ),
    ],
)
def test_summary(
    rules: tuple[Any, ...], error: str | None, expected: tuple[dict[str, int], str]
) -> None:
    """All six statuses are counted; a scan that stopped is never compliant."""
    report = report_of(scan(handmade(), rules=rules, error=error))

    assert expected == (report["summary"]["counts"], report["summary"]["verdict"])
    assert list(expected[0]) == list(report["summary"]["counts"])


def test_an_error_marks_the_scan_incomplete() -> None:
    """ScanResult.error is listed among the problems and makes the scan incomplete."""
    report = report_of(scan(withheld(), error="the phone went away"))

    assert (False, "the phone went away") == (
        report["scan"]["complete"],
        report["scan"]["problems"][-1],
    )


SERIAL = "R5CT9XSERIAL7"
KEY = "organisation secret"


def planted() -> ScanResult:
    """A pseudonymized scan whose problems, evidence and error all quote the real serial."""

    @check(
        id="TST-09",
        slug="leaky",
        title="Leaky",
        severity=Severity.LOW,
        article=ARTICLE,
        rationale="test",
        remediation=("None.",),
    )
    def leaky(ctx: Context):  # type: ignore[no-untyped-def]
        yield Outcome(
            Status.FAIL,
            (
                Evidence(
                    f"device {ctx.snapshot.serial} is odd", "adb -s " + SERIAL, {SERIAL: SERIAL}
                ),
            ),
        )

    problems = (f"{SERIAL}: lost after 3 s", f"usb {SERIAL.lower()} reset")
    snapshot = handmade(SERIAL, problems=problems, complete=False)
    return scan(
        snapshot,
        rules=(*RULES, leaky),
        device_name=pseudonym(SERIAL, KEY),
        error=f"{SERIAL} went away",
    )


def test_pseudonymized_report_never_holds_the_serial() -> None:
    """With a pseudonym, the real serial is in no byte of the report, in any case or encoding."""
    result = planted()
    data = JsonRenderer().render(result)

    assert SERIAL.encode() not in data
    assert SERIAL.lower().encode() not in data.lower()
    report = report_of(result)
    assert pseudonym(SERIAL, KEY) == report["device"]["serial"]
    assert f"{pseudonym(SERIAL, KEY)}: lost after 3 s" == report["scan"]["problems"][0]
    assert {k: v for k, v in json.loads(data).items() if k != "integrity"} == report


def test_without_a_pseudonym_the_serial_is_kept() -> None:
    """Not pseudonymized: the report names the phone by its serial and changes nothing."""
    report = report_of(scan(handmade(SERIAL)))

    assert SERIAL == report["device"]["serial"]


def test_pseudonym_is_stable_per_key() -> None:
    """The same serial and key give the same pseudonym; another key or serial another one."""
    name = pseudonym(SERIAL, KEY)

    assert re.fullmatch(r"anon-[0-9a-f]{16}", name)
    assert name == pseudonym(SERIAL, KEY)
    assert name != pseudonym(SERIAL, KEY + "!")
    assert name != pseudonym(SERIAL + "0", KEY)


def test_pseudonym_is_hmac_sha256() -> None:
    """anon- and the first 16 hex digits of HMAC-SHA256(key, serial)."""
    import hashlib
    import hmac

    expected = "anon-" + hmac.new(b"k", b"SERIAL", hashlib.sha256).hexdigest()[:16]

    assert expected == pseudonym("SERIAL", "k")


def test_pseudonym_needs_a_key() -> None:
    """An empty key would make the pseudonym guessable from the serial: refused with a hint."""
    with pytest.raises(UsageError) as caught:
        pseudonym(SERIAL, "")

    assert "MSGSCAN_PSEUDONYM_KEY" in caught.value.hint

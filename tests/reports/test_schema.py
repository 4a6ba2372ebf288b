"""The report schema: a valid 2020-12 schema that agrees with the model and catches bad reports."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from checks.catalog import Build
from checks.facts import Encryption, EvidenceKind, UserKind
from checks.findings import Severity, Status
from reports.report import (
    PERMISSION_GROUPS,
    SCHEMA_PATH,
    SCHEMA_VERSION,
    ReportInvalid,
    build_report,
    validate,
)
from tests.reports.scans import handmade, scan


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def report() -> dict[str, Any]:
    return build_report(scan(handmade()))


def test_schema_is_a_valid_2020_12_schema(schema: dict[str, Any]) -> None:
    """The schema passes the draft 2020-12 meta-schema and names its version in its $id."""
    Draft202012Validator.check_schema(schema)

    assert (
        "https://json-schema.org/draft/2020-12/schema",
        "https://msgscan.example/schemas/report-1.json",
    ) == (
        schema["$schema"],
        schema["$id"],
    )


def test_schema_file_ships_with_the_package() -> None:
    """SCHEMA_PATH lies inside the reports package, where package-data puts it."""
    assert ("reports", "schema", "report-1.schema.json") == SCHEMA_PATH.parts[-3:]


@pytest.mark.parametrize(
    ("definition", "values"),
    [
        ("status", [s.value for s in Status]),
        ("severity", [s.value for s in Severity]),
        ("user_kind", [k.value for k in UserKind]),
        ("verdict", ["compliant", "non_compliant", "incomplete"]),
    ],
)
def test_enums_match_the_model(schema: dict[str, Any], definition: str, values: list[str]) -> None:
    """Each closed set in the schema is exactly the model's enum."""
    assert sorted(values) == sorted(schema["$defs"][definition]["enum"])


def test_nested_enums_match_the_model(schema: dict[str, Any]) -> None:
    """Storage kinds, builds and encryption states are the model's enums too."""
    defs = schema["$defs"]
    actual = (
        sorted(defs["storage"]["properties"]["kind"]["enum"]),
        sorted(defs["messenger"]["properties"]["build"]["enum"]),
        sorted(defs["device"]["properties"]["encryption"]["oneOf"][0]["enum"]),
    )

    assert (
        sorted(k.value for k in EvidenceKind),
        sorted(b.value for b in Build),
        sorted(e.value for e in Encryption),
    ) == actual


def test_permission_keys_match_the_groups(schema: dict[str, Any]) -> None:
    """The schema requires every permission group the report writes, and no other."""
    permissions = schema["$defs"]["install"]["properties"]["permissions"]

    assert [key for key, _ in PERMISSION_GROUPS] + ["all_files"] == permissions["required"]
    assert set(permissions["required"]) == set(permissions["properties"])


def test_schema_version_is_1_x(report: dict[str, Any]) -> None:
    """Reports carry "1.1" (1.0 plus the informational status and attestation fields: an
    additive change); the schema accepts every 1.x."""
    validate(report | {"schema_version": "1.7"})

    assert "1.3" == SCHEMA_VERSION == report["schema_version"]


def test_validate_lists_the_first_problems(report: dict[str, Any]) -> None:
    """A broken report raises ReportInvalid naming where and what, with a hint."""
    broken = copy.deepcopy(report)
    broken["findings"][0]["status"] = "passed"
    broken["scan"]["id"] = "not-a-uuid"
    broken["device"]["colour"] = "blue"

    with pytest.raises(ReportInvalid) as caught:
        validate(broken)

    message = str(caught.value)
    assert "3 place(s)" in message
    assert "$.findings[0].status: 'passed' is not one of" in message
    assert "$.scan.id: 'not-a-uuid' is not a 'uuid'" in message
    assert "'colour' was unexpected" in message
    assert "bug in msgscan" in caught.value.hint


def test_validate_shows_at_most_five(report: dict[str, Any]) -> None:
    """Many problems are cut to the first five and a count of the rest."""
    broken = copy.deepcopy(report)
    for f in broken["findings"]:
        f["severity"] = "severe"

    with pytest.raises(ReportInvalid, match=r"\(and \d+ more\)"):
        validate(broken)


@pytest.mark.parametrize(
    "when",
    ["2026-13-01T00:00:00Z", "2026-11-21 09:30:00Z", "2026-11-21T09:30:00", "yesterday"],
)
def test_times_are_checked(report: dict[str, Any], when: str) -> None:
    """date-time formats are enforced even without jsonschema's optional format packages."""
    broken = copy.deepcopy(report)
    broken["scan"]["started"] = when

    with pytest.raises(ReportInvalid, match=r"\$\.scan\.started"):
        validate(broken)


def test_unknown_storage_needs_a_reason(report: dict[str, Any]) -> None:
    """A storage entry marked unknown without its reason breaks the schema."""
    broken = copy.deepcopy(report)
    entry = next(s for m in broken["messengers"] for s in m["storage"] if s["status"] == "unknown")
    entry["reason"] = None

    with pytest.raises(ReportInvalid, match="reason"):
        validate(broken)


def test_only_failures_are_waived(report: dict[str, Any]) -> None:
    """A waiver on a finding that did not fail breaks the schema."""
    broken = copy.deepcopy(report)
    passed = next(f for f in broken["findings"] if f["status"] == "pass")
    passed["waived"] = {"until": "2027-01-01", "reason": "accepted"}

    with pytest.raises(ReportInvalid):
        validate(broken)


def test_profile_kinds_match_the_owner_catalog(schema: dict[str, Any]) -> None:
    """The report's profile kinds are exactly checks.owners.ProfileKind."""
    from checks.owners import ProfileKind

    enum = schema["$defs"]["profile"]["properties"]["profile_kind"]["enum"]
    assert sorted(enum) == sorted(k.value for k in ProfileKind)


def test_secure_folder_is_named_a_vendor_container() -> None:
    """A Secure Folder shows in the report as Samsung's own container, not as a work profile of
    an MDM, though Android flags it as a managed profile."""
    from reports.report import build_report
    from scanner import recording
    from scanner.collect import collect
    from scanner.recordings import profiles
    from scanner.replay import ReplayTransport

    rec = recording.load(profiles.HERE / "profiles-secure-folder-android14.json")
    doc = build_report(scan(collect(ReplayTransport(rec))))
    kinds = {p["user_id"]: (p["kind"], p["profile_kind"]) for p in doc["profiles"]}
    assert kinds[150] == ("managed_profile", "vendor_container")
    assert "Secure Folder" in next(p["description"] for p in doc["profiles"] if p["user_id"] == 150)

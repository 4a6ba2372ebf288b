"""OCSF 1.5.0 Compliance Finding events, and their ECS and CEF renditions."""

from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

import pytest

from checks.policy import Policy
from reports.render.cef import CefRenderer, cef_from_ocsf, extension, header
from reports.render.ecs import EcsRenderer, ecs_from_ocsf
from reports.render.ocsf import (
    EVENT_NAMESPACE,
    Activity,
    Occurrence,
    OcsfRenderer,
    event_uid,
    finding_uid,
    ocsf_event,
    resource_uid,
    snapshot_events,
)
from reports.report import build_report
from checks.result import pseudonym
from scanner import recording
from scanner.recordings import build
from scanner.replay import ReplayTransport
from scanner.app.scan import scan_result
from tests.reports.deliver.peers import OCSF_VERSIONS, assert_ocsf, ocsf_errors
from tests.reports.scans import SHIPPED, handmade, replayed, scan

RULED = [scan(handmade())] + [scan(replayed(n)) for n in SHIPPED]
"""Scans judged by the tests' own rules (one per status)."""


def real(name: str, *, pseudonymize: bool = False) -> Any:
    """A shipped recording scanned with msgscan's real rules."""
    policy = Policy(pseudonym_key="k" * 16) if pseudonymize else Policy()
    rec = recording.load(build.HERE / name)
    return scan_result(ReplayTransport(rec), policy, pseudonymize=pseudonymize)


REAL = [real(n) for n in SHIPPED] + [real(SHIPPED[0], pseudonymize=True)]


class TestSchema:
    @pytest.mark.parametrize("version", OCSF_VERSIONS)
    def test_every_event_validates(self, version: str) -> None:
        """Every event of every test scan validates offline against OCSF 1.4.0, 1.5.0 and 1.8.0."""
        events = [e for r in RULED + REAL for e in snapshot_events(r)]
        lifecycle = []
        for r in REAL[:1]:
            report = build_report(r)
            for f in report["findings"]:
                for activity in (Activity.CREATE, Activity.UPDATE, Activity.CLOSE):
                    lifecycle.append(ocsf_event(r, report, Occurrence(f, activity)))
                lifecycle.append(ocsf_event(r, report, Occurrence(f, Activity.CLOSE, suppressed=True)))

        assert len(events) + len(lifecycle) == assert_ocsf(events + lifecycle, [version])

    @pytest.mark.parametrize(
        ("break_it", "complaint"),
        [
            (lambda e: e["finding_info"].pop("uid"), "'uid' is a required property"),
            (lambda e: e.__setitem__("time", "1795253404250"), "is not of type 'integer'"),
            (lambda e: e.__setitem__("msgscan_extra", 1), "Additional properties"),
            (lambda e: e.__setitem__("activity_id", 7), "is not one of"),
        ],
        ids=["no finding uid", "string time", "extra key", "unknown activity"],
    )
    def test_the_validator_catches_mistakes(self, break_it: Any, complaint: str) -> None:
        """The schema check is not vacuous: a broken event fails it."""
        report = build_report(RULED[0])
        event = ocsf_event(RULED[0], report, Occurrence(report["findings"][0], Activity.CREATE))
        broken = copy.deepcopy(event)
        break_it(broken)

        assert [] == ocsf_errors(event)
        assert any(complaint in e for e in ocsf_errors(broken)), ocsf_errors(broken)


def _tst01(result: Any) -> dict[str, Any]:
    """The event of TST-01 on WhatsApp in user 0 (findings come severe first, not by id)."""
    [event] = [e for e in snapshot_events(result) if e["compliance"]["control"] == "TST-01"
               and e["resources"][0]["uid"].endswith("/0/com.whatsapp")]
    return event


class TestMapping:
    def test_fields(self) -> None:
        """The phone is a Mobile device running Android, with the check, result and scan id."""
        result = RULED[0]
        event = _tst01(result)

        assert (2003, 2, 1, 200301) == (event["class_uid"], event["category_uid"],
                                         event["activity_id"], event["type_uid"])
        assert {"type_id": 5, "type": "Mobile", "uid": "R5CT1234ABC"}.items() <= event["device"].items()
        assert {"name": "Android", "type_id": 201, "type": "Android", "version": "14"}.items() \
            <= event["device"]["os"].items()
        assert ("TST-01", 3, "FAIL") == (event["compliance"]["control"],
                                         event["compliance"]["status_id"],
                                         event["compliance"]["status_code"])
        assert (4, "High") == (event["severity_id"], event["severity"])
        assert result.scan_id == event["metadata"]["correlation_uid"]
        assert "1.5.0" == event["metadata"]["version"]
        assert int(result.finished.timestamp() * 1000) == event["time"]
        assert "Revoke the contacts permission. Then re-scan." == event["remediation"]["desc"]
        assert ["Konfiguration: test rule"] == event["compliance"]["requirements"]
        assert {"uid": "R5CT1234ABC/0/com.whatsapp", "name": "com.whatsapp",
                "type": "Android Package"}.items() <= event["resources"][0].items()

    @pytest.mark.parametrize(
        ("status", "expected"),
        [("pass", (1, "PASS")), ("fail", (3, "FAIL")), ("unknown", (2, "UNKNOWN")),
         ("error", (2, "ERROR")), ("manual", (99, "MANUAL")),
         ("not_applicable", (99, "NOT_APPLICABLE"))],
    )
    def test_compliance_status(self, status: str, expected: tuple[int, str]) -> None:
        """Only pass is Pass; unknown and error are Warning; manual and n/a are Other."""
        events = [e for r in RULED for e in snapshot_events(r)]
        seen = {(e["compliance"]["status_id"], e["compliance"]["status_code"])
                for e in events if e["unmapped"]["msgscan"]["status"] == status}

        assert {expected} == seen

    def test_ids_are_deterministic(self) -> None:
        """The finding uid is siem.md's formula; the event id is UUIDv5 of uid|scan|activity."""
        event = _tst01(RULED[0])
        expected_finding = finding_uid("R5CT1234ABC", "TST-01", "R5CT1234ABC/0/com.whatsapp")
        name = f"{expected_finding}|{RULED[0].scan_id}|1"

        assert expected_finding == event["finding_info"]["uid"]
        assert str(uuid.uuid5(EVENT_NAMESPACE, name)) == event["metadata"]["uid"]
        assert snapshot_events(RULED[0]) == snapshot_events(RULED[0])

    def test_one_event_per_resource(self) -> None:
        """Event ids are unique within a scan: two outcomes of one rule for one resource
        merge into the worst, with the evidence of both."""
        for r in RULED + REAL:
            ids = [e["metadata"]["uid"] for e in snapshot_events(r)]
            assert len(ids) == len(set(ids))

    def test_type_uid(self) -> None:
        """type_uid = class_uid * 100 + activity_id (the schema package does not enforce it)."""
        report = build_report(RULED[0])
        for activity in Activity:
            e = ocsf_event(RULED[0], report, Occurrence(report["findings"][0], activity))
            assert 2003 * 100 + e["activity_id"] == e["type_uid"]

    def test_siem_md_example_uid(self) -> None:
        """The finding uid of siem.md's MSG-03 example."""
        assert ("sha256:b434eb8374a4ff52df540463f8757b72648a237ba2f2f03045fd13ad9743b82f"
                == finding_uid("R58N12ABCDE", "MSG-03", "R58N12ABCDE/0/com.whatsapp"))

    def test_heartbeat_id_is_per_day(self) -> None:
        uid = "sha256:00"
        assert event_uid(uid, "a", Activity.UPDATE, "2026-11-21") == event_uid(
            uid, "b", Activity.UPDATE, "2026-11-21")
        assert event_uid(uid, "a", Activity.UPDATE, "2026-11-21") != event_uid(
            uid, "a", Activity.UPDATE, "2026-11-22")

    @pytest.mark.parametrize(
        ("package", "user", "expected"),
        [("com.whatsapp", 10, "D/10/com.whatsapp"), (None, 10, "D/10"), (None, None, "D")],
    )
    def test_resource_uid(self, package: str | None, user: int | None, expected: str) -> None:
        assert expected == resource_uid("D", package, user)

    def test_pseudonymized(self) -> None:
        """With a pseudonym, the serial is nowhere in any format; no hardware serial either."""
        result = REAL[-1]
        serial = result.snapshot.serial
        assert result.device_name == pseudonym(serial, "k" * 16)
        for fmt in (OcsfRenderer(), EcsRenderer(), CefRenderer()):
            out = fmt.render(result).decode()
            assert serial.lower() not in out.lower()
            assert result.device_name in out
        assert all("hw_info" not in e["device"] for e in snapshot_events(result))

    def test_no_private_data(self) -> None:
        """Events carry no contact names, phone numbers or chat file names."""
        text = "".join(OcsfRenderer().render(r).decode() for r in REAL)

        assert not re.search(r"\+\d{7,}|tel:|@s\.whatsapp\.net", text)
        # "msgstore*.db.crypt*" names the kind of file (a pattern); a real name has no "*".
        assert not re.search(r"msgstore[-\w.]*\.crypt\d|IMG-\d|PTT-\d|\.opus\b", text)


class TestEcs:
    def test_document(self) -> None:
        """ECS: a state event in configuration, event.id = OCSF uid, risk from severity."""
        event = _tst01(RULED[0])
        doc = ecs_from_ocsf(event, observer="scanner-01")

        assert ("state", ["configuration"], "success") == (
            doc["event"]["kind"], doc["event"]["category"], doc["event"]["outcome"])
        assert (event["metadata"]["uid"], 73, "finding-create") == (
            doc["event"]["id"], doc["event"]["severity"], doc["event"]["action"])
        assert {"id": "R5CT1234ABC", "type": "mobile"}.items() <= doc["host"].items()
        assert "android" == doc["host"]["os"]["type"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", doc["@timestamp"])
        assert {"name": "com.whatsapp", "version": "2.26.41.74"} == doc["package"]
        assert "scanner-01" == doc["observer"]["hostname"]

    def test_ndjson(self) -> None:
        lines = EcsRenderer().render(RULED[0]).decode().splitlines()
        assert len(snapshot_events(RULED[0])) == len(lines)
        assert all(json.loads(line)["ecs"]["version"] for line in lines)


class TestCef:
    def test_line(self) -> None:
        """siem.md's CEF layout: class id = check id, severity 7 for high, rt in ms."""
        event = _tst01(RULED[0])
        line = cef_from_ocsf(event, host="scanner-01")

        assert line.startswith("CEF:0|msgscan project|msgscan|0.1.0|TST-01|"
                               "Messenger reads the address book|7|rt=")
        assert f"externalId={event['metadata']['uid']}" in line
        assert f"cs1Label=findingUid cs1={event['finding_info']['uid']}" in line
        assert "cs2Label=androidPackage cs2=com.whatsapp" in line

    def test_escaping(self) -> None:
        """Header: \\ and |; extension: \\, = and line breaks; pipes stay literal there."""
        assert "a\\|b\\\\c" == header("a|b\\c")
        assert "a\\=b\\\\c\\nd|e f" == extension("a=b\\c\nd|e f")

    def test_one_line_per_finding(self) -> None:
        out = CefRenderer().render(RULED[0]).decode()
        assert len(snapshot_events(RULED[0])) == len(out.splitlines())

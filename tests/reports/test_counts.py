"""Counts people can trust: every format says the same numbers as the report's summary.

The verdict line, the FAILED heading and the items under it, the HTML chips and outcome badges,
the SIEM events (OCSF, ECS, CEF), the exit code and the fleet summary's columns are rendered for
the shipped recordings (with the default policy and with policy.example.toml) and for
constructed scans that hold waived failures, informational results, attested items and a rule
that yields several parts for one install; each must agree with ``summary``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from checks.findings import Attestation, Evidence, Outcome, Severity, Status, Waiver
from checks.policy import DEFAULT, Override, Policy
from checks.policy_file import parse_policy
from checks.registry import CHECKS, INDEX
from checks.result import ScanResult
from checks.rule import Check, Context, check
from reports.i18n import Lang
from reports.render.cef import CefRenderer
from reports.render.ecs import EcsRenderer
from reports.render.html import HtmlRenderer
from reports.render.ocsf import OcsfRenderer
from reports.render.terminal import TerminalRenderer
from reports.render.text import TextRenderer
from reports.report import build_report, validate
from tests.reports.scans import ARTICLE, RECORDINGS, RULES, SHIPPED, handmade, replayed, scan

EXAMPLE = Path(__file__).resolve().parents[2] / "policy.example.toml"


@check(
    id="TST-09",
    slug="two-parts",
    title="Two parts of one item",
    severity=Severity.HIGH,
    article=ARTICLE,
    rationale="test",
    remediation=("Look.",),
)
def two_parts(ctx: Context) -> Iterator[Outcome]:
    """Like MSG-03: a part the phone shows (fail) and a part a person checks (manual)."""
    yield Outcome(Status.FAIL, (Evidence("local archives found", "find"),), "com.whatsapp", 0)
    yield Outcome(Status.MANUAL, (Evidence("cloud setting is app-private", "x"),), "com.whatsapp", 0)


def _constructed() -> dict[str, ScanResult]:
    waived = Policy(
        waivers=(Waiver("TST-02", "*", date(2027, 1, 31), "MDM rollout", "com.whatsapp"),),
        overrides={"TST-01": Override("for information only", severity=Severity.INFO)},
    )
    all_waived = Policy(
        waivers=(Waiver("TST-01", "*", date(2027, 1, 31), "r"), Waiver("TST-02", "*", date(2027, 1, 31), "r"))
    )
    attested = Policy(
        attestations={"ORG-01": (Attestation("DPO", date(2026, 10, 1)),)},
        overrides={"MSG-12": Override("informational here", severity=Severity.INFO)},
    )
    org = [INDEX[c] for c in ("ORG-01", "ORG-02", "MSG-12")]
    return {
        "handmade": scan(handmade()),
        "waived-and-informational": scan(handmade(), policy=waived),
        "all-failures-waived": scan(handmade(), rules=RULES[:2], policy=all_waived),
        "parts-merged": scan(handmade(), rules=(*RULES, two_parts)),
        "attested-and-informational": scan(handmade(), rules=org, policy=attested),
    }


def _shipped() -> dict[str, ScanResult]:
    example = parse_policy(EXAMPLE.read_bytes(), str(EXAMPLE), known_checks=set(INDEX))
    out = {}
    for name in SHIPPED:
        out[name] = scan(replayed(name), rules=CHECKS)
        out[f"{name}+example"] = scan(
            replayed(name), rules=CHECKS, policy=replace(example, digest=DEFAULT.digest)
        )
    return out


CASES = _constructed() | _shipped()


def expected(report: dict[str, Any]) -> dict[str, int]:
    """The numbers every format must show, from the summary alone."""
    s = report["summary"]
    c = s["counts"]
    return {
        "failed": s["failed"],
        "waived": s["waived"],
        "manual": c["manual"],
        "attested": s["attested"],
        "unchecked": c["unknown"] + c["error"],
        "informational": c["informational"],
        "pass": c["pass"],
        "not_applicable": c["not_applicable"],
    }


_HEADINGS = {
    "failed": r"FAILED \((\d+)\)",
    "waived": r"WAIVED: failures the policy accepts \((\d+)\)",
    "manual": r"MANUAL: a person must attest these \((\d+)\)",
    "unchecked": r"NOT CHECKED: unknown or error \((\d+)\)",
    "informational": r"INFORMATIONAL: worth knowing, never a failure \((\d+)\)",
}
_ITEM = re.compile(r"^\s{0,4}(CRITICAL|HIGH|MEDIUM|LOW|INFO|UNKNOWN|ERROR)\s+[A-Z]{3}-\d{2}\s")


def _text_numbers(out: str) -> dict[str, int]:
    """Headings' numbers, the items listed under each, and the closing line."""
    numbers: dict[str, int] = dict.fromkeys(_HEADINGS, 0)
    listed: dict[str, int] = dict.fromkeys(_HEADINGS, 0)
    current = None
    for line in out.splitlines():
        for key, pattern in _HEADINGS.items():
            if m := re.fullmatch(rf"\s*{pattern}\s*", line):
                numbers[key], current = int(m[1]), key
                break
        else:
            if current and _ITEM.match(line):
                listed[current] += 1
    assert numbers == listed, "each heading counts exactly the items under it"
    m = re.search(r"^\s*(\d+) passed, (\d+) not applicable\.\s*$", out, re.MULTILINE)
    assert m, out
    return numbers | {"pass": int(m[1]), "not_applicable": int(m[2])}


def _verdict_failed(line: str) -> int:
    m = re.search(r"(\d+) failed findings?", line)
    return int(m[1]) if m else 0


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> tuple[ScanResult, dict[str, Any]]:
    result = CASES[request.param]
    report = build_report(result)
    validate(report)
    return result, report


class TestEveryFormatAgrees:
    def test_summary_counts_the_findings(self, case: tuple[ScanResult, dict[str, Any]]) -> None:
        """JSON: the summary's numbers are the findings' own; one finding per item."""
        _, report = case
        findings = report["findings"]
        want = expected(report)
        assert want["failed"] == sum(f["status"] == "fail" and f["waived"] is None for f in findings)
        assert want["waived"] == sum(f["status"] == "fail" and f["waived"] is not None for f in findings)
        assert want["attested"] == sum(f["status"] == "manual" and f["attested"] is not None for f in findings)
        keys = [(f["check_id"], f["package"], f["profile"]) for f in findings]
        assert len(keys) == len(set(keys))
        assert (report["summary"]["verdict"] == "non_compliant") == (want["failed"] > 0)

    def test_text(self, case: tuple[ScanResult, dict[str, Any]]) -> None:
        """Text: the verdict line, every heading and the items under it, the closing line."""
        result, report = case
        out = TextRenderer().render(result).decode()
        want = expected(report)
        verdict = next(line for line in out.splitlines() if line.startswith("Verdict"))

        assert want["failed"] == _verdict_failed(verdict)
        got = _text_numbers(out)
        assert {k: want[k] for k in got} == got

    def test_terminal(self, case: tuple[ScanResult, dict[str, Any]]) -> None:
        """The terminal tables carry the same headings and rows."""
        result, report = case
        out = TerminalRenderer(width=160, color=False).render(result).decode()
        want = expected(report)
        verdict = next(line for line in out.splitlines() if "Verdict" in line)

        assert want["failed"] == _verdict_failed(verdict)
        for key, pattern in _HEADINGS.items():
            m = re.search(rf"^\s*{pattern}\s*$", out, re.MULTILINE)
            assert want[key] == (int(m[1]) if m else 0), key

    def test_html(self, case: tuple[ScanResult, dict[str, Any]]) -> None:
        """HTML: the verdict, the chips, and one badge per failed outcome."""
        result, report = case
        out = HtmlRenderer(Lang.EN).render(result).decode()
        want = expected(report)
        verdict = re.search(r'id="verdict">.*?<div class="text">(.*?)</div>', out, re.S)
        counts = re.search(r'<div class="counts">(.*?)</div>', out, re.S)
        assert verdict and counts
        chips = {k: int(n) for k, n in re.findall(r'class="badge s-(\w+)">[^<]*: (\d+)</span>', counts[1])}
        chip_want = want | {"manual": want["manual"] - want["attested"]}
        chip_want.pop("unchecked")
        assert want["failed"] == _verdict_failed(verdict[1])
        assert {k: n for k, n in chip_want.items() if n} == {k: n for k, n in chips.items() if k in chip_want}
        failed_badges = re.findall(r'<li><span class="badge s-fail">[^<]*</span>(?! <span class="badge s-waived">)', out)
        assert want["failed"] == len(failed_badges)

    def test_siem_events(self, case: tuple[ScanResult, dict[str, Any]]) -> None:
        """OCSF, ECS and CEF: one event per finding; the failures that count are the summary's."""
        result, report = case
        want = expected(report)
        ocsf = [json.loads(line) for line in OcsfRenderer().render(result).splitlines()]
        ecs = [json.loads(line) for line in EcsRenderer().render(result).splitlines()]
        cef = CefRenderer().render(result).decode().splitlines()

        assert len(report["findings"]) == len(ocsf) == len(ecs) == len(cef)
        assert want["failed"] == sum(e["unmapped"]["msgscan"]["counts_as_failure"] for e in ocsf)
        assert want["failed"] == sum(
            e["compliance"]["status_code"] == "FAIL" and e["status"] != "Suppressed" for e in ocsf
        )
        assert want["informational"] == sum(e["compliance"]["status"] == "Informational" for e in ocsf)
        assert want["failed"] == sum(e["msgscan"]["result"]["counts_as_failure"] for e in ecs)
        assert want["failed"] == sum(
            " outcome=failure " in line and " cs4=Suppressed " not in line for line in cef
        )

    def test_fleet_columns(self, case: tuple[ScanResult, dict[str, Any]], tmp_path: Path) -> None:
        """The fleet page's cell per check: "fail" exactly where a failure counts."""
        from scanner.app.agent.summary import _columns

        from reports.integrity import seal_json

        _, report = case
        path = tmp_path / "phone.json"
        # sealed, as the agent writes it: the summary takes nothing from a report changed since
        path.write_text(json.dumps(seal_json(report, None)), encoding="utf-8")
        columns = _columns(str(path))
        counted = {f["check_id"] for f in report["findings"] if f["status"] == "fail" and not f["waived"]}

        assert counted == {cid for cid, status in columns.items() if status == "fail"}
        assert "pass" not in {columns[f["check_id"]] for f in report["findings"] if f["waived"]}


@pytest.mark.parametrize("name", SHIPPED)
def test_exit_code_follows_the_summary(name: str, tmp_path: Path) -> None:
    """`msgscan scan`: exit 1 exactly when the written report counts a failure."""
    from scanner.app.cli import main

    out = tmp_path / "r.json"
    code = main(["scan", "--replay", str(RECORDINGS / name), "--format", "json", "-o", str(out)])
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]

    assert (1 if summary["failed"] else 0) == code


def test_informational_never_fails_the_verdict() -> None:
    """A failure at severity info is informational: listed, never counted, exit-neutral."""
    only = Policy(overrides={"TST-01": Override("info", severity=Severity.INFO)})
    result = scan(handmade(), rules=RULES[:1], policy=only)
    report = build_report(result)
    out = TextRenderer().render(result).decode()

    assert {"informational": 1, "failed": 0} == {
        k: expected(report)[k] for k in ("informational", "failed")
    }
    assert "compliant" == report["summary"]["verdict"]
    assert "FAILED" not in out and "COMPLIANT: nothing failed" in out
    assert ["informational"] == [f["status"] for f in report["findings"] if f["check_id"] == "TST-01"][:1]


def test_merged_item_has_every_part() -> None:
    """One finding for the item, worst status (fail), both parts' evidence, in one section."""
    report = build_report(scan(handmade(), rules=(two_parts,)))
    [finding] = report["findings"]

    assert ("fail", ["local archives found", "cloud setting is app-private"]) == (
        finding["status"], [e["text"] for e in finding["evidence"]]
    )


def test_findings_sort_by_severity_then_status() -> None:
    """Severe first; within a severity the worst status first; then the check id."""
    report = build_report(CASES["handmade"])
    order = {"fail": 0, "error": 1, "unknown": 2, "manual": 3, "informational": 4, "pass": 5,
             "not_applicable": 6}
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    keys = [(rank[f["severity"]], order[f["status"]], f["check_id"]) for f in report["findings"]]

    assert keys == sorted(keys)


@check(
    id="TST-10",
    slug="note",
    title="A note",
    severity=Severity.HIGH,
    article=ARTICLE,
    rationale="test",
    remediation=("None.",),
)
def note(ctx: Context) -> Iterator[Outcome]:
    yield Outcome(Status.INFORMATIONAL, (Evidence("worth knowing", "x"),))


def test_informational_is_left_out_of_the_score() -> None:
    """README: the score leaves informational results out, whatever their severity."""
    without = build_report(scan(handmade(), rules=RULES))["summary"]["score"]
    with_note = build_report(scan(handmade(), rules=(*RULES, note)))["summary"]

    assert (without, 1, 0) == (with_note["score"], with_note["informational"], with_note["failed"] - 3)


def test_attested_item_is_suppressed_in_siem_and_drift() -> None:
    """README: an attested item is closed as Suppressed in the SIEM stream (the drift row is
    suppressed, and an event says workflow 3)."""
    from datetime import UTC, datetime

    from checks.drift import diff

    policy = Policy(attestations={"ORG-01": (Attestation("DPO", date(2026, 10, 1)),)})
    result = scan(handmade(), rules=[INDEX["ORG-01"]], policy=policy)
    [row] = diff({}, result.findings, complete=True, at=datetime(2026, 11, 21, tzinfo=UTC)).rows
    [event] = [json.loads(line) for line in OcsfRenderer().render(result).splitlines()]

    assert (True, 3, "Suppressed") == (row.waived, event["status_id"], event["status"])

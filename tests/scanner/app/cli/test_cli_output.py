"""Every format from a saved report (`msgscan report REPORT.json --format ...`), CSV one row per
finding, and one scan writing several outputs at once (-o per file, FORMAT:FILE)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from reports.render.csv import COLUMNS, cell
from reports.report import SCHEMA_VERSION
from scanner.app.cli import main
from scanner.app.cli.output import FORMATS
from tests.reports.deliver.peers import assert_ocsf
from tests.reports.deliver.test_siem_fields import ecs_problems
from tests.test_reading import A16, run


@pytest.fixture
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "report.json"
    assert 1 == main(["scan", "--replay", A16, "--format", "json", "--lang", "en", "-o", str(path)])
    capsys.readouterr()
    return path


def _findings(saved: Path) -> list[dict]:  # type: ignore[type-arg]
    return list(json.loads(saved.read_text())["findings"])


class TestReportFormats:
    def test_every_format(self, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """report renders a saved report into each of the seven formats, exit 0."""
        for fmt in FORMATS:
            code, out, err = run(capsys, "report", str(saved), "--format", fmt, "--lang", "en")
            assert (0, "") == (code, err), fmt
            assert out.strip(), fmt

    def test_csv_one_row_per_finding(self, saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
        _, out, _ = run(capsys, "report", str(saved), "--format", "csv", "--lang", "de")
        rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
        findings = _findings(saved)

        assert len(findings) == len(rows) and tuple(rows[0]) == COLUMNS
        assert [f["check_id"] for f in findings] == [r["check_id"] for r in rows]
        assert [f["status"] for f in findings] == [r["status"] for r in rows]
        fails = [r for r in rows if r["counts_as_failure"] == "true"]
        # the saved report's verdict counts the same failed findings
        assert json.loads(saved.read_text())["summary"]["failed"] == len(fails) > 0
        assert all(r["device"] and r["scan_id"] for r in rows)
        assert any("Chatverläufe" in r["title"] or "Chat" in r["title"] for r in rows)

    def test_csv_never_a_formula(self) -> None:
        """Phone output reaches the evidence: a cell a spreadsheet would run gets a quote."""
        assert ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "plain", ""] == [
            cell(v) for v in ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "plain", None)]

    def test_siem_formats_from_a_saved_report(self, saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """OCSF events validate, ECS documents use ECS fields only, CEF one line each; all one
        per (check, package, user), as the scan itself writes them."""
        _, ocsf, _ = run(capsys, "report", str(saved), "--format", "ocsf")
        _, ecs, _ = run(capsys, "report", str(saved), "--format", "ecs")
        _, cef, _ = run(capsys, "report", str(saved), "--format", "cef")
        _, scanned, _ = run(capsys, "scan", "--replay", A16, "--format", "ocsf")
        events = [json.loads(line) for line in ocsf.splitlines()]

        assert len(scanned.splitlines()) == len(events) == assert_ocsf(events)
        assert [] == [p for line in ecs.splitlines() for p in ecs_problems(json.loads(line))]
        assert len(events) == len(cef.splitlines()) == len(ecs.splitlines())
        assert all(line.startswith("CEF:0|msgscan project|msgscan|") for line in cef.splitlines())

    def test_json_again(self, saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--format json gives the report back; --lang makes its texts again in that language."""
        _, same, _ = run(capsys, "report", str(saved), "--format", "json", "--lang", "en")
        _, german, _ = run(capsys, "report", str(saved), "--format", "json", "--lang", "de")

        assert json.loads(saved.read_text()) == json.loads(same)
        assert "de" == json.loads(german)["texts"]["lang"]
        assert json.loads(german)["findings"] == json.loads(same)["findings"]

    def test_fleet_summary_is_html_only(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "fleet-summary.json"
        path.write_text(json.dumps({"fleet_summary_version": 1, "generated": "2026-11-26T07:00:00Z",
                                    "round": None, "checks": [], "devices": [], "totals": {}}))
        code, out, err = run(capsys, "report", str(path), "--format", "csv")

        assert (2, "") == (code, out)
        assert "a fleet summary renders as HTML only, not csv" in err


class TestSeveralOutputs:
    def test_formats_from_extensions(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """One scan, four files: json, html, ocsf NDJSON and csv by name, exit code as usual."""
        names = ["r.json", "r.html", "r.ocsf.ndjson", "csv:findings.txt"]
        argv = [a for n in names for a in ("-o", str(tmp_path / n) if ":" not in n
                                         else f"csv:{tmp_path / n.split(':')[1]}")]
        code, out, _ = run(capsys, "scan", "--replay", A16, "--lang", "en", *argv)

        assert (1, "") == (code, out)
        report = json.loads((tmp_path / "r.json").read_text())
        assert SCHEMA_VERSION == report["schema_version"]
        assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
        events = [json.loads(x) for x in (tmp_path / "r.ocsf.ndjson").read_text().splitlines()]
        assert {2003} == {e["class_uid"] for e in events}
        rows = (tmp_path / "findings.txt").read_text(encoding="utf-8-sig").splitlines()
        assert len(report["findings"]) + 1 == len(rows) and rows[0].startswith("scan_id,")

    def test_single_output_keeps_format_flag(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """`--format json -o FILE` writes JSON whatever FILE is called (as before)."""
        path = tmp_path / "out.bin"
        run(capsys, "scan", "--replay", A16, "--format", "json", "-o", str(path))
        assert SCHEMA_VERSION == json.loads(path.read_text())["schema_version"]

    def test_unknown_extension_is_refused(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Two outputs, one without a known extension: exit 2 before anything is written."""
        code, _, err = run(capsys, "scan", "--replay", A16, "-o", str(tmp_path / "a.json"),
                           "-o", str(tmp_path / "b.bin"))

        assert 2 == code and "cannot tell the format from the file name" in err
        assert not (tmp_path / "a.json").exists()
